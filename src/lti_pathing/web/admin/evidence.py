"""Admin pages for evidence of skill levels: the list, and recording manager or import evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, request
from wtforms import DateField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from lti_pathing.columns import utcnow
from lti_pathing.models import Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.evidence import MANUAL_SOURCES, EvidenceService
from lti_pathing.services.listing import ListQuery, Page
from lti_pathing.services.scales import ScaleService, scale_of
from lti_pathing.web.admin.context import AdminContext, int_arg
from lti_pathing.web.admin.crud import Column, Filter, Noun, register
from lti_pathing.web.admin.forms import (
    PICK_CHOICE,
    AdminForm,
    SelectField,
    blank_to_none,
    opt_int,
    pairs,
    scale_hint,
    set_choices,
)

SOURCE_LABELS = {
    EvidenceSource.lms_completion: "LMS completion",
    EvidenceSource.self: "self-assessment",
    EvidenceSource.manager: "manager assessment",
    EvidenceSource.import_: "import",
}


class EvidenceForm(AdminForm):
    """Someone showed a level in a skill on a date."""

    person_id = SelectField("Person", [InputRequired()], coerce=opt_int)
    skill_id = SelectField("Skill", [InputRequired()], coerce=opt_int)
    level = IntegerField("Level", [InputRequired(), NumberRange(min=0, max=10)],
                         description="0 means no ability yet.")  # fmt: skip
    source = SelectField(
        "Source", choices=pairs((s.value, SOURCE_LABELS[s]) for s in MANUAL_SOURCES),
        default=EvidenceSource.manager.value,
    )  # fmt: skip
    observed_on = DateField("Observed on", [InputRequired()], default=lambda: utcnow().date())
    note = TextAreaField("Note", filters=[blank_to_none])

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Person and skill choices."""
        set_choices(self.person_id, options["people"], PICK_CHOICE)
        set_choices(self.skill_id, options["skills"], PICK_CHOICE)
        scale = options["scales"].get(self.skill_id.data)
        self.level.description = "0 means no ability yet. " + scale_hint(scale, self.level.data, "")


def _create(ctx: AdminContext, form: EvidenceForm) -> Evidence:
    names = ("person_id", "skill_id", "level", "source", "observed_on", "note")
    fields = {name: form[name].data for name in names}
    return ctx.service(EvidenceService).add_evidence(fields, ctx.actor.person_id)


def _list(ctx: AdminContext, query: ListQuery) -> Page[Evidence]:
    source = request.args.get("source")
    chosen = EvidenceSource(source) if source in {s.value for s in EvidenceSource} else None
    return ctx.service(EvidenceService).list_evidence(
        query, person_id=int_arg("person"), skill_id=int_arg("skill"), source=chosen
    )


def _when(day: dt.date) -> str:
    return day.isoformat()


EVIDENCE = Noun(
    name="evidence",
    singular="evidence",
    title="Evidence",
    model=Evidence,
    form=EvidenceForm,
    columns=(
        Column("Person", lambda e: e.person.name),
        Column("Skill", lambda e: e.skill.name),
        Column("Level", lambda e: scale_of(e.skill).label(e.level)),
        Column("Source", lambda e: SOURCE_LABELS[e.source]),
        Column("Observed", lambda e: _when(e.observed_on)),
        Column("Recorded by", lambda e: e.recorded_by.name if e.recorded_by else "—"),
    ),
    list_page=_list,
    initial=lambda ctx, e: {},
    create=_create,
    update=None,
    delete=None,
    options=lambda ctx: {
        "people": ctx.options(Person, "name"),
        "skills": ctx.options(Skill, "name", active_only=True),
        "scales": ctx.service(ScaleService).scales(),
    },
    filters=(
        Filter("source", "Source", lambda ctx: [(s.value, t) for s, t in SOURCE_LABELS.items()]),
        Filter("skill", "Skill", lambda ctx: ctx.options(Skill, "name")),
        Filter("person", "Person", lambda ctx: ctx.options(Person, "name")),
    ),
    retirable=False,
    search_label="Search people and skills",
    describe=lambda e: f"{e.person.name}: {e.skill.name} level {e.level}",
)


def init(parent: Blueprint) -> None:
    """Register the evidence pages."""
    register(parent, EVIDENCE)
