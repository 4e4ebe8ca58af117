"""LTI Assignment and Grade Services: the career plan's progress as a score in a chosen grade book.

The one passback code path. Through adapter.py's connector, so service tokens are cached per
(issuer, client_id, token URL) in the shared cache. A score goes either to the line item of the
link the learner launched from (the AGS claim's `lineitem`: the LMS made that column) or, in a
course the tenant admin set aside, to the tool's own line item, found by tag or created once.
Canvas makes such a created line item a real assignment (named by its label, `submission_types:
"none"`); its AGS API offers nothing to keep it out of the final grade, hence the unmistakable
label and the rule that the tool never creates one unless a course was chosen for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from lti_pathing.errors import Invalid, LtiPathingError
from lti_pathing.services.grades import PLAN_LABEL, PLAN_RESOURCE_ID, PLAN_TAG

__all__ = ["PLAN_LABEL", "PLAN_RESOURCE_ID", "PLAN_TAG", "PlanGrades", "plan_score"]

SCORE_MAXIMUM = 100
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
# 4xx answers that are about timing, not about the request: worth trying again later.
TRANSIENT = {408, 409, 425, 429}


class ScoreRefused(Invalid):
    """The platform refused the score for good (a 4xx): the same request would fail again."""

    code = "score_refused"

    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message, {"http_status": http_status})
        self.http_status = http_status


class PlatformUnavailable(LtiPathingError):
    """The platform failed for now (5xx, timeout, no token): worth trying again later."""

    status = 502
    code = "platform_unavailable"


@dataclass(frozen=True)
class Result:
    """A learner's recorded result in the LMS."""

    user_id: str
    score: float | None
    maximum: float | None


def activity_progress(score: Decimal) -> str:
    """The AGS `activityProgress` of a score out of 100 (AGS 2.0: Initialized, InProgress...)."""
    if score <= 0:
        return "Initialized"
    return "Completed" if score >= SCORE_MAXIMUM else "InProgress"


def plan_score(user_id: str, score: Decimal, when: dt.datetime) -> Grade:
    """The AGS score sent for a learner (`user_id`: the LTI `sub`) at an aware time."""
    if when.tzinfo is None:
        raise ValueError("naive timestamp; pass an aware UTC datetime")
    if not 0 <= score <= SCORE_MAXIMUM:
        raise Invalid(f"progress must be 0-100 %, got {score}")
    stamp = when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return (
        Grade()
        .set_score_given(float(score))
        .set_score_maximum(SCORE_MAXIMUM)
        .set_user_id(user_id)
        .set_timestamp(stamp)
        .set_activity_progress(activity_progress(score))
        # Always final: the score is the plan's current state; grade books ignore other values.
        .set_grading_progress("FullyGraded")
    )


def plan_line_item() -> LineItem:
    """The tool's own column, as created in a course set aside for it."""
    return (
        LineItem()
        .set_tag(PLAN_TAG)
        .set_label(PLAN_LABEL)
        .set_resource_id(PLAN_RESOURCE_ID)
        .set_score_maximum(SCORE_MAXIMUM)
    )


def refusal(error: Exception) -> LtiPathingError:
    """The platform's answer as ScoreRefused (final) or PlatformUnavailable (try again)."""
    response = getattr(error, "response", None)
    if isinstance(error, LtiServiceException) and response is not None:
        status = response.status_code
        message = f"HTTP {status}: {platform_message(response)}"
        token_call = "access token" in str(error)  # the token endpoint, not this course's data
        if 400 <= status < 500 and status not in TRANSIENT and not token_call:
            return ScoreRefused(message, status)
        return PlatformUnavailable(message)
    if isinstance(error, requests.RequestException):
        return PlatformUnavailable(f"{type(error).__name__}: {error}")
    return Invalid(f"the LMS refused the grade: {error}")


def platform_message(response: requests.Response) -> str:
    """What the platform says went wrong (Canvas `errors.message`, `error`, or the text)."""
    try:
        body: Any = response.json()
    except ValueError:
        return (response.text or response.reason or "").strip()[:500]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        errors = errors[0]
    for source in (errors, body):
        if isinstance(source, dict):
            for key in ("message", "error_description", "error"):
                if isinstance(source.get(key), str):
                    return str(source[key])[:500]
    return str(body)[:500]


class PlanGrades:
    """Report plan progress (0-100 % of planned hours done) to one course's chosen column."""

    def __init__(self, connector: ServiceConnector, endpoint: dict[str, Any]) -> None:
        if not endpoint.get("lineitems") and not endpoint.get("lineitem"):
            raise Invalid("this launch offers no line items service (AGS lineitems URL)")
        claim: Any = {"scope": SCOPES, **endpoint}
        self.service = AssignmentsGradesService(connector, claim)
        self.lineitem = str(endpoint.get("lineitem") or "")

    def line_item(self) -> LineItem:
        """The link's own column if given; else the tool's (found by tag, created once)."""
        if self.lineitem:
            return LineItem({"id": self.lineitem})
        try:
            return self.service.find_or_create_lineitem(plan_line_item())
        except (LtiException, requests.RequestException) as error:
            raise refusal(error) from error

    def report(self, user_id: str, score: Decimal, when: dt.datetime) -> LineItem:
        """Send a learner's progress as a score out of 100; the line item it went to."""
        grade = plan_score(user_id, score, when)
        item = self.line_item()
        try:
            self.service.put_grade(grade, item)
        except (LtiException, requests.RequestException) as error:
            raise refusal(error) from error
        return item

    def results(self) -> list[Result]:
        """What the LMS holds for the plan's column."""
        try:
            rows = list(self.service.get_grades(self.line_item()))
        except (LtiException, requests.RequestException) as error:
            raise refusal(error) from error
        return [
            Result(str(r["userId"]), r.get("resultScore"), r.get("resultMaximum")) for r in rows
        ]
