"""Logins that keep their state in the platform (lti_storage_target), as Canvas offers them.

The page scripts are played here by the test (what they would store and read back); the browser
tier runs them for real in Chromium (tests/browser/test_platform_storage.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.lti.platform_storage import NOT_CONFIRMED, origin_of
from lti_pathing.models import PlatformDeployment
from tests.lti_pathing.lti.launching import (
    CLIENT_ID,
    INSTRUCTOR,
    LaunchingPlatform,
    PlatformKey,
    register_platform,
    storage_settings,
)
from tests.lti_pathing.lti.test_launch import actor_of, counts

CANVAS_LOGIN = json.loads(
    (Path(__file__).parents[2] / "fixtures/canvas/lti/login_storage_target.json").read_text()
)
CANVAS_AUTH = "https://sso.canvaslms.com/api/lti/authorize_redirect"
DEEP_LINKING = "LtiDeepLinkingRequest"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def _cookies(response: Any) -> list[str]:
    return [c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")]


def test_a_canvas_login_with_a_storage_target_gets_the_storage_page_and_no_state_cookie(
    app: Flask, session: Session, tenant: Any, platform_key: PlatformKey
) -> None:
    register_platform(session, tenant, platform_key, issuer=CANVAS_LOGIN["iss"],
                      client_id=CANVAS_LOGIN["client_id"], auth_login_url=CANVAS_AUTH,
                      deployment_ids=(CANVAS_LOGIN["deployment_id"],))  # fmt: skip
    form = {**CANVAS_LOGIN, "target_link_uri": "http://localhost/lti/launch"}
    response = app.test_client().post("/lti/login", data=form)
    assert response.status_code == 200
    assert not [c for c in _cookies(response) if c.startswith("lti1p3-state")]
    settings = storage_settings(response.text)
    # Messages go to Canvas's forwarding frame, addressed to its OIDC authorization origin.
    assert settings["origin"] == "https://sso.canvaslms.com"
    assert settings["target"] == "post_message_forwarding"
    auth = urlsplit(settings["auth-url"])
    query = {k: v[0] for k, v in parse_qs(auth.query).items()}
    assert f"{auth.scheme}://{auth.netloc}{auth.path}" == CANVAS_AUTH
    assert (query["state"], query["nonce"]) == (settings["state"], settings["nonce"])
    assert query["redirect_uri"] == "http://localhost/lti/launch"
    assert query["lti_message_hint"] == CANVAS_LOGIN["lti_message_hint"]
    # The way back to cookies repeats the login without the storage target (the page's
    # attributes are already unescaped: html.unescape would read "&lti_..." as "<i_...").
    fallback = parse_qs(urlsplit(settings["fallback-url"]).query)
    assert fallback["lti_message_hint"] == [CANVAS_LOGIN["lti_message_hint"]]
    assert "lti_storage_target" not in fallback
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.text  # the page's script is a static file


def test_the_fallback_takes_the_cookie_path(app: Flask, platform: LaunchingPlatform) -> None:
    settings = platform.storage_login()
    response = platform.client.get(settings["fallback-url"])
    assert response.status_code == 200 and 'id="lti-cookie-check"' in response.text


def test_a_target_that_is_no_frame_name_takes_the_cookie_path(platform: LaunchingPlatform) -> None:
    response = platform.login_response(lti_storage_target='x" onload="alert(1)')
    assert 'id="lti-cookie-check"' in response.text
    assert 'id="lti-platform-storage"' not in response.text


def test_the_launch_signs_nobody_in_until_the_platform_gives_the_values_back(
    platform: LaunchingPlatform, session: Session
) -> None:
    before = counts(session)
    response, settings = platform.storage_launch()
    assert response.status_code == 200, response.text
    assert settings["step"] == "launch" and settings["origin"] == origin_of(
        "http://127.0.0.1:8080/mod/lti/auth.php"
    )
    assert actor_of(platform) is None and counts(session) == before
    checked = platform.verify(settings)
    assert checked.status_code == 200, checked.text
    assert checked.json == {"location": "/"}
    actor = actor_of(platform)
    assert actor is not None and actor["launch"]["storage"] == "platform"


def test_values_from_another_browser_are_refused_and_the_check_is_spent(
    platform: LaunchingPlatform, session: Session
) -> None:
    before = counts(session)
    _, settings = platform.storage_launch()
    # Another browser's platform storage does not hold this login's state: it gives back none.
    refused = platform.verify(settings, state="", nonce="")
    assert refused.status_code == 400 and refused.json["message"] == NOT_CONFIRMED
    again = platform.verify(settings)
    assert again.status_code == 400 and "already used" in again.json["message"]
    assert actor_of(platform) is None and counts(session) == before


def test_a_check_that_is_not_the_tools_own_script_is_refused(platform: LaunchingPlatform) -> None:
    _, settings = platform.storage_launch()
    for origin in ("https://evil.example", None):
        response = platform.verify(settings, origin=origin)
        assert response.status_code == 400, response.text
        assert "must come from lti-pathing's page" in response.json["message"]
    form = platform.client.post(settings["verify-url"], data={"check": settings["check"]},
                                headers={"Origin": platform.base_url})  # fmt: skip
    assert form.status_code == 400 and actor_of(platform) is None
    assert platform.verify(settings).status_code == 200  # the check itself was not spent


def test_a_replayed_storage_launch_is_refused(platform: LaunchingPlatform) -> None:
    login = platform.storage_login()
    token = platform.key.sign(platform.claims(login["nonce"]))
    assert platform.post_launch(token, login["state"]).status_code == 200
    replay = platform.post_launch(token, login["state"])
    assert replay.status_code == 400


def test_without_any_cookie_between_login_and_launch_over_tls(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    logging_in = LaunchingPlatform(app.test_client(), platform_key, base_url="https://localhost")
    login = logging_in.storage_login()
    assert _cookies(logging_in.login_response(lti_storage_target="post_message_forwarding")) == []
    # The launch arrives from a browser that kept no cookie of the tool (Safari in the frame).
    launching = LaunchingPlatform(app.test_client(), platform_key, base_url="https://localhost")
    token = platform_key.sign(launching.claims(login["nonce"]))
    response = launching.post_launch(token, login["state"])
    assert response.status_code == 200, response.text
    checked = launching.verify(storage_settings(response.text))
    assert checked.status_code == 200, checked.text
    cookies = checked.headers.getlist("Set-Cookie")
    (session_cookie,) = [c for c in cookies if c.startswith("session=")]
    assert "Partitioned" in session_cookie and "SameSite=None" in session_cookie


def test_a_new_install_is_recorded_only_once_the_check_passed(
    platform: LaunchingPlatform, session: Session
) -> None:
    _, settings = platform.storage_launch(deployment_id="99:new-install")
    installs = select(PlatformDeployment.deployment_id)
    assert "99:new-install" not in session.scalars(installs).all()
    assert platform.verify(settings).status_code == 200
    assert "99:new-install" in session.scalars(installs).all()


def test_deep_linking_through_platform_storage(platform: LaunchingPlatform) -> None:
    wanted = {"deep_link_return_url": "https://lms.example.edu/deep-link/return",
              "accept_types": ["ltiResourceLink"],
              "accept_presentation_document_targets": ["iframe"]}  # fmt: skip
    _, settings = platform.storage_launch(message_type=DEEP_LINKING, roles=[INSTRUCTOR],
                                          resource_link=None, **{DL_SETTINGS: wanted})  # fmt: skip
    location = platform.verify(settings).json["location"]
    assert location.startswith("/lti/deep-link")
    page = platform.client.get(location)
    assert page.status_code == 200, page.text  # the launch is found again without a cookie key


def test_student_view_through_platform_storage_records_nobody(
    platform: LaunchingPlatform, session: Session
) -> None:
    before = counts(session)
    test_user = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
    response, settings = platform.storage_launch(roles=[test_user])
    assert response.status_code == 200 and 'id="student-view"' in response.text
    assert settings == {}
    assert counts(session) == before and actor_of(platform) is None


def test_the_login_names_the_client(platform: LaunchingPlatform) -> None:
    settings = platform.storage_login()
    query = parse_qs(urlsplit(settings["auth-url"]).query)
    assert query["client_id"] == [CLIENT_ID] and query["prompt"] == ["none"]


def test_a_storage_login_from_an_unknown_platform_is_refused(platform: LaunchingPlatform) -> None:
    response = platform.login_response(lti_storage_target="post_message_forwarding",
                                       iss="https://lms.unknown.example")  # fmt: skip
    assert response.status_code == 400 and "unknown issuer" in response.text
