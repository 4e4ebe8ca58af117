"""The development LMS's AGS behaves as Canvas does where a tool can pollute a grade book.

Shapes from canvas-lms: `Lti::LineItem.create_line_item!` makes an assignment when no
resourceLinkId is given; `verify_user_in_context` answers 422 with `render_error`'s
`{"errors": {"type", "message"}}` for anyone `user_is_student?` rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from lti_pathing.devplatform.state import PlatformState, current_state
from tests.lti_pathing.devplatform.test_services import BASE, bearer, get_token

CANVAS = Path(__file__).parents[2] / "fixtures/canvas/ags"
LEARNER, ADMIN = "dev-user-73566", "dev-user-75924"


def test_a_line_item_without_a_resource_link_becomes_a_course_assignment(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a"))
    body = {"label": "Career plan progress", "scoreMaximum": 100, "tag": "plan"}
    assert lms.post(BASE.format(client="client-a") + "/lineitems", headers=headers,
                    json=body).status_code == 201  # fmt: skip
    lms.get(f"/as/{LEARNER}")
    page = lms.get("/course").text
    assert 'id="assignments"' in page and "Career plan progress" in page
    assert "counts toward the final grade" in page


def test_a_line_item_for_a_placed_link_is_that_links_column_not_an_assignment(
    lms: FlaskClient, platform: Flask, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a"))
    base = BASE.format(client="client-a")
    link = next(iter(state_of(platform).links.values()))
    body = {"label": "Career plan", "scoreMaximum": 100, "resourceLinkId": link.id}
    created = lms.post(base + "/lineitems", headers=headers, json=body)
    assert created.status_code == 201
    assert link.line_item_id is not None and state_of(platform).assignments() == []
    unknown = {**body, "resourceLinkId": "link-404"}
    assert lms.post(base + "/lineitems", headers=headers, json=unknown).status_code == 404


def test_a_score_for_someone_who_is_not_a_student_is_canvas_s_422(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a"))
    item = lms.post(BASE.format(client="client-a") + "/lineitems", headers=headers,
                    json={"label": "Plan", "scoreMaximum": 100}).json["id"]  # fmt: skip
    path = item.removeprefix("http://localhost") + "/scores"
    score = {"userId": ADMIN, "scoreGiven": 10, "scoreMaximum": 100,
             "activityProgress": "InProgress", "gradingProgress": "FullyGraded",
             "timestamp": "2026-01-01T10:00:00Z"}  # fmt: skip
    refused = lms.post(path, headers=headers, json=score)
    assert refused.status_code == 422
    assert refused.json == json.loads((CANVAS / "score_not_a_student_422.json").read_text())
    assert lms.post(path, headers=headers, json={**score, "userId": LEARNER}).status_code == 200


def state_of(platform: Flask) -> PlatformState:
    """The development platform's state."""
    with platform.app_context():
        return current_state()
