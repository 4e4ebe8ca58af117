"""The Canvas developer key and the Moodle guide: per base URL, served, kept in lti-config/."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from lti_pathing.lti.lms_config import EXAMPLE_BASE_URL, canvas_config, moodle_fields

LTI_CONFIG = Path(__file__).resolve().parents[3] / "lti-config"


def test_the_repository_copy_is_what_the_code_generates() -> None:
    stored = json.loads((LTI_CONFIG / "canvas-developer-key.json").read_text())
    assert stored == canvas_config(EXAMPLE_BASE_URL)
    guide = (LTI_CONFIG / "moodle.md").read_text()
    for name, value in moodle_fields(EXAMPLE_BASE_URL):
        assert f"| {name} | `{value}` |" in guide


def test_canvas_key_has_the_placements_and_custom_fields() -> None:
    key = canvas_config("https://tool.example.org/")
    assert key["oidc_initiation_url"] == "https://tool.example.org/lti/login"
    assert key["public_jwk_url"] == "https://tool.example.org/.well-known/jwks.json"
    placements = {p["placement"]: p for p in key["extensions"][0]["settings"]["placements"]}
    assert set(placements) == {
        "course_navigation", "account_navigation", "user_navigation", "link_selection"
    }  # fmt: skip
    assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert key["custom_fields"] == {
        "canvas_user_id": "$Canvas.user.id", "canvas_course_id": "$Canvas.course.id",
        "canvas_api_base_url": "$Canvas.api.baseUrl",
    }  # fmt: skip
    assert key["extensions"][0]["domain"] == "tool.example.org"


def test_the_running_tool_serves_both_for_its_own_address(app: Flask) -> None:
    app.config["PUBLIC_URL"] = "https://lti.acme.test"
    client = app.test_client()
    key = client.get("/lti/config/canvas.json", base_url="https://lti.acme.test")
    assert key.status_code == 200
    assert key.json["target_link_uri"] == "https://lti.acme.test/lti/launch"
    guide = client.get("/lti/config/moodle", base_url="https://lti.acme.test")
    assert guide.status_code == 200
    assert "https://lti.acme.test/.well-known/jwks.json" in guide.text
    assert "lti-pathing platform add" in guide.text
