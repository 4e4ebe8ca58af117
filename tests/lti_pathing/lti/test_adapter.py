"""The three pylti1p3 Flask-layer defects the adapter fixes, and platform key sets over HTTP."""

from __future__ import annotations

import threading
from html import unescape
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from flask import Flask
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.contrib.flask.service_connector import FlaskServiceConnector
from sqlalchemy.orm import Session

from lti_pathing.cache import shared_cache
from lti_pathing.lti import adapter
from lti_pathing.lti.keys import key_service
from lti_pathing.lti.tool_conf import DatabaseToolConf
from tests.lti_pathing.lti.conftest import PlatformServices
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform
from tests.lti_pathing.lti.test_launch import actor_of

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _launch_with_nrps(
    app: Flask, session: Session, tenant: Any, key: PlatformKey, services: PlatformServices
) -> str:
    register_platform(session, tenant, key, client_id="c1", auth_token_url=services.url + "/token")
    platform = LaunchingPlatform(app.test_client(), key, client_id="c1")
    nrps = {"context_memberships_url": services.url + "/nrps", "service_versions": ["2.0"]}
    assert platform.launch(**{NRPS_CLAIM: nrps}).status_code == 302
    actor = actor_of(platform)
    assert actor is not None
    return str(actor["launch"]["launch_id"])


def test_a_restored_launch_calls_nrps_with_a_token_from_the_platform(
    app: Flask,
    session: Session,
    tenant: Any,
    platform_key: PlatformKey,
    platform_services: PlatformServices,
) -> None:
    launch_id = _launch_with_nrps(app, session, tenant, platform_key, platform_services)

    with app.test_request_context("/"):
        restored = adapter.restore_launch(launch_id)
        members = restored.get_nrps().get_members()
        kid = key_service().signing_key().kid
        jwks = key_service().jwks()

    assert [m["user_id"] for m in members][:2] == ["3", "4"]
    assert platform_services.bearers == ["Bearer token-c1-1"]
    # The tool signed its client assertion with its current key, verifiable from its JWKS.
    (request,) = platform_services.token_requests
    assertion = request["client_assertion"]
    assert jwt.get_unverified_header(assertion)["kid"] == kid
    public = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(assertion, public, algorithms=["RS256"],
                        audience=platform_services.url + "/token")  # fmt: skip
    assert claims["iss"] == claims["sub"] == "c1"
    assert request["scope"] == NRPS_SCOPE


def test_the_librarys_own_from_cache_loses_the_connector(
    app: Flask,
    session: Session,
    tenant: Any,
    platform_key: PlatformKey,
    platform_services: PlatformServices,
) -> None:
    """Pins upstream defect 1: if this starts passing, the adapter's fix can go."""
    launch_id = _launch_with_nrps(app, session, tenant, platform_key, platform_services)

    with app.test_request_context("/"):
        plain = FlaskMessageLaunch.from_cache(
            launch_id,
            FlaskRequest(),
            adapter.tool_conf(),
            launch_data_storage=adapter.data_storage(),
        )
        with pytest.raises(NotImplementedError):
            plain.get_nrps().get_members()


def test_login_first_checks_cookies_with_a_page_offering_a_new_window(
    platform: LaunchingPlatform,
) -> None:
    response = platform.login_response()

    assert response.status_code == 200
    assert "Open lti-pathing in a new window" in response.text
    link = unescape(response.text.split('id="lti-open-window" href="')[1].split('"')[0])
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert urlsplit(link).path == "/lti/login"
    assert query["lti1p3_new_window"] == "1"
    assert query["iss"] == platform.issuer and query["login_hint"] == "3"
    assert query["client_id"] == platform.client_id
    # Pins upstream defect 2: the wheel ships no template for its own cookie check.
    shipped = [p.name for p in _walk(resources.files("pylti1p3"))]
    assert "cookies_allowed_js_check.html" not in shipped


def _walk(folder: Any) -> list[Any]:
    found = []
    for entry in folder.iterdir():
        found += _walk(entry) if entry.is_dir() else [entry]
    return found


def test_two_client_ids_of_one_issuer_never_share_an_access_token(
    app: Flask,
    session: Session,
    tenant: Any,
    platform_key: PlatformKey,
    platform_services: PlatformServices,
) -> None:
    token_url = platform_services.url + "/token"
    school_a = register_platform(
        session, tenant, platform_key, client_id="a", auth_token_url=token_url
    )
    school_b = register_platform(
        session, tenant, platform_key, client_id="b", auth_token_url=token_url
    )

    with app.app_context():
        first_a = adapter.service_connector(school_a).get_access_token([NRPS_SCOPE])
        first_b = adapter.service_connector(school_b).get_access_token([NRPS_SCOPE])
        again_a = adapter.service_connector(school_a).get_access_token([NRPS_SCOPE])
        key = adapter.service_connector(school_a)._scope_key([NRPS_SCOPE])
        cached = shared_cache().get(adapter.TOKEN_KEY_PREFIX + key)

    assert (first_a, first_b, again_a) == ("token-a-1", "token-b-2", "token-a-1")
    assert len(platform_services.token_requests) == 2
    assert cached == "token-a-1"  # in the shared cache ...
    assert FlaskServiceConnector.access_tokens == {}  # ... not in a process dict


def test_the_platform_key_set_is_fetched_cached_and_refetched_for_a_new_kid(
    app: Flask,
    session: Session,
    tenant: Any,
    platform_key: PlatformKey,
    platform_services: PlatformServices,
) -> None:
    register_platform(
        session, tenant, None, client_id="c2", key_set_url=platform_services.url + "/jwks"
    )
    platform = LaunchingPlatform(app.test_client(), platform_key, client_id="c2")
    assert platform.launch().status_code == 302
    assert platform.launch().status_code == 302
    assert platform_services.jwks_fetches == 1

    rotated = PlatformKey.generate("rotated")
    platform_services.jwks = rotated.jwks()
    assert LaunchingPlatform(platform.client, rotated, client_id="c2").launch().status_code == 302
    assert platform_services.jwks_fetches == 2


def test_a_storm_of_launches_meeting_an_expired_key_set_fetches_it_once(
    app: Flask,
    session: Session,
    tenant: Any,
    platform_key: PlatformKey,
    platform_services: PlatformServices,
) -> None:
    url = platform_services.url + "/jwks"
    register_platform(session, tenant, None, client_id="c3", key_set_url=url)
    platform_services.jwks_delay = 0.3  # long enough for every launch to find the cache empty
    found: list[Any] = []

    def launch_needs_the_key_set() -> None:
        with app.test_request_context("/lti/launch", method="POST"):
            # Each thread its own launch; no database work (the test's one connection).
            conf = DatabaseToolConf(session, key_service(session).signing_key)
            launch = adapter.ToolMessageLaunch(adapter.lti_request(), conf)
            launch.set_public_key_caching(adapter.data_storage(), adapter.KEY_SET_TTL_SECONDS)
            found.append(launch.fetch_public_key(url))

    storm = [threading.Thread(target=launch_needs_the_key_set) for _ in range(8)]
    for thread in storm:
        thread.start()
    for thread in storm:
        thread.join(timeout=30)
    assert found == [platform_key.jwks()] * 8
    assert platform_services.jwks_fetches == 1
