"""Notifications in the browser: a learner submits, their manager is told in the LMS's own
messages (the development LMS's Messages page) and by e-mail (a real SMTP server on loopback),
and finds the notification, delivered, under "My notifications" in the tool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lti_pathing.devplatform.cli import connect_messaging
from lti_pathing.devplatform.config import STORAGE_FRAME
from tests.browser.axe import assert_accessible
from tests.browser.lms import LEARNER, MANAGER, open_tool, shot, tool_frame
from tests.support.lti_servers import TENANT, LtiServers, running_lti_servers
from tests.support.smtp import Inbox, smtp_server

SOLVE_TIMEOUT_MS = 120_000
AISHA = "aisha.okafor@example.com"


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LtiServers, Inbox]]:
    """Tool and LMS as in the other journeys, the tool sending mail to a loopback SMTP server and
    LMS messages through the development LMS's Moodle-style web services."""
    folder: Path = tmp_path_factory.mktemp("browser-notify")
    with smtp_server() as (inbox, port):
        settings = {"LTI_COOKIE_CHECK": True, "SOLVER_TIME_LIMIT_S": 5.0, "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": port, "SMTP_TLS": "none",
                    "MAIL_FROM": "lti-pathing <no-reply@larkspur.example>"}  # fmt: skip
        with running_lti_servers(
            folder, secure_cookies=True, storage_target=STORAGE_FRAME, **settings
        ) as servers:
            with servers.tool_app.app_context():
                token = servers.state.config.ws_token
                connect_messaging(servers.tool_app, servers.platform.url, token, TENANT)
            yield servers, inbox


def test_a_submission_reaches_the_manager_in_the_lms_and_by_e_mail(
    page: Any, mailing: tuple[LtiServers, Inbox]
) -> None:
    servers, inbox = mailing
    open_tool(page, servers, MANAGER)  # messages link back to where each person launched from
    frame = open_tool(page, servers, LEARNER)
    frame.get_by_role("link", name="My plan", exact=True).first.click()
    frame.locator("#plan-settings").wait_for()
    frame.locator("#generate-plan").click()
    frame.locator("#plan-timeline").wait_for(timeout=SOLVE_TIMEOUT_MS)
    frame.locator("#submit-plan").click()
    frame.locator("#withdraw-plan").wait_for()

    # The LMS's Messages page, from its header: the manager's message arrived.
    page.get_by_role("link", name="Messages", exact=True).click()
    for _ in range(60):  # delivered in the background right after the submission committed
        if page.locator("#messages li", has_text="To Aisha Okafor").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    message = page.locator("#messages li", has_text="To Aisha Okafor").first
    assert "Kenji Mwangi submitted their plan" in message.inner_text()
    link = message.get_by_role("link", name="Open the link in this message")
    back = f"{servers.platform.url}/courses/course-101/external_tools/retrieve?url="
    assert (link.get_attribute("href") or "").startswith(back)  # the LMS, not the tool's URL
    assert_accessible(page.main_frame)
    shot(page, "lms-messages")
    [mail] = inbox.to(AISHA)
    assert mail["Subject"] == "Kenji Mwangi submitted a development plan for your approval"
    assert back in mail.get_body(("plain",)).get_content()

    # The manager follows the link: the LMS opens the tool; My notifications shows it delivered
    # on both channels; then the settings.
    page.goto(f"{servers.platform.url}/")
    page.locator(f'a[href="/as/{MANAGER}"]').click()
    page.get_by_role("link", name="Messages", exact=True).click()
    page.locator("#messages li", has_text="To Aisha Okafor").first.get_by_role(
        "link", name="Open the link in this message"
    ).click()
    frame = tool_frame(page, servers)
    frame.wait_for_load_state()
    assert "Signed in as Aisha Okafor" in frame.locator("#signed-in").inner_text()
    frame.get_by_role("link", name="My notifications", exact=True).first.click()
    row = frame.locator("#notifications tr[data-event='plan_submitted']").first
    row.wait_for()
    assert "E-mail: sent" in row.inner_text() and "LMS message: sent" in row.inner_text()
    assert_accessible(frame)
    shot(page, "my-notifications")
    frame.get_by_role("link", name="Notification settings", exact=True).first.click()
    frame.locator("#prefs-form").wait_for()
    assert_accessible(frame)
    frame.locator("#digest").select_option("digest")
    frame.locator("#quiet_from").fill("22:00")
    frame.locator("#quiet_to").fill("07:00")
    frame.locator("#prefs-form button[type=submit]").click()
    frame.locator("#effective", has_text="once a day, quiet from 22:00 to 07:00").wait_for()
    assert_accessible(frame)
