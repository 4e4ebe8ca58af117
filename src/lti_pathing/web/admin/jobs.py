"""Admin pages for the job architecture: job families, roles, career paths."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Blueprint, request
from wtforms import BooleanField, DecimalField, Form, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lti_pathing.models import CareerPath, JobFamily, PathKind, Role, RoleLevel, Skill, Track
from lti_pathing.models.limits import LEVEL_RANK, SKILL_LEVEL
from lti_pathing.services.job_architecture import JobArchitectureService, RoleSkillSpec
from lti_pathing.services.listing import ListQuery, Page
from lti_pathing.services.scales import Scale, ScaleService
from lti_pathing.web.admin.context import AdminContext, int_arg
from lti_pathing.web.admin.crud import Column, Filter, Noun, register
from lti_pathing.web.admin.forms import (
    PICK_CHOICE,
    AdminForm,
    SelectField,
    blank_to_none,
    description_field,
    external_id_field,
    filled,
    in_range,
    level_hints,
    levels_on_scale,
    opt_int,
    pairs,
    row_list,
    set_choices,
)

KIND_LABELS = {
    PathKind.vertical: "vertical (promotion)",
    PathKind.lateral: "lateral (same level)",
    PathKind.cross_functional: "cross-functional (another family)",
}


def _service(ctx: AdminContext) -> JobArchitectureService:
    return ctx.service(JobArchitectureService)


class FamilyForm(AdminForm):
    """A job family."""

    name = StringField("Name", [DataRequired(), Length(max=200)], filters=[blank_to_none])
    external_id = external_id_field()
    description = description_field()


def _family_fields(form: FamilyForm) -> dict[str, Any]:
    return {name: form[name].data for name in ("name", "external_id", "description")}


FAMILIES = Noun(
    name="job_families",
    singular="job family",
    title="Job families",
    model=JobFamily,
    form=FamilyForm,
    columns=(Column("Name", lambda f: f.name, link=True), Column("Id", lambda f: f.external_id)),
    list_page=lambda ctx, q: _service(ctx).list_families(q),
    initial=lambda ctx, f: {
        "name": f.name,
        "external_id": f.external_id,
        "description": f.description,
        "version": f.version,
    },
    create=lambda ctx, f: _service(ctx).create_family(_family_fields(f)),
    update=lambda ctx, i, v, f: _service(ctx).update_family(i, v, _family_fields(f)),
    delete=lambda ctx, i, v: _service(ctx).delete_family(i, v),
)


class RoleSkillRow(Form):  # type: ignore[misc]
    """A required skill: level and importance weight."""

    skill_id = SelectField("Skill", coerce=opt_int)
    level = IntegerField("Level", [Optional(), in_range(SKILL_LEVEL)])
    weight = DecimalField(
        "Weight", [Optional(), NumberRange(min=Decimal("0.001"), max=10)], places=None
    )

    def is_blank(self) -> bool:
        """No skill chosen: the row is ignored."""
        return self.skill_id.data is None

    def validate(self, extra_validators: Any = None) -> bool:
        """A chosen skill needs a level."""
        ok = bool(super().validate(extra_validators))
        if not self.is_blank() and self.level.data is None:
            self.level.errors = [*self.level.errors, "required for a chosen skill"]
            ok = False
        return ok


class RoleForm(AdminForm):
    """A role: family, track, level and required skills."""

    title = StringField("Title", [DataRequired(), Length(max=200)], filters=[blank_to_none])
    external_id = external_id_field()
    family_id = SelectField("Job family", [InputRequired()], coerce=opt_int)
    track = SelectField("Track", choices=pairs((t.value, t.value) for t in Track))
    level = SelectField("Level", choices=pairs((lv.value, lv.value) for lv in RoleLevel))
    level_rank = IntegerField(
        "Seniority rank",
        [InputRequired(), in_range(LEVEL_RANK)],
        description="Orders roles across families: 0 (entry) to 99.",
    )
    critical = BooleanField("Critical role (succession planning)")
    description = description_field()
    skills = row_list(
        RoleSkillRow,
        "Required skills",
        "Each with the level the role needs and an importance weight (above 0, up to 10).",
    )

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Family and skill choices; each required level with what it means."""
        set_choices(self.family_id, options["families"], PICK_CHOICE)
        for entry in self.skills:
            set_choices(entry.form.skill_id, options["skills"], PICK_CHOICE)
        self._scales: Mapping[int, Scale] = options["scales"]
        level_hints(self.skills, self._scales)

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then each required level on its skill's own scale."""
        ok = bool(super().validate(extra_validators))
        return levels_on_scale(self.skills, self._scales) and ok


