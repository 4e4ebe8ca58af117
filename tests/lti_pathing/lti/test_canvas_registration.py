"""Dynamic registration shaped for Canvas, and what a platform's answer granted (canvas-lms's
OpenID configuration and registration bodies; Moodle 4.5's recorded exchange)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from lti_pathing.lti.registration import (
    CANVAS_PREFIX,
    PLATFORM_CONFIGURATION,
    SCOPES,
    TOOL_CONFIGURATION,
    _spec,
    registration_outcome,
    registration_request,
)

FIXTURES = Path(__file__).parents[2] / "fixtures"


def load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / path).read_text())
    return data


CANVAS_OPENID = load("canvas/lti/openid_configuration.json")
CANVAS_SENT = load("canvas/lti/registration_request.json")
CANVAS_ANSWER = load("canvas/lti/registration_response.json")
MOODLE = "moodle-4.5/lti/"
NRPS = SCOPES[3]


def test_canvas_is_asked_for_the_placements_of_the_developer_key() -> None:
    sent = registration_request(CANVAS_OPENID, "https://tool.example.com")
    tool = sent[TOOL_CONFIGURATION]
    link, deep = "LtiResourceLinkRequest", "LtiDeepLinkingRequest"
    assert [(m["type"], m["placements"], m["label"]) for m in tool["messages"]] == [
        (link, [CANVAS_PREFIX + "course_navigation"], "Career plan"),
        (link, [CANVAS_PREFIX + "account_navigation"], "Career pathing (admin)"),
        (link, [CANVAS_PREFIX + "user_navigation"], "My career plan"),
        (deep, [CANVAS_PREFIX + "link_selection"], "My career plan"),
    ]
    assert all(m["target_link_uri"] == "https://tool.example.com/lti/launch"
               for m in tool["messages"])  # fmt: skip
    assert tool[CANVAS_PREFIX + "privacy_level"] == "public"
    assert tool["custom_parameters"]["canvas_user_id"] == "$Canvas.user.id"
    # Only scopes Canvas lists (it refuses a registration naming another with 422).
    assert sent["scope"].split() == list(SCOPES)


def test_a_placement_the_platform_does_not_offer_is_not_asked_for() -> None:
    openid = copy.deepcopy(CANVAS_OPENID)
    resource_link = openid[PLATFORM_CONFIGURATION]["messages_supported"][0]
    resource_link["placements"].remove("user_navigation")
    sent = registration_request(openid, "https://tool.example.com")
    placements = [m["placements"][0] for m in sent[TOOL_CONFIGURATION]["messages"]]
    assert CANVAS_PREFIX + "user_navigation" not in placements
    outcome = registration_outcome(sent, {**sent, "client_id": "1"}, openid)
    assert outcome["placements"]["not_offered"] == ["user_navigation"]
    assert outcome["placements"]["refused"] == []


def test_canvas_answer_grants_what_its_spec_registration_asked_for() -> None:
    outcome = registration_outcome(CANVAS_SENT, CANVAS_ANSWER, CANVAS_OPENID)
    assert outcome["placements"] == {"granted": ["course_navigation"], "refused": [],
                                     "not_offered": []}  # fmt: skip
    assert outcome["scopes"]["refused"] == []
    spec = _spec(CANVAS_OPENID, CANVAS_ANSWER, outcome)
    # Canvas names its root account's deployment beside the tool configuration.
    assert spec.deployment_ids == [CANVAS_ANSWER["deployment_id"]] and not spec.deployment_pending
    assert spec.client_id == "10000000000042" and spec.issuer == "https://canvas.instructure.com"


def test_an_answer_without_a_deployment_waits_for_the_first_launch() -> None:
    older = {k: v for k, v in CANVAS_ANSWER.items() if k != "deployment_id"}
    spec = _spec(CANVAS_OPENID, older, registration_outcome(CANVAS_SENT, older, CANVAS_OPENID))
    assert spec.deployment_ids == [] and spec.deployment_pending


def test_what_the_platform_left_out_is_read_as_refused() -> None:
    sent = registration_request(CANVAS_OPENID, "https://tool.example.com")
    answer = copy.deepcopy(sent)
    answer["scope"] = " ".join(s for s in SCOPES if s != NRPS)
    answer[TOOL_CONFIGURATION]["messages"] = [
        m for m in answer[TOOL_CONFIGURATION]["messages"]
        if m["placements"] != [CANVAS_PREFIX + "account_navigation"]
    ]  # fmt: skip
    outcome = registration_outcome(sent, answer, CANVAS_OPENID)
    assert outcome["scopes"]["refused"] == [NRPS]
    assert outcome["placements"]["refused"] == ["account_navigation"]
    assert "course_navigation" in outcome["placements"]["granted"]


def test_moodles_recorded_answer_grants_more_scopes_than_asked_and_its_deployment() -> None:
    sent, answer = (
        load(MOODLE + "dynreg-registration-request.json"),
        load(MOODLE + "dynreg-registration-response.json"),
    )
    openid = load(MOODLE + "openid-configuration.json")
    outcome = registration_outcome(sent, answer, openid)
    assert outcome["scopes"]["refused"] == [] and len(outcome["scopes"]["granted"]) == 3
    assert outcome["placements"] == {"granted": ["LtiDeepLinkingRequest"], "refused": [],
                                     "not_offered": []}  # fmt: skip
    assert _spec(openid, answer, outcome).deployment_ids == ["2"]
