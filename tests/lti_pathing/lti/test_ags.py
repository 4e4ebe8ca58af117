"""The one AGS score the tool sends, and how the platform's refusals are told apart.

A 4xx about the request (Canvas's 422 "not a student", a 404 line item) is final; a 5xx, a
timeout, a 429, or a failure to get a token is worth trying again.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from flask import Flask
from pylti1p3.exception import LtiServiceException
from responses import matchers
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.lti import adapter
from lti_pathing.lti.ags import (
    PlanGrades,
    PlatformUnavailable,
    ScoreRefused,
    plan_score,
    refusal,
)
from tests.lti_pathing.lti.launching import AUTH_TOKEN_URL

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
CANVAS = Path(__file__).parents[2] / "fixtures/canvas/ags"
MOODLE = Path(__file__).parents[2] / "fixtures/moodle-4.5/lti"


def answer(
    status: int, body: str, url: str = "https://lms.example.edu/scores"
) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content, response.url = status, body.encode(), url
    response.headers["Content-Type"] = "application/json"
    return response


def service_error(status: int, body: str, token_call: bool = False) -> LtiServiceException:
    what = "while getting an access token" if token_call else "making a service request"
    return LtiServiceException(f"There was an error {what}.", answer(status, body))


def test_the_score_has_moodle_s_recorded_shape_and_the_ags_progress_states() -> None:
    recorded = json.loads((MOODLE / "ags-score-request.json").read_text())
    sent = json.loads(plan_score("3", Decimal("85"), NOW).get_value())
    assert set(sent) == set(recorded) - {"comment"}
    assert sent == {"userId": "3", "scoreGiven": 85.0, "scoreMaximum": 100,
                    "activityProgress": "InProgress", "gradingProgress": "FullyGraded",
                    "timestamp": "2026-12-01T12:00:00.000Z"}  # fmt: skip
    progress = [json.loads(plan_score("3", Decimal(s), NOW).get_value())["activityProgress"]
                for s in ("0", "0.01", "100")]  # fmt: skip
    assert progress == ["Initialized", "InProgress", "Completed"]
    with pytest.raises(ValueError, match="naive"):
        plan_score("3", Decimal(1), dt.datetime(2026, 1, 1))
    with pytest.raises(Invalid, match="0-100"):
        plan_score("3", Decimal("100.01"), NOW)


def test_canvas_s_not_a_student_422_is_final_with_its_message() -> None:
    body = (CANVAS / "score_not_a_student_422.json").read_text()
    error = refusal(service_error(422, body))
    assert isinstance(error, ScoreRefused) and error.http_status == 422
    assert error.message == "HTTP 422: User not found in course or is not a student"


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, "", "HTTP 404: "),
        (400, '{"errors":[{"message":"The specified resource does not exist."}]}',
         "HTTP 400: The specified resource does not exist."),
        (401, '{"error":"invalid_token"}', "HTTP 401: invalid_token"),
    ],
)  # fmt: skip
def test_other_4xx_answers_are_final(status: int, body: str, message: str) -> None:
    error = refusal(service_error(status, body))
    assert isinstance(error, ScoreRefused) and error.message.startswith(message)


@pytest.mark.parametrize(
    "error",
    [
        service_error(500, "oops"),
        service_error(503, '{"error":"maintenance"}'),
        service_error(429, "Rate Limit Exceeded"),
        service_error(401, '{"error":"invalid_client"}', token_call=True),
        requests.ConnectionError("connection refused"),
        requests.Timeout("read timed out"),
    ],
)
def test_failures_that_may_pass_are_retried(error: Exception) -> None:
    assert isinstance(refusal(error), PlatformUnavailable)


def test_a_moodle_graded_activity_gets_the_score_at_its_own_line_item(
    app: Flask, session: Session, registration: Any
) -> None:
    launch = json.loads((MOODLE / "launch-id-token-decoded.json").read_text())["payload"]
    claim = launch["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    recorded = json.loads((MOODLE / "ags-score-request.json").read_text())
    token = json.loads((MOODLE / "token-response.json").read_text())
    scores = claim["lineitem"].replace("/lineitem?", "/lineitem/scores?")
    with app.app_context(), responses.RequestsMock() as platform:
        platform.post(AUTH_TOKEN_URL, json=token)
        platform.post(scores, json={})
        book = PlanGrades(adapter.service_connector(registration, session), claim)
        item = book.report("3", Decimal(recorded["scoreGiven"]), NOW)
        calls = len(platform.calls)
        sent = json.loads(platform.calls[-1].request.body or b"{}")
    assert item.get_id() == claim["lineitem"] and calls == 2  # no line item found or created
    expected = {k: v for k, v in recorded.items() if k != "comment"}
    # The recorded tool called 85 "Completed"; a plan at 85 % is still in progress.
    assert sent == {**expected, "timestamp": "2026-12-01T12:00:00.000Z",
                    "activityProgress": "InProgress"}  # fmt: skip


def _page(name: str) -> Any:
    return json.loads((CANVAS / name).read_text())


def test_a_canvas_course_set_aside_finds_the_plan_column_on_a_later_page_and_reads_results(
    app: Flask, session: Session, registration: Any
) -> None:
    lineitems = "https://larkspur.instructure.com/api/lti/courses/88/line_items"
    item = f"{lineitems}/12"
    token = json.loads((MOODLE / "token-response.json").read_text())
    with app.app_context(), responses.RequestsMock() as canvas:
        canvas.post(AUTH_TOKEN_URL, json=token)
        # Canvas pages with Link headers (Api.paginate: current, next, first, last).
        first = [matchers.query_param_matcher({})]
        canvas.get(lineitems, json=_page("line_items_page1.json"), match=first, headers={
            "Link": f'<{lineitems}?page=1&per_page=1>; rel="current",'
                    f'<{lineitems}?page=2&per_page=1>; rel="next",'
                    f'<{lineitems}?page=1&per_page=1>; rel="first",'
                    f'<{lineitems}?page=2&per_page=1>; rel="last"'})  # fmt: skip
        canvas.get(f"{lineitems}?page=2&per_page=1", json=_page("line_items_page2.json"))
        canvas.post(f"{item}/scores", json={"resultUrl": f"{item}/results/301"})
        canvas.get(f"{item}/results", json=_page("results_page1.json"), match=first, headers={
            "Link": f'<{item}/results?page=2&per_page=1>; rel="next"'})  # fmt: skip
        canvas.get(f"{item}/results?page=2&per_page=1", json=_page("results_page2.json"))
        book = PlanGrades(adapter.service_connector(registration, session),
                          {"lineitems": lineitems})  # fmt: skip
        sent_to = book.report("86157096483e6b3a50bfedc6bac902c0b20a824f", Decimal(40), NOW)
        results = book.results()
        created = [c for c in canvas.calls if c.request.method == "POST"
                   and c.request.url == lineitems]  # fmt: skip
    assert sent_to.get_id() == item and created == []  # found by its tag: never a second column
    assert [(r.user_id, r.score, r.maximum) for r in results] == [
        ("86157096483e6b3a50bfedc6bac902c0b20a824f", 40.0, 100.0),
        ("535fa085f22b4655f48cd5a36a9215f64c062838", 75.0, 100.0),
    ]
