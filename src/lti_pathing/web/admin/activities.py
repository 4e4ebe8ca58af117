"""Admin pages for catalog activities of every kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, request, url_for
from wtforms import DateField, Form, IntegerField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from lti_pathing.models import Activity, ActivityKind, Lms
from lti_pathing.models.limits import DURATION_WEEKS
from lti_pathing.services.activities import (
    ActivityChildren,
    ActivityService,
    CohortSpec,
    currency_problem,
    window_problem,
)
from lti_pathing.services.listing import ListQuery, Page
from lti_pathing.services.overview import OverviewService
from lti_pathing.services.scales import Scale, ScaleService
from lti_pathing.web.admin.context import AdminContext
from lti_pathing.web.admin.crud import Column, Filter, Noun, register
from lti_pathing.web.admin.forms import (
    PICK_CHOICE,
    AdminForm,
    DecimalField,
    MultiCheckboxField,
    SelectField,
    SkillLevelRow,
    blank_to_none,
    description_field,
    external_id_field,
    filled,
    hours_field,
    in_range,
    level_hints,
    levels_on_scale,
    opt_int,
    pairs,
    row_list,
    rule,
    set_choices,
    web_link,
)

KIND_LABELS = {
    ActivityKind.course: "course",
    ActivityKind.mentorship: "mentorship",
    ActivityKind.stretch: "stretch assignment",
    ActivityKind.certification: "certification",
    ActivityKind.shadowing: "job shadowing",
    ActivityKind.peer_group: "peer-learning group",
}
PLAIN = ("title", "external_id", "provider", "url", "description", "duration_weeks",
         "hours_per_week", "cost", "currency", "earliest_start", "latest_end", "seats")  # fmt: skip


class PrereqRow(Form):  # type: ignore[misc]
    """Another activity that must be finished first."""

    requires_id = SelectField("Activity", coerce=opt_int)

    def is_blank(self) -> bool:
        """Nothing chosen: the row is ignored."""
        return self.requires_id.data is None


class CohortRow(Form):  # type: ignore[misc]
    """A dated run with its own seats."""

    external_id = StringField("Cohort id", [Optional(), Length(max=64)], filters=[blank_to_none])
    starts_on = DateField("Starts on", [Optional()])
    seats = IntegerField("Seats", [Optional(), NumberRange(min=1)])

    def is_blank(self) -> bool:
        """No id and no date: the row is ignored."""
        return not self.external_id.data and self.starts_on.data is None

    def validate(self, extra_validators: Any = None) -> bool:
        """A filled cohort needs both its id and its start date."""
        ok = bool(super().validate(extra_validators))
        if not self.is_blank():
            for field in (self.external_id, self.starts_on):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, "required for a cohort"]
                    ok = False
        return ok


class ActivityForm(AdminForm):
    """An activity: what it is, its effort, what it teaches and needs, when and with whom."""

    title = StringField("Title", [DataRequired(), Length(max=200)], filters=[blank_to_none])
    external_id = external_id_field()
    kind = SelectField("Kind", choices=pairs((k.value, t) for k, t in KIND_LABELS.items()))
    provider = StringField("Provider", [Optional(), Length(max=200)], filters=[blank_to_none])
    url = StringField("Link", [Optional(), web_link],
                      filters=[blank_to_none])  # fmt: skip
    description = description_field()
    duration_weeks = IntegerField("Duration (weeks)", [InputRequired(), in_range(DURATION_WEEKS)])
    hours_per_week = hours_field("Effort (hours per week)")
    cost = DecimalField("Cost", [Optional(), NumberRange(min=0)], places=None, default=0)
    currency = StringField(
        "Currency", [Optional(), rule(currency_problem)],
        filters=[blank_to_none, lambda v: v.upper() if isinstance(v, str) else v],
    )  # fmt: skip
    earliest_start = DateField("Window: earliest start", [Optional()])
    latest_end = DateField("Window: latest end", [Optional()])
    seats = IntegerField("Seats (at a time, without cohorts)", [Optional(), NumberRange(min=1)])
    outcomes = row_list(SkillLevelRow, "Outcomes", "Skills raised to a level on completion.")
    skill_prereqs = row_list(SkillLevelRow, "Skill prerequisites", "Levels needed to start.")
    prereqs = row_list(PrereqRow, "Activity prerequisites", "Activities to finish first.")
    cohorts = row_list(CohortRow, "Cohorts", "Dated runs; the activity then starts only on them.")
    mentors = MultiCheckboxField("Eligible mentors", coerce=int)
    moodle_course_id = StringField(
        "Moodle course id", [Optional(), Length(max=64)], filters=[blank_to_none],
        description="Completing this Moodle course completes the activity.",
    )  # fmt: skip
    canvas_course_id = StringField(
        "Canvas course id", [Optional(), Length(max=64)], filters=[blank_to_none],
        description="Completing this Canvas course completes the activity.",
    )  # fmt: skip

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Skill, activity and mentor choices."""
        self._scales: Mapping[int, Scale] = options["scales"]
        skills = [(i, name) for i, (name, _top) in options["skill_levels"].items()]
        for rows in (self.outcomes, self.skill_prereqs):
            for entry in rows:
                set_choices(entry.form.skill_id, skills, PICK_CHOICE)
            level_hints(rows, self._scales)
        for entry in self.prereqs:
            set_choices(entry.form.requires_id, options["activities"], PICK_CHOICE)
        self.mentors.choices = pairs(options["mentors"])

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the window order and levels within each skill's scale."""
        ok = bool(super().validate(extra_validators))
        window = window_problem(
            self.earliest_start.data, self.latest_end.data, self.duration_weeks.data
        )
        if window is not None:
            self.latest_end.errors = [*self.latest_end.errors, window]
            ok = False
        for rows in (self.outcomes, self.skill_prereqs):
            ok = levels_on_scale(rows, self._scales) and ok
        return ok


