"""Dynamic registration, Moodle- and Canvas-style, against the development platform over HTTP."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from lti_pathing.db import session as db_session
from lti_pathing.lti.registration import invite_url
from lti_pathing.models import PlatformRegistration
from tests.lti_pathing.integration.conftest import LtiServers
from tests.support.servers import Browser

LEARNER = "dev-user-73566"
SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
CANVAS_SITE_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin"


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
    assert "org.imsglobal.lti.close" in page
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


def test_canvas_registration_waits_for_the_first_launch_to_learn_the_deployment(
    lti_servers: LtiServers, browser: Browser
) -> None:
    client_id, page = register(lti_servers, browser, "canvas")
    assert "org.imsglobal.lti.close" in page
    row = registration_row(lti_servers, client_id)
    assert row.deployment_pending and row.deployments == []
    assert row.admin_roles == [CANVAS_SITE_ADMIN]  # not any Canvas account role
    sent = lti_servers.state.registrations[-1].request
    tool = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert tool["custom_parameters"]["canvas_user_id"] == "$Canvas.user.id"
    launched = lti_servers.launch(Browser(), LEARNER, link_of(lti_servers, client_id))
    assert launched.status_code == 200 and "Welcome, Kenji Mwangi" in launched.text
    row = registration_row(lti_servers, client_id)
    deployment = lti_servers.state.client(client_id).deployment_id  # type: ignore[union-attr]
    assert not row.deployment_pending
    assert [d.deployment_id for d in row.deployments] == [deployment]


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
    assert first[0] == 200 and "org.imsglobal.lti.close" in first[1]
    registered = len(lti_servers.state.registrations)

    status, text = open_link()
    assert status == 400
    assert "This registration link has already been used" in text
    assert len(lti_servers.state.registrations) == registered
