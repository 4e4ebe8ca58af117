"""Job families, roles (with required skill levels and weights) and career paths."""

from __future__ import annotations

from decimal import Decimal
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
from lti_pathing.api.fields import Description, Integer, Number, in_bounds
from lti_pathing.models import CareerPath, JobFamily, PathKind, Role, RoleLevel, Track
from lti_pathing.models.limits import LEVEL_RANK
from lti_pathing.services.job_architecture import JobArchitectureService, RoleSkillSpec
from lti_pathing.services.listing import ListQuery

Version = Integer(required=True, validate=ma.validate.Range(min=1))
ExternalId = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
Name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))

families = ApiBlueprint(
    "job-families", __name__, url_prefix="/api/v1/job-families",
    description="Groups of related roles.",
)  # fmt: skip
roles = ApiBlueprint(
    "roles", __name__, url_prefix="/api/v1/roles",
    description="Roles: family, track, level and the skill levels they require.",
)  # fmt: skip
paths = ApiBlueprint(
    "career-paths", __name__, url_prefix="/api/v1/career-paths",
    description="Moves between roles: vertical, lateral or cross_functional.",
)  # fmt: skip
BLUEPRINTS = (families, roles, paths)


class FamilyIn(ma.Schema):
    """A job family as sent."""

    external_id = ExternalId
    name = Name
    description = Description(allow_none=True)


class FamilyUpdate(FamilyIn):
    """A family change with the version read."""

    version = Version


class FamilySchema(Record):
    """A job family."""

    external_id = ma.fields.String()
    name = ma.fields.String()
    description = Description(allow_none=True)
    active = ma.fields.Boolean()


class RoleSkillSchema(ma.Schema):
    """A required skill level and its importance weight (0 < weight <= 10, default 1)."""

    skill_id = Integer(required=True)
    skill_name = ma.fields.String(dump_only=True, attribute="skill.name")
    level = Integer(required=True, validate=ma.validate.Range(min=1))
    weight = Number(
        load_default=Decimal("1"),
        validate=ma.validate.Range(min=0, max=10, min_inclusive=False),
    )


class RoleIn(ma.Schema):
    """A role as sent; `skills` is the whole set of required skills."""

    external_id = ExternalId
    title = Name
    family_id = Integer(required=True)
    track = ma.fields.Enum(Track, by_value=True, required=True)
    level = ma.fields.Enum(RoleLevel, by_value=True, required=True)
    level_rank = Integer(required=True, validate=in_bounds(LEVEL_RANK))
    critical = ma.fields.Boolean()
    description = Description(allow_none=True)
    skills = ma.fields.List(ma.fields.Nested(RoleSkillSchema))


class RoleUpdate(RoleIn):
    """A role change; `skills`, when sent, replaces the required skills."""

    version = Version


class RoleSchema(Record):
    """A role with its required skills."""

    external_id = ma.fields.String()
    title = ma.fields.String()
    family_id = Integer()
    track = ma.fields.Enum(Track, by_value=True)
    level = ma.fields.Enum(RoleLevel, by_value=True)
    level_rank = Integer()
    critical = ma.fields.Boolean()
    description = Description(allow_none=True)
    active = ma.fields.Boolean()
    skills = ma.fields.List(ma.fields.Nested(RoleSkillSchema))


class RoleArgs(ListArgs):
    """Role list filters."""

    family_id = Integer()
    level = ma.fields.Enum(RoleLevel, by_value=True)
    track = ma.fields.Enum(Track, by_value=True)


class PathIn(ma.Schema):
    """A move from one role to another."""

    from_role_id = Integer(required=True)
    to_role_id = Integer(required=True)
    kind = ma.fields.Enum(PathKind, by_value=True, required=True)


class PathUpdate(ma.Schema):
    """Retype a move or change its ends (send the `version` you read)."""

    version = Integer(required=True)
    kind = ma.fields.Enum(PathKind, by_value=True, required=True)
    from_role_id = Integer()
    to_role_id = Integer()


class PathSchema(ma.Schema):
    """A career-path edge."""

    id = Integer()
    version = Integer()
    from_role_id = Integer()
    to_role_id = Integer()
    kind = ma.fields.Enum(PathKind, by_value=True)


class PathArgs(ma.Schema):
    """Career-path filters."""

    from_role_id = Integer()
    to_role_id = Integer()
    kind = ma.fields.Enum(PathKind, by_value=True)


def _role_parts(data: dict[str, Any]) -> tuple[dict[str, Any], list[RoleSkillSpec] | None]:
    fields = {k: v for k, v in data.items() if k not in ("skills", "version")}
    wanted = data.get("skills")
    if wanted is None:
        return fields, None
    return fields, [RoleSkillSpec(s["skill_id"], s["level"], s["weight"]) for s in wanted]


