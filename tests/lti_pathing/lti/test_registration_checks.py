"""What dynamic registration accepts from a platform's configuration, and launches after it."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.lti.registration import check_platform, issuer_matches
from tests.lti_pathing.lti.conftest import PlatformServices
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform

MOODLE = Path(__file__).parents[2] / "fixtures/moodle-4.5/lti/openid-configuration.json"
MOODLE_CONFIG_URL = "http://127.0.0.1:8080/mod/lti/openid-configuration.php"


@pytest.mark.parametrize(
    ("issuer", "config_url", "matches"),
    [
        ("https://moodle.example.edu", "https://moodle.example.edu/mod/lti/x.php", True),
        ("https://moodle.example.edu:443/moodle", "https://MOODLE.example.edu/moodle/x", True),
        ("https://moodle.example.edu", "https://evil.example/openid", False),
        ("https://moodle.example.edu", "https://moodle.example.edu:8443/openid", False),
        ("https://canvas.instructure.com", "https://school.instructure.com/api/lti/x", True),
        ("https://canvas.instructure.com", "https://evil.example/openid", False),
        ("https://canvas.instructure.com", "https://instructure.com.evil.example/x", False),
    ],
)  # fmt: skip
def test_the_issuer_must_be_on_the_configuration_urls_host(
    issuer: str, config_url: str, matches: bool
) -> None:
    assert issuer_matches(issuer, config_url) is matches


def test_moodles_recorded_configuration_passes_in_development_only(app: Flask) -> None:
    openid = json.loads(MOODLE.read_text())  # issuer and every endpoint on http://127.0.0.1:8080
    with app.app_context():
        check_platform(openid, MOODLE_CONFIG_URL)
        app.config["DEV_LOOPBACK_PLATFORMS"] = False
        with pytest.raises(Invalid, match=r"issuer is refused: .* is not an https URL"):
            check_platform(openid, MOODLE_CONFIG_URL)


@pytest.mark.parametrize(
    ("scheme", "reason"), [("http", "is not an https URL"), ("https", "a loopback address")]
)
def test_a_key_set_inside_the_network_is_never_fetched_at_launch(
    app: Flask, session: Session, tenant: Any, platform_key: PlatformKey,
    platform_services: PlatformServices, scheme: str, reason: str,
) -> None:  # fmt: skip
    url = platform_services.url.replace("http", scheme, 1) + "/jwks"
    register_platform(session, tenant, key_set_url=url)
    app.config["DEV_LOOPBACK_PLATFORMS"] = False  # as deployed: 127.0.0.1 is inside
    response = LaunchingPlatform(app.test_client(), platform_key).launch()
    assert response.status_code == 400
    text = unescape(response.text)
    assert "key set URL is refused: " in text and reason in text
    assert platform_services.jwks_fetches == 0
