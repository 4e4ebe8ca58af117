"""The tool's own address (never the request's Host) and the security headers on responses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from lti_pathing import create_app
from lti_pathing.config import SettingsError
from lti_pathing.db import database
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform


@pytest.fixture
def platform_key() -> PlatformKey:
    """The test platform's signing key."""
    return PlatformKey.generate()


@pytest.fixture
def registration(session: Any, tenant: Any, platform_key: PlatformKey) -> Any:
    """The Moodle fixture's issuer/client registered with the `acme` tenant."""
    return register_platform(session, tenant, platform_key)


def login_redirect_uri(platform: LaunchingPlatform, **headers: str) -> tuple[int, str]:
    """Start an LTI login; (status, redirect_uri the tool sends the platform, or the page)."""
    response = platform.client.post(
        "/lti/login", base_url=platform.base_url, headers=headers,
        data={"iss": platform.issuer, "login_hint": "3", "client_id": platform.client_id,
              "target_link_uri": platform.base_url + "/lti/launch",
              "lti_deployment_id": platform.deployment_id, "lti1p3_new_window": "1"},
    )  # fmt: skip
    if response.status_code != 302:
        return response.status_code, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return 302, query["redirect_uri"][0]


def test_a_forged_host_is_refused_and_never_reaches_a_link(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    platform = LaunchingPlatform(app.test_client(), platform_key, base_url="http://evil.example")
    status, page = login_redirect_uri(platform)
    assert status == 400
    assert "not the tool" in page and "evil.example" not in page


def test_links_are_built_from_the_public_url(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    app.config["PUBLIC_URL"] = "https://tool.example.edu"
    platform = LaunchingPlatform(app.test_client(), platform_key,
                                 base_url="http://tool.example.edu")  # fmt: skip
    # Behind a proxy that does not say the request came over TLS: the link is still https.
    assert login_redirect_uri(platform) == (302, "https://tool.example.edu/lti/launch")
    forged = LaunchingPlatform(app.test_client(), platform_key, base_url="http://evil.example")
    assert login_redirect_uri(forged)[0] == 400
    local = LaunchingPlatform(app.test_client(), platform_key, base_url="http://localhost")
    assert login_redirect_uri(local)[0] == 400  # once configured, only the public host answers


def test_a_forwarded_host_is_checked_too(app: Flask) -> None:
    proxied = create_app({**app.config, "PROXY_COUNT": 1})  # behind one trusted proxy
    try:
        response = proxied.test_client().get("/", headers={"X-Forwarded-Host": "evil.example"})
    finally:
        database(proxied).engine.dispose()
    assert response.status_code == 400


def test_health_checks_answer_any_host(app: Flask) -> None:
    response = app.test_client().get("/healthz", base_url="http://10.1.2.3:8000")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "value", ["tool.example.edu", "https://tool.example.edu/lti", "ftp://tool.example.edu"]
)
def test_a_public_url_that_is_not_a_base_url_stops_the_start(value: str) -> None:
    with pytest.raises(SettingsError, match="LTI_PATHING_PUBLIC_URL"):
        create_app({"PUBLIC_URL": value, "DATABASE_URL": "sqlite://", "SECRET_KEY": "k" * 32})


def directives(response: Any) -> dict[str, str]:
    """The response's Content-Security-Policy, by directive."""
    policy = response.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


def test_every_response_has_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/healthz", "/static/app.css", "/no-such-page"):
        response = client.get(path)
        response.close()  # the static file's handle
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert directives(response)["script-src"] == "'self'", path
        assert "Strict-Transport-Security" not in response.headers, path
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_only_the_registered_platforms_may_frame_the_tool(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    anonymous = directives(app.test_client().get("/"))["frame-ancestors"].split()
    assert anonymous == ["'self'", "http://127.0.0.1:8080"]  # the Moodle fixture's issuer
    platform = LaunchingPlatform(app.test_client(), platform_key)
    assert platform.launch().status_code == 302
    home = platform.client.get("/")
    assert directives(home)["frame-ancestors"].split() == ["'self'", "http://127.0.0.1:8080"]


def test_canvas_cloud_frames_from_school_domains(app: Flask, session: Any, tenant: Any) -> None:
    from lti_pathing.lti.platforms import PlatformService, PlatformSpec

    PlatformService(session, tenant).add_platform(PlatformSpec(
        issuer="https://canvas.instructure.com", client_id="10000000000001", name="Canvas",
        auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
        auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
        key_set_url="https://sso.canvaslms.com/api/lti/security/jwks", deployment_ids=["1:abc"],
    ))  # fmt: skip
    session.flush()
    ancestors = directives(app.test_client().get("/"))["frame-ancestors"].split()
    assert "https://*.instructure.com" in ancestors
    assert "https://canvas.instructure.com" in ancestors


TEMPLATES = Path(__file__).parents[2] / "src/lti_pathing/templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_no_page_of_the_tool_carries_inline_script() -> None:
    """The policy refuses inline script: a page that had some would silently stop working."""
    found = {
        str(path.relative_to(TEMPLATES)): INLINE_SCRIPT.findall(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


INLINE_STYLE = re.compile(r"<style\b|<[a-z][^<>]*?\sstyle\s*=\s*[\"']", re.IGNORECASE)


def test_no_page_of_the_tool_carries_inline_style() -> None:
    """`style-src 'self'` refuses style attributes too: the team heat map lost its colours so."""
    found = {
        str(path.relative_to(TEMPLATES)): INLINE_STYLE.findall(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_a_canvas_school_on_its_own_domain_frames_once_its_lms_is_connected(
    app: Flask, session: Any, tenant: Any
) -> None:
    from lti_pathing import crypto
    from lti_pathing.models import Lms, LmsConnection

    with app.app_context():
        token = crypto.encrypt("secret-token")
    session.add(LmsConnection(tenant_id=tenant.id, kind=Lms.canvas,
                              base_url="https://canvas.school.example/", token_encrypted=token,
                              token_hint="…oken"))  # fmt: skip
    session.flush()
    ancestors = directives(app.test_client().get("/"))["frame-ancestors"].split()
    assert "https://canvas.school.example" in ancestors


def test_framing_origins_follow_registrations_committed_after_they_were_cached(
    app: Flask, registration: Any, platform_key: PlatformKey, make_tenant: Any
) -> None:
    from lti_pathing.db import transaction
    from lti_pathing.lti.platforms import PlatformService
    from lti_pathing.models import PlatformRegistration, Tenant

    def ancestors(client: Any) -> list[str]:
        return directives(client.get("/"))["frame-ancestors"].split()

    anyone = app.test_client()
    assert ancestors(anyone) == ["'self'", "http://127.0.0.1:8080"]  # now cached
    other = make_tenant("other")
    with transaction(app) as work:  # another tenant's platform, committed as the CLI does
        register_platform(work, work.get_one(Tenant, other.id), None,
                          issuer="https://lms.other.example", key_set_url="https://lms.other.example/jwks",
                          auth_login_url="https://lms.other.example/auth")  # fmt: skip
    assert ancestors(anyone) == ["'self'", "http://127.0.0.1:8080", "https://lms.other.example"]
    platform = LaunchingPlatform(app.test_client(), platform_key)
    assert platform.launch().status_code == 302
    # Signed in to acme: only acme's platform, though the other tenant's is cached for anyone.
    assert ancestors(platform.client) == ["'self'", "http://127.0.0.1:8080"]
    with transaction(app) as work:  # acme's platform switched off
        row = work.get_one(PlatformRegistration, registration.id)
        PlatformService(work, work.get_one(Tenant, row.tenant_id)).set_platform_active(row, False)
    assert ancestors(anyone) == ["'self'", "https://lms.other.example"]
