"""Development plans and their items, read-only (plans are made and approved elsewhere)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from lti_pathing.api.core import ApiBlueprint, Record, counted, service
from lti_pathing.api.fields import Integer
from lti_pathing.models import ItemStatus, Plan, PlanStatus
from lti_pathing.services.listing import ListQuery
from lti_pathing.services.plan_reading import PlanReadingService

plans = ApiBlueprint(
    "plans", __name__, url_prefix="/api/v1/plans",
    description="People's development plans (read-only).",
)  # fmt: skip
BLUEPRINTS = (plans,)


class PlanItemSchema(Record):
    """One activity placed in a plan: weeks from the plan's start."""

    activity_id = Integer()
    activity_title = ma.fields.String(attribute="activity.title")
    start_week = Integer()
    end_week = Integer()
    cohort_id = Integer(allow_none=True)
    mentor_id = Integer(allow_none=True)
    pinned = ma.fields.Boolean()
    status = ma.fields.Enum(ItemStatus, by_value=True)
    completed_on = ma.fields.Date(allow_none=True)


class PlanSchema(Record):
    """A plan with its items."""

    person_id = Integer()
    target_role_id = Integer(allow_none=True)
    status = ma.fields.Enum(PlanStatus, by_value=True)
    starts_on = ma.fields.Date(allow_none=True)
    items = ma.fields.List(ma.fields.Nested(PlanItemSchema))


class PlanArgs(ma.Schema):
    """Plan list filters."""

    person_id = Integer()
    target_role_id = Integer()
    status = ma.fields.Enum(PlanStatus, by_value=True)


@plans.route("")
class Plans(MethodView):
    """List plans."""

    @plans.arguments(PlanArgs, location="query")
    @plans.response(200, PlanSchema(many=True))
    @plans.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Plans, newest first; filter by `person_id`, `status`, `target_role_id`."""
        query = ListQuery(page=pagination_parameters.page, per_page=pagination_parameters.page_size)
        found = service(PlanReadingService).list_plans(
            query, args.get("person_id"), args.get("status"), args.get("target_role_id")
        )
        return counted(pagination_parameters, found)


@plans.route("/<int:plan_id>")
class PlanItem(MethodView):
    """Read one plan."""

    @plans.response(200, PlanSchema)
    def get(self, plan_id: int) -> Plan:
        """One plan with its items."""
        return service(PlanReadingService).get_plan(plan_id)
