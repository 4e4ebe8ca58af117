"""The tool frames in its registered LMS and nowhere else; its pages break no policy of theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.browser.lms import LEARNER, open_tool
from tests.support.lti_servers import LtiServers
from tests.support.servers import LiveServer


@pytest.fixture
def stranger(servers: LtiServers) -> Iterator[LiveServer]:
    """A site no tenant registered (another origin), whose page puts the tool in an iframe."""
    app = Flask("stranger")

    @app.get("/")
    def framing() -> str:
        return f'<iframe src="{servers.tool.url}/" title="tool"></iframe>'

    server = LiveServer("localhost").start(app)
    yield server
    server.stop()


def test_the_lms_frames_the_tool_and_no_script_is_refused(page: Any, servers: LtiServers) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    frame = open_tool(page, servers, LEARNER)  # the cookie check's script ran: it got here
    assert frame.url == f"{servers.tool.url}/"
    frame.get_by_role("link", name="My plan", exact=True).first.click()
    frame.wait_for_load_state()
    assert refused == []


def test_a_site_that_is_not_a_registered_platform_cannot_frame_the_tool(
    page: Any, stranger: LiveServer
) -> None:
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refusal:
        page.goto(f"{stranger.url}/")
    assert "The request has been blocked" in refusal.value.text
