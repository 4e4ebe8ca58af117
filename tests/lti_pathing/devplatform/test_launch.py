"""OIDC third-party initiated login, the authorization endpoint and the signed id_token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from flask.testing import FlaskClient

from lti_pathing.devplatform.config import PlatformConfig
from tests.support.servers import forms

LEARNER_SUB = "dev-user-73566"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def start_login(
    lms: FlaskClient, sub: str = LEARNER_SUB, path: str = "/launch/link-1"
) -> dict[str, str]:
    """Sign in as `sub`, open a link; the query the tool's login URL receives."""
    lms.get(f"/as/{sub}")
    response = lms.get(path)
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}


def auth_params(login: dict[str, str], config: PlatformConfig, **changes: str) -> dict[str, str]:
    """The authentication request a tool answers a login with."""
    params = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": login["client_id"], "redirect_uri": login["target_link_uri"],
        "login_hint": login["login_hint"], "lti_message_hint": login["lti_message_hint"],
        "state": "state-1", "nonce": "nonce-1",
    }  # fmt: skip
    params.update(changes)
    return params


def id_token(lms: FlaskClient, params: dict[str, str], config: PlatformConfig) -> dict[str, Any]:
    """Send the authentication request; decode and verify the auto-posted id_token."""
    response = lms.post("/auth", data=params)
    assert response.status_code == 200, response.text
    form = forms(response.text)[0]
    assert form["action"] == params["redirect_uri"]
    assert form["fields"]["state"] == params["state"]
    jwks = lms.get("/.well-known/jwks.json").json
    key = jwt.PyJWK(jwks["keys"][0])
    claims: dict[str, Any] = jwt.decode(
        form["fields"]["id_token"], key, algorithms=["RS256"], audience=params["client_id"]
    )
    assert jwt.get_unverified_header(form["fields"]["id_token"])["kid"] == key.key_id
    return claims


def test_login_initiation_sends_every_oidc_parameter(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    login = start_login(lms)
    assert login["iss"] == "http://localhost"
    assert login["login_hint"] == LEARNER_SUB
    assert login["client_id"] == "client-a"
    assert login["lti_deployment_id"] == "deploy-a"
    assert login["target_link_uri"] == config.clients[0].tool.launch
    assert login["lti_message_hint"]


def test_launch_id_token_carries_the_person_course_and_services(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    claims = id_token(lms, auth_params(start_login(lms), config), config)
    assert claims["iss"] == "http://localhost"
    assert claims["sub"] == LEARNER_SUB
    assert claims["nonce"] == "nonce-1"
    assert claims["email"] == "kenji.mwangi@example.com"
    assert claims[CLAIM + "message_type"] == "LtiResourceLinkRequest"
    assert claims[CLAIM + "version"] == "1.3.0"
    assert claims[CLAIM + "deployment_id"] == "deploy-a"
    assert claims[CLAIM + "resource_link"]["id"] == "link-1"
    assert claims[CLAIM + "context"]["id"] == config.course.id
    assert any(r.endswith("membership#Learner") for r in claims[CLAIM + "roles"])
    assert claims[CLAIM + "custom"]["canvas_user_id"] == "73566"
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitems"] == "http://localhost/api/lti/client-a/course-101/lineitems"
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["context_memberships_url"].endswith("/api/lti/client-a/course-101/memberships")


def test_a_link_of_the_second_client_launches_with_its_client_id(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    claims = id_token(lms, auth_params(start_login(lms, path="/launch/link-2"), config), config)
    assert claims["aud"] == "client-b"
    assert claims[CLAIM + "deployment_id"] == "deploy-b"


def refused(lms: FlaskClient, params: dict[str, str]) -> tuple[int, str]:
    response = lms.post("/auth", data=params)
    assert 'name="id_token"' not in response.text
    return response.status_code, response.text


def test_authorization_refuses_an_unregistered_redirect_uri(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    params = auth_params(start_login(lms), config, redirect_uri="http://127.0.0.1:1/steal")
    assert refused(lms, params)[0] == 400


def test_authorization_refuses_a_missing_nonce_or_state(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    assert refused(lms, auth_params(start_login(lms), config, nonce=""))[0] == 400
    assert refused(lms, auth_params(start_login(lms), config, state=""))[0] == 400


def test_message_hint_is_single_use(lms: FlaskClient, config: PlatformConfig) -> None:
    params = auth_params(start_login(lms), config)
    id_token(lms, params, config)
    status, text = refused(lms, params)
    assert status == 400 and "already used" in text


def test_authorization_refuses_another_user_or_client(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    login = start_login(lms)
    assert refused(lms, auth_params(login, config, login_hint="dev-user-20478"))[0] == 400
    login = start_login(lms)
    assert refused(lms, auth_params(login, config, client_id="client-b"))[0] == 400
    login = start_login(lms)
    lms.get("/as/dev-user-20478")  # someone else signs in on this browser meanwhile
    assert refused(lms, auth_params(login, config))[0] == 403


def test_wrong_response_type_and_unknown_client_are_refused(
    lms: FlaskClient, config: PlatformConfig
) -> None:
    assert refused(lms, auth_params(start_login(lms), config, response_type="code"))[0] == 400
    assert refused(lms, auth_params(start_login(lms), config, client_id="nope"))[0] == 400


def test_home_and_course_pages_look_like_an_lms(lms: FlaskClient) -> None:
    home = lms.get("/").text
    assert "Kenji Mwangi" in home and "L&amp;D admin" in home
    assert lms.get("/course").status_code == 302  # nobody picked yet
    lms.get(f"/as/{LEARNER_SUB}")
    page = lms.get("/course?link=link-1").text
    assert '<iframe src="/launch/link-1"' in page
