"""LTI Assignment and Grade Services: the career plan's progress as a grade column in the LMS.

Through adapter.py's connector, so service tokens are cached per (issuer, client_id, token URL)
in the shared cache. Works from a launch's AGS claim or from stored endpoint URLs (background sync).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from lti_pathing.errors import Invalid

PLAN_TAG = "lti-pathing-plan"
PLAN_LABEL = "Career plan progress"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


@dataclass(frozen=True)
class Result:
    """A learner's recorded result in the LMS."""

    user_id: str
    score: float | None
    maximum: float | None


class PlanGrades:
    """Report plan progress (0-100 % of planned items done) to one course's grade book."""

    def __init__(self, connector: ServiceConnector, endpoint: dict[str, Any]) -> None:
        if not endpoint.get("lineitems"):
            raise Invalid("this launch offers no line items service (AGS lineitems URL)")
        claim: Any = {"scope": SCOPES, **endpoint}
        self.service = AssignmentsGradesService(connector, claim)

    def line_item(self) -> LineItem:
        """The plan's grade column (created on first use, found by tag afterwards)."""
        wanted = LineItem().set_tag(PLAN_TAG).set_label(PLAN_LABEL).set_score_maximum(100)
        try:
            return self.service.find_or_create_lineitem(wanted)
        except LtiException as error:
            raise Invalid(f"the LMS refused the grade column: {error}") from error

    def report(self, user_id: str, percent_done: float, when: dt.datetime) -> LineItem:
        """Send a learner's progress as a score out of 100; the line item it went to."""
        if not 0 <= percent_done <= 100:
            raise Invalid(f"progress must be 0-100 %, got {percent_done}")
        grade = (
            Grade()
            .set_score_given(round(percent_done, 2))
            .set_score_maximum(100)
            .set_user_id(user_id)
            .set_timestamp(when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"))
            .set_activity_progress("Completed" if percent_done >= 100 else "InProgress")
            .set_grading_progress("FullyGraded")
        )
        item = self.line_item()
        try:
            self.service.put_grade(grade, item)
        except LtiException as error:
            raise Invalid(f"the LMS refused the score: {error}") from error
        return item

    def results(self) -> list[Result]:
        """What the LMS holds for the plan's column."""
        try:
            rows = list(self.service.get_grades(self.line_item()))
        except LtiException as error:
            raise Invalid(f"the LMS refused the results: {error}") from error
        return [
            Result(str(r["userId"]), r.get("resultScore"), r.get("resultMaximum")) for r in rows
        ]
