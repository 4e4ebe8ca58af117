"""Dynamic registration, Moodle- and Canvas-style, against the development platform over HTTP."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_pathing.db import session as db_session
from lti_pathing.lti.registration import MAX_ATTEMPTS, invite_url
from lti_pathing.models import PlatformRegistration
from tests.lti_pathing.integration.conftest import LtiServers
from tests.support.servers import Browser, LiveServer

LEARNER = "dev-user-73566"
SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
CANVAS_SITE_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin"
CANVAS = "https://canvas.instructure.com/lti/"


def register(servers: LtiServers, browser: Browser, flavour: str) -> tuple[str, str]:
    """Run the platform's registration page with the tool's link; (new client id, tool page)."""
    with servers.tool_app.app_context():
        link = invite_url(servers.tool.url, "acme")
    before = {c.client_id for c in servers.state.config.clients}
    page = browser.get(f"{servers.platform.url}/register/start",
                       params={"flavour": flavour, "tool_url": link})  # fmt: skip
    frame = re.search(r'<iframe src="([^"]+)"', page.text)
    assert frame is not None
    answer = browser.get(html.unescape(frame.group(1)))
    assert answer.status_code == 200, answer.text
    (client_id,) = {c.client_id for c in servers.state.config.clients} - before
    return client_id, answer.text


def closes_the_window(page: str) -> bool:
    """The page runs the script that posts `org.imsglobal.lti.close` to the LMS."""
    return '<script src="/static/js/registered.js"></script>' in page


def test_the_closing_script_tells_the_lms_to_close(lti_servers: LtiServers) -> None:
    script = Browser().get(f"{lti_servers.tool.url}/static/js/registered.js")
    assert script.status_code == 200 and 'subject: "org.imsglobal.lti.close"' in script.text


def registration_row(servers: LtiServers, client_id: str) -> PlatformRegistration:
    with servers.tool_app.app_context():
        row = db_session().scalar(
            select(PlatformRegistration).where(PlatformRegistration.client_id == client_id)
        )
        assert row is not None
        row.deployments  # noqa: B018  (load while the session is open)
        return row


def link_of(servers: LtiServers, client_id: str) -> str:
    return next(link.id for link in servers.state.links.values() if link.client_id == client_id)


def test_moodle_registration_records_the_deployment_and_launches(
    lti_servers: LtiServers, browser: Browser
) -> None:
    client_id, page = register(lti_servers, browser, "moodle")
    assert closes_the_window(page)
    row = registration_row(lti_servers, client_id)
    deployment = lti_servers.state.client(client_id).deployment_id  # type: ignore[union-attr]
    assert [d.deployment_id for d in row.deployments] == [deployment]
    assert not row.deployment_pending and row.issuer == lti_servers.platform.url
    assert row.admin_roles == [SYSTEM_ADMIN]  # a Moodle site admin is admin out of the box
    sent = lti_servers.state.registrations[-1].request
    assert sent["initiate_login_uri"] == f"{lti_servers.tool.url}/lti/login"
    assert [
        m["type"]
        for m in sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"]
    ] == ["LtiDeepLinkingRequest"]
    launched = lti_servers.launch(Browser(), LEARNER, link_of(lti_servers, client_id))
    assert launched.status_code == 200 and "Welcome, Kenji Mwangi" in launched.text


def test_canvas_registration_asks_for_the_developer_keys_placements(
    lti_servers: LtiServers, browser: Browser
) -> None:
    client_id, page = register(lti_servers, browser, "canvas")
    assert closes_the_window(page)
    sent = lti_servers.state.registrations[-1].request
    tool = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert tool["custom_parameters"]["canvas_user_id"] == "$Canvas.user.id"
    # The manual developer key's placements, each its own message, in Canvas's extension names.
    assert [(m["type"], m["placements"], m["label"]) for m in tool["messages"]] == [
        ("LtiResourceLinkRequest", [CANVAS + "course_navigation"], "Career plan"),
        ("LtiResourceLinkRequest", [CANVAS + "account_navigation"], "Career pathing (admin)"),
        ("LtiResourceLinkRequest", [CANVAS + "user_navigation"], "My career plan"),
        ("LtiDeepLinkingRequest", [CANVAS + "link_selection"], "My career plan"),
    ]
    # What Canvas granted is stored, shown, and what to check on Canvas's review screen said.
    row = registration_row(lti_servers, client_id)
    assert row.outcome() == {
        "scopes": {"granted": sent["scope"].split(), "refused": []},
        "placements": {"granted": ["course_navigation", "account_navigation",
                                   "user_navigation", "link_selection"],
                       "refused": [], "not_offered": []},
    }  # fmt: skip
    text = html.unescape(page)
    assert "Career plan in every course's navigation" in text and 'id="canvas-review"' in page
    assert row.admin_roles == [CANVAS_SITE_ADMIN]  # not any Canvas account role
    # Canvas answers with its root account's deployment, beside the tool configuration.
    deployment = lti_servers.state.client(client_id).deployment_id  # type: ignore[union-attr]
    assert not row.deployment_pending
    assert [d.deployment_id for d in row.deployments] == [deployment]
    launched = lti_servers.launch(Browser(), LEARNER, link_of(lti_servers, client_id))
    assert launched.status_code == 200 and "Welcome, Kenji Mwangi" in launched.text


@pytest.mark.parametrize("invite", ["", "forged.token.value"])
def test_registration_without_a_valid_link_is_refused(
    lti_servers: LtiServers, browser: Browser, invite: str
) -> None:
    before = len(lti_servers.state.registrations)
    configuration = f"{lti_servers.platform.url}/.well-known/openid-configuration/moodle"
    params = {"invite": invite, "openid_configuration": configuration, "registration_token": "x"}
    page = browser.get(f"{lti_servers.tool.url}/lti/register", params=params)
    assert page.status_code == 403
    assert "registration-link" in page.text
    assert len(lti_servers.state.registrations) == before


def test_registration_with_a_used_token_says_what_the_platform_answered(
    lti_servers: LtiServers, browser: Browser
) -> None:
    with lti_servers.tool_app.app_context():
        link = invite_url(lti_servers.tool.url, "acme")
    configuration = f"{lti_servers.platform.url}/.well-known/openid-configuration/canvas"
    params = {"openid_configuration": configuration, "registration_token": "never-issued"}
    page = browser.get(link, params=params)
    assert page.status_code == 422
    assert "answered 401" in page.text


def test_a_registration_link_registers_once_and_a_second_use_is_refused(
    lti_servers: LtiServers, browser: Browser
) -> None:
    with lti_servers.tool_app.app_context():
        link = invite_url(lti_servers.tool.url, "acme")

    def open_link() -> tuple[int, str]:
        page = browser.get(f"{lti_servers.platform.url}/register/start",
                           params={"flavour": "moodle", "tool_url": link})  # fmt: skip
        frame = re.search(r'<iframe src="([^"]+)"', page.text)
        assert frame is not None
        answer = browser.get(html.unescape(frame.group(1)))
        return answer.status_code, html.unescape(answer.text)

    first = open_link()
    assert first[0] == 200 and closes_the_window(first[1])
    registered = len(lti_servers.state.registrations)

    status, text = open_link()
    assert status == 400
    assert "This registration link has already been used" in text
    assert len(lti_servers.state.registrations) == registered


# Hostile registrations: the link is opened by whoever holds it, with URLs of their choosing.

SECRET = "internal-secret-4f1c"


@pytest.fixture(scope="module")
def fake_platform() -> Iterator[tuple[LiveServer, dict[str, Any]]]:
    """A "platform" on 127.0.0.1 whose configuration a test shapes; it also serves a secret."""
    served: dict[str, Any] = {}
    app = Flask("fake-platform")

    @app.get("/config")
    def config() -> Any:
        return served["config"]

    @app.get("/internal")
    def internal() -> tuple[str, int]:
        return f"<h1>admin console</h1><p>{SECRET}</p>", 500

    @app.get("/redirect")
    def redirect_inside() -> tuple[str, int, dict[str, str]]:
        return "", 302, {"Location": "http://10.0.0.7/latest/meta-data/"}

    server = LiveServer("localhost").start(app)
    yield server, served
    server.stop()


def open_register(servers: LtiServers, browser: Browser, config_url: str) -> tuple[int, str]:
    """Open a fresh registration link with this configuration URL; (status, page text)."""
    with servers.tool_app.app_context():
        link = invite_url(servers.tool.url, "acme")
    page = browser.get(link, params={"openid_configuration": config_url,
                                     "registration_token": "t"})  # fmt: skip
    return page.status_code, html.unescape(page.text)


@contextmanager
def production(servers: LtiServers) -> Iterator[None]:
    """The tool as deployed: no development exception for platforms on this machine."""
    servers.tool_app.config["DEV_LOOPBACK_PLATFORMS"] = False
    try:
        yield
    finally:
        servers.tool_app.config["DEV_LOOPBACK_PLATFORMS"] = True


def test_a_configuration_url_over_http_or_inside_is_refused_in_production(
    lti_servers: LtiServers, browser: Browser, fake_platform: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, _ = fake_platform
    before = len(lti_servers.state.registrations)
    with production(lti_servers):
        status, text = open_register(lti_servers, browser, f"{server.url}/internal")
        assert status == 422 and "is not an https URL" in text and SECRET not in text
        https_inside = server.url.replace("http://", "https://") + "/internal"
        status, text = open_register(lti_servers, browser, https_inside)
        assert status == 422 and "leads to a loopback address" in text
    assert len(lti_servers.state.registrations) == before


def test_what_an_internal_url_answers_is_never_shown(
    lti_servers: LtiServers, browser: Browser, fake_platform: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, _ = fake_platform
    status, text = open_register(lti_servers, browser, f"{server.url}/internal")
    assert status == 422 and "answered 500" in text
    assert SECRET not in text and "admin console" not in text


def test_a_closed_port_and_an_open_one_fail_alike(
    lti_servers: LtiServers, browser: Browser
) -> None:
    closed = LiveServer("localhost")
    url = f"{closed.url}/config"
    closed.server.server_close()  # never served: the port is now closed
    status, text = open_register(lti_servers, browser, url)
    assert status == 422 and "Could not reach the platform" in text
    assert "refused" not in text.lower() and "Errno" not in text


def test_a_redirect_to_an_inside_address_is_not_followed(
    lti_servers: LtiServers, browser: Browser, fake_platform: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, _ = fake_platform
    status, text = open_register(lti_servers, browser, f"{server.url}/redirect")
    assert status == 422 and "The tool will not call" in text and "10.0.0.7" in text


def test_an_issuer_on_another_host_is_refused(
    lti_servers: LtiServers, browser: Browser, fake_platform: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, served = fake_platform
    served["config"] = moodle_like(lti_servers.platform.url, server.url)
    status, text = open_register(lti_servers, browser, f"{server.url}/config")
    assert status == 422
    assert "The platform's issuer is not on the host of its configuration URL" in text
    assert lti_servers.platform.url not in text  # nothing the platform sent is shown


def test_a_key_set_inside_the_network_is_refused(
    lti_servers: LtiServers, browser: Browser, fake_platform: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, served = fake_platform
    served["config"] = {**moodle_like(server.url, server.url),
                        "jwks_uri": "https://169.254.169.254/latest/meta-data/"}  # fmt: skip
    before = len(lti_servers.state.registrations)
    status, text = open_register(lti_servers, browser, f"{server.url}/config")
    assert status == 422
    assert "jwks_uri is refused: 169.254.169.254 leads to a link-local address" in text
    assert len(lti_servers.state.registrations) == before


def test_a_link_allows_a_few_failed_attempts_then_none(
    lti_servers: LtiServers, browser: Browser, fake_platform: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, _ = fake_platform
    with lti_servers.tool_app.app_context():
        link = invite_url(lti_servers.tool.url, "acme")
    params = {"openid_configuration": f"{server.url}/internal", "registration_token": "t"}
    answers = [browser.get(link, params=params) for _ in range(MAX_ATTEMPTS + 1)]
    assert [a.status_code for a in answers] == [422] * MAX_ATTEMPTS + [400]
    assert f"tried {MAX_ATTEMPTS} times without success" in html.unescape(answers[-1].text)


def moodle_like(issuer: str, base: str) -> dict[str, Any]:
    """An OpenID configuration shaped like Moodle's, with this issuer and endpoints under base."""
    return {
        "issuer": issuer, "authorization_endpoint": f"{base}/auth",
        "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks",
        "registration_endpoint": f"{base}/register",
    }  # fmt: skip
