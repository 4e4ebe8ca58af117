"""Admin pages for skill categories and skills (with their proficiency scales)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from wtforms import Form, StringField
from wtforms.validators import DataRequired, Length, Optional

from lti_pathing.models import Skill, SkillCategory
from lti_pathing.services.listing import ListQuery, Page
from lti_pathing.services.skills import LevelSpec, SkillService
from lti_pathing.web.admin.context import AdminContext, int_arg
from lti_pathing.web.admin.crud import Column, Filter, Noun, register
from lti_pathing.web.admin.forms import (
    NONE_CHOICE,
    AdminForm,
    SelectField,
    blank_to_none,
    description_field,
    external_id_field,
    filled,
    opt_int,
    row_list,
    set_choices,
    web_link,
)


class CategoryForm(AdminForm):
    """A skill category."""

    name = StringField("Name", [DataRequired(), Length(max=200)], filters=[blank_to_none])
    external_id = external_id_field()


def _category_fields(form: CategoryForm) -> dict[str, Any]:
    return {"name": form.name.data, "external_id": form.external_id.data}


CATEGORIES = Noun(
    name="skill_categories",
    singular="skill category",
    title="Skill categories",
    model=SkillCategory,
    form=CategoryForm,
    columns=(Column("Name", lambda c: c.name, link=True), Column("Id", lambda c: c.external_id)),
    list_page=lambda ctx, q: ctx.service(SkillService).list_categories(q),
    initial=lambda ctx, c: {"name": c.name, "external_id": c.external_id, "version": c.version},
    create=lambda ctx, f: ctx.service(SkillService).create_category(_category_fields(f)),
    update=lambda ctx, i, v, f: ctx.service(SkillService).update_category(
        i, v, _category_fields(f)
    ),
    delete=lambda ctx, i, v: ctx.service(SkillService).delete_category(i, v),
)


class LevelRow(Form):  # type: ignore[misc]
    """One level of the scale; its number is its position among the filled rows."""

    name = StringField("Name", [Optional(), Length(max=200)], filters=[blank_to_none])
    description = description_field()

    def is_blank(self) -> bool:
        """No name: the row is dropped."""
        return not self.name.data


class SkillForm(AdminForm):
    """A skill and its scale."""

    name = StringField("Name", [DataRequired(), Length(max=200)], filters=[blank_to_none])
    external_id = external_id_field()
    category_id = SelectField("Category", coerce=opt_int)
    description = description_field()
    source_uri = StringField(
        "Source URI",
        [Optional(), web_link],
        filters=[blank_to_none],
        description="Where the definition comes from, e.g. an ESCO skill URI.",
    )
    levels = row_list(
        LevelRow,
        "Proficiency levels",
        "Levels are numbered 1, 2, 3… in the order given; leave a row's name empty to drop it.",
    )

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Category choices."""
        set_choices(self.category_id, options["categories"], NONE_CHOICE)


def _skill_fields(form: SkillForm) -> dict[str, Any]:
    return {
        name: form[name].data
        for name in ("name", "external_id", "category_id", "description", "source_uri")
    }


def _levels(form: SkillForm) -> list[LevelSpec]:
    return [
        LevelSpec(n, row.name.data, row.description.data)
        for n, row in enumerate(filled(form.levels), start=1)
    ]


def _skill_initial(ctx: AdminContext, skill: Skill) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: getattr(skill, name)
        for name in ("name", "external_id", "category_id", "description", "source_uri", "version")
    }
    data["levels"] = [{"name": lv.name, "description": lv.description} for lv in skill.levels]
    return data


def _list_skills(ctx: AdminContext, query: ListQuery) -> Page[Skill]:
    return ctx.service(SkillService).list_skills(query, category_id=int_arg("category"))


SKILLS = Noun(
    name="skills",
    singular="skill",
    title="Skills",
    model=Skill,
    form=SkillForm,
    columns=(
        Column("Name", lambda s: s.name, link=True),
        Column("Category", lambda s: s.category.name if s.category else "—"),
        Column("Levels", lambda s: s.max_level),
        Column("Id", lambda s: s.external_id),
    ),
    list_page=_list_skills,
    initial=_skill_initial,
    create=lambda ctx, f: ctx.service(SkillService).create_skill(_skill_fields(f), _levels(f)),
    update=lambda ctx, i, v, f: ctx.service(SkillService).update_skill(
        i, v, _skill_fields(f), _levels(f)
    ),
    delete=lambda ctx, i, v: ctx.service(SkillService).delete_skill(i, v),
    options=lambda ctx: {"categories": ctx.options(SkillCategory, "name")},
    filters=(Filter("category", "Category", lambda ctx: ctx.options(SkillCategory, "name")),),
)


def init(parent: Blueprint) -> None:
    """Register the category and skill pages."""
    register(parent, CATEGORIES)
    register(parent, SKILLS)
