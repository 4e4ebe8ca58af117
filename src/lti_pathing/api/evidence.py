"""Evidence of people's skill levels: list and record (records are never edited)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from lti_pathing.api.core import ApiBlueprint, counted, service
from lti_pathing.api.fields import Integer
from lti_pathing.models import Evidence, EvidenceSource
from lti_pathing.services.evidence import EvidenceService, EvidenceSpec
from lti_pathing.services.listing import ListQuery

evidence = ApiBlueprint(
    "evidence", __name__, url_prefix="/api/v1/evidence",
    description="Who showed which level of a skill, when, and who or what vouches for it.",
)  # fmt: skip
BLUEPRINTS = (evidence,)


class EvidenceIn(ma.Schema):
    """A new evidence record."""

    person_id = Integer(required=True)
    skill_id = Integer(required=True)
    level = Integer(required=True, validate=ma.validate.Range(min=0))
    source = ma.fields.Enum(EvidenceSource, by_value=True, required=True)
    observed_on = ma.fields.Date(required=True)
    recorded_by_id = Integer(allow_none=True)
    activity_id = Integer(allow_none=True)
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000))


class EvidenceSchema(EvidenceIn):
    """An evidence record."""

    id = Integer(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)


class EvidenceArgs(ma.Schema):
    """Evidence list filters."""

    person_id = Integer()
    skill_id = Integer()
    source = ma.fields.Enum(EvidenceSource, by_value=True)


@evidence.route("")
class EvidenceList(MethodView):
    """List and record evidence."""

    @evidence.arguments(EvidenceArgs, location="query")
    @evidence.response(200, EvidenceSchema(many=True))
    @evidence.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Evidence, newest observation first; filter by `person_id`, `skill_id`, `source`."""
        query = ListQuery(page=pagination_parameters.page, per_page=pagination_parameters.page_size)
        found = service(EvidenceService).list_evidence(
            query, args.get("person_id"), args.get("skill_id"), args.get("source")
        )
        return counted(pagination_parameters, found)

    @evidence.arguments(EvidenceIn)
    @evidence.response(201, EvidenceSchema)
    def post(self, data: dict[str, Any]) -> Evidence:
        """Record that a person showed a level (0..the skill's top) on a date."""
        return service(EvidenceService).record(EvidenceSpec(**data))
