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
    client: FlaskClient, sub: str = LEARNER_SUB, path: str = "/launch/link-1"
) -> dict[str, str]:
    """Sign in as `sub`, open a link; the query the tool's login URL receives."""
    client.get(f"/as/{sub}")
    response = client.get(path)
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


def id_token(client: FlaskClient, params: dict[str, str], config: PlatformConfig) -> dict[str, Any]:
    """Send the authentication request; decode and verify the auto-posted id_token."""
    response = client.post("/auth", data=params)
    assert response.status_code == 200, response.text
    form = forms(response.text)[0]
    assert form["action"] == params["redirect_uri"]
    assert form["fields"]["state"] == params["state"]
    jwks = client.get("/.well-known/jwks.json").json
    key = jwt.PyJWK(jwks["keys"][0])
    claims: dict[str, Any] = jwt.decode(
        form["fields"]["id_token"], key, algorithms=["RS256"], audience=params["client_id"]
    )
    assert jwt.get_unverified_header(form["fields"]["id_token"])["kid"] == key.key_id
    return claims


def test_login_initiation_sends_every_oidc_parameter(
    client: FlaskClient, config: PlatformConfig
) -> None:
    login = start_login(client)
    assert login["iss"] == "http://localhost"
    assert login["login_hint"] == LEARNER_SUB
    assert login["client_id"] == "client-a"
    assert login["lti_deployment_id"] == "deploy-a"
    assert login["target_link_uri"] == config.clients[0].tool.launch
    assert login["lti_message_hint"]


def test_launch_id_token_carries_the_person_course_and_services(
    client: FlaskClient, config: PlatformConfig
) -> None:
    claims = id_token(client, auth_params(start_login(client), config), config)
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
    client: FlaskClient, config: PlatformConfig
) -> None:
    claims = id_token(
        client, auth_params(start_login(client, path="/launch/link-2"), config), config
    )
    assert claims["aud"] == "client-b"
    assert claims[CLAIM + "deployment_id"] == "deploy-b"


def refused(client: FlaskClient, params: dict[str, str]) -> tuple[int, str]:
    response = client.post("/auth", data=params)
    assert 'name="id_token"' not in response.text
    return response.status_code, response.text


def test_authorization_refuses_an_unregistered_redirect_uri(
    client: FlaskClient, config: PlatformConfig
) -> None:
    params = auth_params(start_login(client), config, redirect_uri="http://127.0.0.1:1/steal")
    assert refused(client, params)[0] == 400


def test_authorization_refuses_a_missing_nonce_or_state(
    client: FlaskClient, config: PlatformConfig
) -> None:
    assert refused(client, auth_params(start_login(client), config, nonce=""))[0] == 400
    assert refused(client, auth_params(start_login(client), config, state=""))[0] == 400


def test_message_hint_is_single_use(client: FlaskClient, config: PlatformConfig) -> None:
    params = auth_params(start_login(client), config)
    id_token(client, params, config)
    status, text = refused(client, params)
    assert status == 400 and "already used" in text


def test_authorization_refuses_another_user_or_client(
    client: FlaskClient, config: PlatformConfig
) -> None:
    login = start_login(client)
    assert refused(client, auth_params(login, config, login_hint="dev-user-20478"))[0] == 400
    login = start_login(client)
    assert refused(client, auth_params(login, config, client_id="client-b"))[0] == 400
    login = start_login(client)
    client.get("/as/dev-user-20478")  # someone else signs in on this browser meanwhile
    assert refused(client, auth_params(login, config))[0] == 403


def test_wrong_response_type_and_unknown_client_are_refused(
    client: FlaskClient, config: PlatformConfig
) -> None:
    assert refused(client, auth_params(start_login(client), config, response_type="code"))[0] == 400
    assert refused(client, auth_params(start_login(client), config, client_id="nope"))[0] == 400


def test_home_and_course_pages_look_like_an_lms(client: FlaskClient) -> None:
    home = client.get("/").text
    assert "Kenji Mwangi" in home and "L&amp;D admin" in home
    assert client.get("/course").status_code == 302  # nobody picked yet
    client.get(f"/as/{LEARNER_SUB}")
    page = client.get("/course?link=link-1").text
    assert '<iframe src="/launch/link-1"' in page
