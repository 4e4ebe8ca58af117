"""The development LMS's Moodle-style messages: what the tool sends arrives on its Messages page,
over real HTTP, with Moodle's answers (errors as HTTP 200 bodies)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.devplatform import create_platform_app
from lti_pathing.devplatform.cli import connect_messaging
from lti_pathing.devplatform.config import demo_config
from lti_pathing.devplatform.state import EXTENSION, PlatformState
from lti_pathing.models import Lms, LmsConnection
from lti_pathing.notify.channels import Message, Refused, Retry, send_lms
from tests.support.servers import LiveServer


@pytest.fixture
def platform() -> Iterator[tuple[Flask, str]]:
    server = LiveServer("127.0.0.1")
    config = demo_config(server.url, "http://127.0.0.1:1", private_key_pem="unused")
    app = create_platform_app(config)
    server.start(app)
    yield app, server.url
    server.stop()


def note(user_id: str) -> Message:
    html = '<p>Plan waits.</p><p><a href="http://lms.example/x?a=1&amp;b=2">Open</a></p>'
    return Message("lti-pathing-1-2-lms", "Plan waits", "Plan waits.", html, "Aisha", None,
                   user_id)  # fmt: skip


def test_a_message_to_a_known_user_is_shown_on_the_messages_page(
    platform: tuple[Flask, str],
) -> None:
    app, url = platform
    state: PlatformState = app.extensions[EXTENSION]
    assert send_lms(Lms.moodle, url, state.config.ws_token, note("2244"), 5.0) == "1"
    page = app.test_client().get("/messages").get_data(as_text=True)
    assert "To Aisha Okafor" in page and "Plan waits." in page
    assert 'href="http://lms.example/x?a=1&amp;b=2"' in page


def test_an_unknown_user_and_a_wrong_token_are_refused_as_moodle_does(
    platform: tuple[Flask, str],
) -> None:
    app, url = platform
    state: PlatformState = app.extensions[EXTENSION]
    with pytest.raises(Refused, match="User ID 999 does not exist"):
        send_lms(Lms.moodle, url, state.config.ws_token, note("999"), 5.0)
    with pytest.raises(Retry, match="invalidtoken"):
        send_lms(Lms.moodle, url, "not-the-token", note("2244"), 5.0)
    assert 'id="no-messages"' in app.test_client().get("/messages").get_data(as_text=True)


def test_the_demo_connects_its_messaging_once(app: Flask, session: Session, tenant: object) -> None:
    with app.app_context():
        connect_messaging(app, "http://localhost:5000", "token-one-1234", "acme")
        connect_messaging(app, "http://localhost:5000", "token-two-5678", "acme")
    [row] = session.scalars(select(LmsConnection)).all()
    assert (row.kind, row.base_url, row.token_hint) == (
        Lms.moodle,
        "http://localhost:5000",
        "…5678",
    )


def test_canvas_launch_by_url_opens_the_course_with_that_tool(
    platform: tuple[Flask, str],
) -> None:
    app, _url = platform
    client = app.test_client()
    client.get("/as/dev-user-20478")
    answer = client.get("/courses/course-101/external_tools/retrieve",
                        query_string={"url": "http://127.0.0.1:1/lti/launch"})  # fmt: skip
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/course?link=link-1")