@families.route("")
class Families(MethodView):
    """List and create job families."""

    @families.arguments(ListArgs, location="query")
    @families.response(200, FamilySchema(many=True))
    @families.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Job families, by name."""
        found = service(JobArchitectureService).list_families(
            list_query(args, pagination_parameters)
        )
        return counted(pagination_parameters, found)

    @families.arguments(FamilyIn)
    @families.response(201, FamilySchema)
    def post(self, data: dict[str, Any]) -> JobFamily:
        """Add a job family."""
        return service(JobArchitectureService).create_family(data)


@families.route("/<int:family_id>")
class Family(MethodView):
    """Read, change and delete one job family."""

    @families.response(200, FamilySchema)
    def get(self, family_id: int) -> JobFamily:
        """One job family."""
        return service(JobArchitectureService).get(JobFamily, family_id)

    @families.arguments(patch_schema(FamilyUpdate))
    @families.response(200, FamilySchema)
    def patch(self, data: dict[str, Any], family_id: int) -> JobFamily:
        """Change a job family (send the `version` you read)."""
        version = data.pop("version")
        return service(JobArchitectureService).update_family(family_id, version, data)

    @families.arguments(VersionArgs, location="query")
    @families.response(204)
    def delete(self, args: dict[str, Any], family_id: int) -> None:
        """Delete a family without roles (409 `referenced` lists them)."""
        service(JobArchitectureService).delete_family(family_id, args["version"])


lifecycle_routes(
    families,
    FamilySchema,
    "family_id",
    lambda i, v, on: service(JobArchitectureService).set_family_active(i, v, on),
    ("Retire a job family.", "Bring a retired job family back."),
)


@roles.route("")
class Roles(MethodView):
    """List and create roles."""

    @roles.arguments(RoleArgs, location="query")
    @roles.response(200, RoleSchema(many=True))
    @roles.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Roles by family and seniority; filter by `family_id`, `level`, `track`, `active`."""
        found = service(JobArchitectureService).list_roles(
            list_query(args, pagination_parameters),
            args.get("family_id"), args.get("level"), args.get("track"),
        )  # fmt: skip
        return counted(pagination_parameters, found)

    @roles.arguments(RoleIn)
    @roles.response(201, RoleSchema)
    def post(self, data: dict[str, Any]) -> Role:
        """Add a role with its required skills."""
        fields, skills = _role_parts(data)
        return service(JobArchitectureService).create_role(fields, skills or ())


@roles.route("/<int:role_id>")
class RoleItem(MethodView):
    """Read, change and delete one role."""

    @roles.response(200, RoleSchema)
    def get(self, role_id: int) -> Role:
        """One role."""
        return service(JobArchitectureService).get_role(role_id)

    @roles.arguments(patch_schema(RoleUpdate))
    @roles.response(200, RoleSchema)
    def patch(self, data: dict[str, Any], role_id: int) -> Role:
        """Change a role; `skills` replaces the required skills."""
        fields, skills = _role_parts(data)
        return service(JobArchitectureService).update_role(role_id, data["version"], fields, skills)

    @roles.arguments(VersionArgs, location="query")
    @roles.response(204)
    def delete(self, args: dict[str, Any], role_id: int) -> None:
        """Delete a role nobody holds, targets or moves into (409 `referenced` otherwise)."""
        service(JobArchitectureService).delete_role(role_id, args["version"])


lifecycle_routes(
    roles,
    RoleSchema,
    "role_id",
    lambda i, v, on: (
        service(JobArchitectureService).restore_role(i, v)
        if on
        else service(JobArchitectureService).retire_role(i, v)
    ),
    ("Offer a role no more as a target; people holding it keep it.", "Offer a retired role again."),
)


@paths.route("")
class Paths(MethodView):
    """List and add career-path edges."""

    @paths.arguments(PathArgs, location="query")
    @paths.response(200, PathSchema(many=True))
    @paths.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Edges by source, then target role title; filter by from_role_id, to_role_id, kind."""
        query = ListQuery(page=pagination_parameters.page, per_page=pagination_parameters.page_size)
        found = service(JobArchitectureService).list_paths(
            query,
            kind=args.get("kind"),
            from_role_id=args.get("from_role_id"),
            to_role_id=args.get("to_role_id"),
        )
        return counted(pagination_parameters, found)

    @paths.arguments(PathIn)
    @paths.response(201, PathSchema)
    def post(self, data: dict[str, Any]) -> CareerPath:
        """Add a move between two roles of the tenant (409 if it exists)."""
        return service(JobArchitectureService).add_path(
            data["from_role_id"], data["to_role_id"], data["kind"]
        )


@paths.route("/<int:path_id>")
class Path(MethodView):
    """Read, retype and remove one edge."""

    @paths.response(200, PathSchema)
    def get(self, path_id: int) -> CareerPath:
        """One edge."""
        return service(JobArchitectureService).get(CareerPath, path_id)

    @paths.arguments(PathUpdate)
    @paths.response(200, PathSchema)
    def patch(self, data: dict[str, Any], path_id: int) -> CareerPath:
        """Change the kind (or the ends) of a move; a stale `version` is 409 `stale_edit`."""
        return service(JobArchitectureService).update_path(
            path_id, data["version"], data["kind"], data.get("from_role_id"), data.get("to_role_id")
        )

    @paths.response(204)
    def delete(self, path_id: int) -> None:
        """Remove a move (nothing refers to edges)."""
        service(JobArchitectureService).remove_path(path_id)
