"""The deep-link return URL: the signed response is posted only to an https URL."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask

from tests.lti_pathing.lti.launching import INSTRUCTOR, LaunchingPlatform

DEEP_LINKING = "LtiDeepLinkingRequest"
SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def deep_link_page(platform: LaunchingPlatform, return_url: str) -> tuple[str, int, str]:
    """Launch as an instructor asking to place a link; (page URL, status, text) of the offer."""
    settings = {"deep_link_return_url": return_url, "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "title": "Course 101"}  # fmt: skip
    launched = platform.launch(
        message_type=DEEP_LINKING, roles=[INSTRUCTOR], resource_link=None, **{SETTINGS: settings}
    )
    assert launched.status_code == 302, launched.text
    url = launched.headers["Location"]
    page = platform.client.get(url, base_url=platform.base_url)
    return url, page.status_code, unescape(page.text)


@pytest.mark.parametrize(
    "return_url",
    ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
     "http://lms.example.edu/deep-link/return", "//lms.example.edu/return"],
)  # fmt: skip
def test_a_return_url_that_is_not_https_is_refused(
    app: Flask, platform: LaunchingPlatform, return_url: str
) -> None:
    url, status, text = deep_link_page(platform, return_url)
    assert status == 400
    assert "is not an https URL" in text and "Ask the LMS administrator" in text
    app.config["WTF_CSRF_ENABLED"] = False  # a forged confirmation: no page gave it a token
    posted = platform.client.post(url, base_url=platform.base_url, data={})
    assert posted.status_code == 400 and "is not an https URL" in unescape(posted.text)
    assert "<form" not in posted.text


def test_an_https_return_url_gets_the_signed_response(platform: LaunchingPlatform) -> None:
    url, status, text = deep_link_page(platform, "https://lms.example.edu/deep-link/return")
    assert status == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert token is not None
    posted = platform.client.post(url, base_url=platform.base_url,
                                  data={"csrf_token": token.group(1)})  # fmt: skip
    assert posted.status_code == 200
    assert 'action="https://lms.example.edu/deep-link/return"' in posted.text


def test_http_on_this_machine_only_in_development(app: Flask, platform: LaunchingPlatform) -> None:
    assert deep_link_page(platform, "http://localhost:8080/return")[1] == 200
    app.config["DEV_LOOPBACK_PLATFORMS"] = False
    assert deep_link_page(platform, "http://localhost:8080/return")[1] == 400
