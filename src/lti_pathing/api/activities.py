"""Catalog activities of every kind, with their outcomes, prerequisites, cohorts, mentors, links."""

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
from lti_pathing.api.fields import Description, Integer, Number, WebLink, WeeklyHours, in_bounds
from lti_pathing.models import Activity, ActivityKind, Lms
from lti_pathing.models.limits import DURATION_WEEKS, SEATS, SKILL_LEVEL
from lti_pathing.services.activities import (
    ActivityChildren,
    ActivityService,
    CohortSpec,
    currency_problem,
    window_problem,
)

activities = ApiBlueprint(
    "activities", __name__, url_prefix="/api/v1/activities",
    description="Courses, mentorships, stretch assignments, certifications, shadowing, "
    "peer groups.",
)  # fmt: skip
BLUEPRINTS = (activities,)


class SkillLevelSchema(ma.Schema):
    """A skill at a level (what an activity teaches or needs)."""

    skill_id = Integer(required=True)
    skill_name = ma.fields.String(dump_only=True, attribute="skill.name")
    level = Integer(required=True, validate=in_bounds(SKILL_LEVEL))


class CohortSchema(ma.Schema):
    """A dated run of the activity with its own seats."""

    external_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    starts_on = ma.fields.Date(required=True)
    seats = Integer(allow_none=True, validate=in_bounds(SEATS))


class LinkSchema(ma.Schema):
    """An LMS course whose completion completes the activity."""

    lms = ma.fields.Enum(Lms, by_value=True, required=True)
    course_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    issuer = ma.fields.String(dump_only=True, metadata={"description": "empty: any platform"})