def _role_fields(form: RoleForm) -> dict[str, Any]:
    names = ("title", "external_id", "family_id", "level_rank", "critical", "description")
    fields = {name: form[name].data for name in names}
    fields["track"], fields["level"] = Track(form.track.data), RoleLevel(form.level.data)
    return fields


def _role_skills(form: RoleForm) -> list[RoleSkillSpec]:
    return [
        RoleSkillSpec(row.skill_id.data, row.level.data, row.weight.data or Decimal("1"))
        for row in filled(form.skills)
    ]


def _role_initial(ctx: AdminContext, role: Role) -> dict[str, Any]:
    names = ("title", "external_id", "family_id", "level_rank", "critical", "description")
    data: dict[str, Any] = {name: getattr(role, name) for name in names}
    data.update(track=role.track.value, level=role.level.value, version=role.version)
    data["skills"] = [
        {"skill_id": rs.skill_id, "level": rs.level, "weight": rs.weight.normalize()}
        for rs in role.skills
    ]
    return data


def _list_roles(ctx: AdminContext, query: ListQuery) -> Page[Role]:
    return _service(ctx).list_roles(query, family_id=int_arg("family"))


ROLES = Noun(
    name="roles",
    singular="role",
    title="Roles",
    model=Role,
    form=RoleForm,
    columns=(
        Column("Title", lambda r: r.title, link=True),
        Column("Family", lambda r: r.family.name),
        Column("Level", lambda r: f"{r.level.value} · {r.track.value}"),
        Column("Skills", lambda r: len(r.skills)),
    ),
    list_page=_list_roles,
    initial=_role_initial,
    create=lambda ctx, f: _service(ctx).create_role(_role_fields(f), _role_skills(f)),
    update=lambda ctx, i, v, f: _service(ctx).update_role(i, v, _role_fields(f), _role_skills(f)),
    delete=lambda ctx, i, v: _service(ctx).delete_role(i, v),
    options=lambda ctx: {
        "families": ctx.options(JobFamily, "name"),
        "skills": ctx.options(Skill, "name"),
        "scales": ctx.service(ScaleService).scales(),
    },
    filters=(Filter("family", "Job family", lambda ctx: ctx.options(JobFamily, "name")),),
    search_label="Search titles",
    edit_extra="admin/role_paths.html",
    extra_context=lambda ctx, role: {"paths": _service(ctx).paths_from(role.id)},
)


class PathForm(AdminForm):
    """A possible move between two roles."""

    from_role_id = SelectField("From role", [InputRequired()], coerce=opt_int)
    to_role_id = SelectField("To role", [InputRequired()], coerce=opt_int)
    kind = SelectField("Kind of move", choices=pairs((k.value, t) for k, t in KIND_LABELS.items()))

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Role choices."""
        set_choices(self.from_role_id, options["roles"], PICK_CHOICE)
        set_choices(self.to_role_id, options["roles"], PICK_CHOICE)


def _list_paths(ctx: AdminContext, query: ListQuery) -> Page[CareerPath]:
    kind = request.args.get("kind")
    chosen = PathKind(kind) if kind and kind in PathKind.__members__ else None
    return _service(ctx).list_paths(query, kind=chosen, role_id=int_arg("role"))


PATHS = Noun(
    name="career_paths",
    singular="career path",
    title="Career paths",
    model=CareerPath,
    form=PathForm,
    columns=(
        Column("From", lambda p: p.from_role.title),
        Column("To", lambda p: p.to_role.title),
        Column("Kind", lambda p: KIND_LABELS[p.kind]),
    ),
    list_page=_list_paths,
    initial=lambda ctx, p: {
        "from_role_id": p.from_role_id,
        "to_role_id": p.to_role_id,
        "kind": p.kind.value,
    },
    create=lambda ctx, f: _service(ctx).add_path(
        f.from_role_id.data, f.to_role_id.data, PathKind(f.kind.data)
    ),
    update=lambda ctx, i, v, f: _service(ctx).update_path(
        i, v, PathKind(f.kind.data), f.from_role_id.data, f.to_role_id.data
    ),
    delete=lambda ctx, i, v: _service(ctx).remove_path(i, v),
    options=lambda ctx: {"roles": ctx.options(Role, "title")},
    filters=(
        Filter("kind", "Kind", lambda ctx: [(k.value, t) for k, t in KIND_LABELS.items()]),
        Filter("role", "Role", lambda ctx: ctx.options(Role, "title")),
    ),
    retirable=False,
    search_label="Search role titles",
    prefill=("from_role_id",),
    describe=lambda p: f"{p.from_role.title} → {p.to_role.title}",
)


def init(parent: Blueprint) -> None:
    """Register the family, role and career-path pages."""
    register(parent, FAMILIES)
    register(parent, ROLES)
    register(parent, PATHS)