def _fields(form: ActivityForm) -> dict[str, Any]:
    fields = {name: form[name].data for name in PLAIN}
    fields["kind"] = ActivityKind(form.kind.data)
    fields["cost"] = fields["cost"] or 0
    return fields


def _children(form: ActivityForm) -> ActivityChildren:
    links = [(Lms.moodle, form.moodle_course_id.data), (Lms.canvas, form.canvas_course_id.data)]
    return ActivityChildren(
        outcomes=[(r.skill_id.data, r.level.data) for r in filled(form.outcomes)],
        skill_prereqs=[(r.skill_id.data, r.level.data) for r in filled(form.skill_prereqs)],
        prereqs=[r.requires_id.data for r in filled(form.prereqs)],
        cohorts=[
            CohortSpec(r.external_id.data, r.starts_on.data, r.seats.data)
            for r in filled(form.cohorts)
        ],
        mentors=list(form.mentors.data or []),
        lms_links=[(lms, course) for lms, course in links if course],
    )


def _initial(ctx: AdminContext, a: Activity) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(a, name) for name in (*PLAIN, "version")}
    data["kind"] = a.kind.value
    data["hours_per_week"] = a.hours_per_week.normalize()
    data["cost"] = a.cost.normalize()
    data["outcomes"] = [{"skill_id": o.skill_id, "level": o.level} for o in a.outcomes]
    data["skill_prereqs"] = [{"skill_id": o.skill_id, "level": o.level} for o in a.skill_prereqs]
    data["prereqs"] = [{"requires_id": p.requires_id} for p in a.prereqs]
    data["cohorts"] = [
        {"external_id": c.external_id, "starts_on": c.starts_on, "seats": c.seats}
        for c in a.cohorts
    ]
    data["mentors"] = [m.mentor_id for m in a.mentors]
    for link in a.lms_links:
        if link.issuer == "":
            data[f"{link.lms.value}_course_id"] = link.course_id
    return data


def _options(ctx: AdminContext) -> dict[str, Any]:
    overview = ctx.service(OverviewService)
    return {
        "skill_levels": overview.skill_scales(),
        "scales": ctx.service(ScaleService).scales(),
        "activities": overview.options(Activity, "title"),
        "mentors": overview.mentor_options(),
    }


def _list(ctx: AdminContext, query: ListQuery) -> Page[Activity]:
    kind = request.args.get("kind")
    chosen = ActivityKind(kind) if kind and kind in ActivityKind.__members__ else None
    return ctx.service(ActivityService).list_activities(query, kind=chosen)


ACTIVITIES = Noun(
    name="activities",
    singular="activity",
    title="Activities",
    model=Activity,
    form=ActivityForm,
    columns=(
        Column("Title", lambda a: a.title, link=True),
        Column("Kind", lambda a: KIND_LABELS[a.kind]),
        Column("Effort", lambda a: f"{a.duration_weeks} wk x {a.hours_per_week.normalize()} h"),
        Column("Id", lambda a: a.external_id),
    ),
    list_page=_list,
    initial=_initial,
    create=lambda ctx, f: ctx.service(ActivityService).create_activity(_fields(f), _children(f)),
    update=lambda ctx, i, v, f: ctx.service(ActivityService).update_activity(
        i, v, _fields(f), _children(f)
    ),
    delete=lambda ctx, i, v: ctx.service(ActivityService).delete_activity(i, v),
    options=_options,
    filters=(Filter("kind", "Kind", lambda ctx: [(k.value, t) for k, t in KIND_LABELS.items()]),),
    search_label="Search titles, ids, providers",
    retire_impact=lambda ctx, a: _plans_holding(ctx, a),
)


def _plans_holding(ctx: AdminContext, activity: Activity) -> list[tuple[str, str | None]]:
    """Whose approved or submitted plans still have the activity to do."""
    return [
        (
            f"{plan.person.name}: {plan.status.value} plan"
            + (f" towards {plan.target_role.title}" if plan.target_role else ""),
            url_for("admin.people.edit", record_id=plan.person_id),
        )
        for plan in ctx.service(ActivityService).plans_holding(activity.id)
    ]


def init(parent: Blueprint) -> None:
    """Register the activity pages."""
    register(parent, ACTIVITIES)
