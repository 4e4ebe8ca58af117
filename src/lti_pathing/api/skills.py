"""Skill categories and skills (with their level scales)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from lti_pathing.api.core import (
    ApiBlueprint,
    ListArgs,
    Record,
    VersionArgs,
    counted,
    lifecycle_routes,
    list_query,
    patch_schema,
    service,
)
from lti_pathing.api.fields import Description, Integer, WebLink
from lti_pathing.models import Skill, SkillCategory
from lti_pathing.services.skills import MAX_LEVELS, LevelSpec, SkillService

Name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
ExternalId = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))

categories = ApiBlueprint(
    "skill-categories", __name__, url_prefix="/api/v1/skill-categories",
    description="Groups of skills.",
)  # fmt: skip
skills = ApiBlueprint(
    "skills", __name__, url_prefix="/api/v1/skills",
    description="Skills, each measured on its own scale of levels 1..N.",
)  # fmt: skip
BLUEPRINTS = (categories, skills)


class CategoryIn(ma.Schema):
    """A category as sent."""

    external_id = ExternalId
    name = Name


class CategoryUpdate(CategoryIn):
    """A category change: any field, plus the version read."""

    version = Integer(required=True, validate=ma.validate.Range(min=1))


class CategorySchema(Record):
    """A skill category."""

    external_id = ma.fields.String()
    name = ma.fields.String()
    active = ma.fields.Boolean()


class LevelSchema(ma.Schema):
    """One step of a skill's scale."""

    level = Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_LEVELS))
    name = Name
    description = Description(allow_none=True)


class SkillIn(ma.Schema):
    """A skill as sent: `levels` is the whole scale, 1..N."""

    external_id = ExternalId
    name = Name
    category_id = Integer(allow_none=True)
    description = Description(allow_none=True)
    source_uri = WebLink(allow_none=True)
    levels = ma.fields.List(
        ma.fields.Nested(LevelSchema), required=True, validate=ma.validate.Length(min=1)
    )


class SkillUpdate(SkillIn):
    """A skill change; `levels`, when sent, replaces the scale."""

    version = Integer(required=True, validate=ma.validate.Range(min=1))


class SkillSchema(Record):
    """A skill with its scale."""

    external_id = ma.fields.String()
    name = ma.fields.String()
    category_id = Integer(allow_none=True)
    description = Description(allow_none=True)
    source_uri = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    max_level = Integer()
    levels = ma.fields.List(ma.fields.Nested(LevelSchema))


class SkillArgs(ListArgs):
    """Skill list filters."""

    category_id = Integer()


def _split_skill(data: dict[str, Any]) -> tuple[dict[str, Any], list[LevelSpec] | None]:
    fields = {k: v for k, v in data.items() if k not in ("levels", "version")}
    levels = data.get("levels")
    if levels is None:
        return fields, None
    return fields, [LevelSpec(lv["level"], lv["name"], lv.get("description")) for lv in levels]


@categories.route("")
class Categories(MethodView):
    """List and create skill categories."""

    @categories.arguments(ListArgs, location="query")
    @categories.response(200, CategorySchema(many=True))
    @categories.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Skill categories, by name."""
        found = service(SkillService).list_categories(list_query(args, pagination_parameters))
        return counted(pagination_parameters, found)

    @categories.arguments(CategoryIn)
    @categories.response(201, CategorySchema)
    def post(self, data: dict[str, Any]) -> SkillCategory:
        """Add a category."""
        return service(SkillService).create_category(data)


@categories.route("/<int:category_id>")
class Category(MethodView):
    """Read, change and delete one category."""

    @categories.response(200, CategorySchema)
    def get(self, category_id: int) -> SkillCategory:
        """One category."""
        return service(SkillService).get(SkillCategory, category_id)

    @categories.arguments(patch_schema(CategoryUpdate))
    @categories.response(200, CategorySchema)
    def patch(self, data: dict[str, Any], category_id: int) -> SkillCategory:
        """Change a category (send the `version` you read)."""
        version = data.pop("version")
        return service(SkillService).update_category(category_id, version, data)

    @categories.arguments(VersionArgs, location="query")
    @categories.response(204)
    def delete(self, args: dict[str, Any], category_id: int) -> None:
        """Delete an empty category (409 `referenced` while skills use it)."""
        service(SkillService).delete_category(category_id, args["version"])


lifecycle_routes(
    categories,
    CategorySchema,
    "category_id",
    lambda i, v, on: service(SkillService).set_category_active(i, v, on),
    ("Retire a category (hidden from new use).", "Bring a retired category back."),
)


@skills.route("")
class Skills(MethodView):
    """List and create skills."""

    @skills.arguments(SkillArgs, location="query")
    @skills.response(200, SkillSchema(many=True))
    @skills.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Skills, by name; filter by `category_id`, `active`, `q`."""
        found = service(SkillService).list_skills(
            list_query(args, pagination_parameters), args.get("category_id")
        )
        return counted(pagination_parameters, found)

    @skills.arguments(SkillIn)
    @skills.response(201, SkillSchema)
    def post(self, data: dict[str, Any]) -> Skill:
        """Add a skill with its scale."""
        fields, levels = _split_skill(data)
        return service(SkillService).create_skill(fields, levels or [])


@skills.route("/<int:skill_id>")
class SkillItem(MethodView):
    """Read, change and delete one skill."""

    @skills.response(200, SkillSchema)
    def get(self, skill_id: int) -> Skill:
        """One skill."""
        return service(SkillService).get_skill(skill_id)

    @skills.arguments(patch_schema(SkillUpdate))
    @skills.response(200, SkillSchema)
    def patch(self, data: dict[str, Any], skill_id: int) -> Skill:
        """Change a skill; `levels` replaces the scale (it may not drop a level in use)."""
        fields, levels = _split_skill(data)
        return service(SkillService).update_skill(skill_id, data["version"], fields, levels)

    @skills.arguments(VersionArgs, location="query")
    @skills.response(204)
    def delete(self, args: dict[str, Any], skill_id: int) -> None:
        """Delete an unused skill (409 `referenced` lists roles, activities, evidence)."""
        service(SkillService).delete_skill(skill_id, args["version"])


lifecycle_routes(
    skills,
    SkillSchema,
    "skill_id",
    lambda i, v, on: (
        service(SkillService).restore_skill(i, v)
        if on
        else service(SkillService).retire_skill(i, v)
    ),
    (
        "Retire a skill: roles and history keep it, new use is refused.",
        "Bring a retired skill back.",
    ),
)