class ActivityIn(ma.Schema):
    """An activity as sent; every child list sent replaces that set exactly."""

    external_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    kind = ma.fields.Enum(ActivityKind, by_value=True, required=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    description = Description(allow_none=True)
    provider = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    url = WebLink(allow_none=True)
    duration_weeks = Integer(required=True, validate=in_bounds(DURATION_WEEKS))
    hours_per_week = WeeklyHours(required=True)
    cost = Number(validate=ma.validate.Range(min=0))
    currency = ma.fields.String(allow_none=True)
    earliest_start = ma.fields.Date(allow_none=True)
    latest_end = ma.fields.Date(allow_none=True)
    seats = Integer(allow_none=True, validate=in_bounds(SEATS))
    outcomes = ma.fields.List(ma.fields.Nested(SkillLevelSchema))
    skill_prereqs = ma.fields.List(ma.fields.Nested(SkillLevelSchema))
    prereqs = ma.fields.List(Integer(), metadata={"description": "activity ids"})
    cohorts = ma.fields.List(ma.fields.Nested(CohortSchema))
    mentors = ma.fields.List(Integer(), metadata={"description": "mentor ids"})
    lms_links = ma.fields.List(ma.fields.Nested(LinkSchema))

    @ma.validates_schema(skip_on_field_errors=False)
    def check(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A window that holds the activity; a currency code (beside any field's own error)."""
        errors: dict[str, list[str]] = {}
        window = window_problem(
            data.get("earliest_start"), data.get("latest_end"), data.get("duration_weeks")
        )
        if window is not None:
            errors["latest_end"] = [window]
        currency = currency_problem(data.get("currency"))
        if currency is not None:
            errors["currency"] = [currency]
        if errors:
            raise ma.ValidationError(errors)


class ActivityUpdate(ActivityIn):
    """An activity change with the version read."""

    version = Integer(required=True, validate=ma.validate.Range(min=1))


class ActivitySchema(Record):
    """An activity with every child set."""

    external_id = ma.fields.String()
    kind = ma.fields.Enum(ActivityKind, by_value=True)
    title = ma.fields.String()
    description = Description(allow_none=True)
    provider = ma.fields.String(allow_none=True)
    url = ma.fields.String(allow_none=True)
    duration_weeks = Integer()
    hours_per_week = Number()
    cost = Number()
    currency = ma.fields.String(allow_none=True)
    earliest_start = ma.fields.Date(allow_none=True)
    latest_end = ma.fields.Date(allow_none=True)
    seats = Integer(allow_none=True)
    active = ma.fields.Boolean()
    outcomes = ma.fields.List(ma.fields.Nested(SkillLevelSchema))
    skill_prereqs = ma.fields.List(ma.fields.Nested(SkillLevelSchema))
    prereqs = ma.fields.Method("_prereqs", metadata={"type": "array", "items": {"type": "integer"}})
    cohorts = ma.fields.List(ma.fields.Nested(CohortSchema))
    mentors = ma.fields.Method("_mentors", metadata={"type": "array", "items": {"type": "integer"}})
    lms_links = ma.fields.List(ma.fields.Nested(LinkSchema))

    def _prereqs(self, activity: Activity) -> list[int]:
        return [p.requires_id for p in activity.prereqs]

    def _mentors(self, activity: Activity) -> list[int]:
        return [m.mentor_id for m in activity.mentors]


class ActivityArgs(ListArgs):
    """Activity list filters."""

    kind = ma.fields.Enum(ActivityKind, by_value=True)


def _parts(data: dict[str, Any]) -> tuple[dict[str, Any], ActivityChildren]:
    children = ActivityChildren(
        outcomes=_pairs(data.get("outcomes")),
        skill_prereqs=_pairs(data.get("skill_prereqs")),
        prereqs=data.get("prereqs"),
        cohorts=None
        if data.get("cohorts") is None
        else [
            CohortSpec(c["external_id"], c["starts_on"], c.get("seats")) for c in data["cohorts"]
        ],
        mentors=data.get("mentors"),
        lms_links=None
        if data.get("lms_links") is None
        else [(link["lms"], link["course_id"]) for link in data["lms_links"]],
    )
    child_names = ("outcomes", "skill_prereqs", "prereqs", "cohorts", "mentors", "lms_links")
    fields = {k: v for k, v in data.items() if k not in (*child_names, "version")}
    return fields, children


def _pairs(rows: list[dict[str, Any]] | None) -> list[tuple[int, int]] | None:
    return None if rows is None else [(r["skill_id"], r["level"]) for r in rows]


@activities.route("")
class Activities(MethodView):
    """List and create activities."""

    @activities.arguments(ActivityArgs, location="query")
    @activities.response(200, ActivitySchema(many=True))
    @activities.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Activities by title; filter by `kind`, `active`, `q`."""
        found = service(ActivityService).list_activities(
            list_query(args, pagination_parameters), args.get("kind")
        )
        return counted(pagination_parameters, found)

    @activities.arguments(ActivityIn)
    @activities.response(201, ActivitySchema)
    def post(self, data: dict[str, Any]) -> Activity:
        """Add an activity (a mentorship needs `mentors`)."""
        fields, children = _parts(data)
        return service(ActivityService).create_activity(fields, children)


@activities.route("/<int:activity_id>")
class ActivityItem(MethodView):
    """Read, change and delete one activity."""

    @activities.response(200, ActivitySchema)
    def get(self, activity_id: int) -> Activity:
        """One activity."""
        return service(ActivityService).get_activity(activity_id)

    @activities.arguments(patch_schema(ActivityUpdate))
    @activities.response(200, ActivitySchema)
    def patch(self, data: dict[str, Any], activity_id: int) -> Activity:
        """Change an activity; each child list sent replaces that set."""
        fields, children = _parts(data)
        return service(ActivityService).update_activity(
            activity_id, data["version"], fields, children
        )

    @activities.arguments(VersionArgs, location="query")
    @activities.response(204)
    def delete(self, args: dict[str, Any], activity_id: int) -> None:
        """Delete an unused activity (409 `referenced` while plans, prerequisites use it)."""
        service(ActivityService).delete_activity(activity_id, args["version"])


lifecycle_routes(
    activities,
    ActivitySchema,
    "activity_id",
    lambda i, v, on: (
        service(ActivityService).restore_activity(i, v)
        if on
        else service(ActivityService).retire_activity(i, v)
    ),
    (
        "Offer the activity in no new plan; existing plans keep it.",
        "Offer a retired activity again.",
    ),
)
