"""Logins that keep their state in the LMS (LTI platform storage), in Chromium, as Canvas runs them.

The development LMS sends `lti_storage_target=post_message_forwarding` and holds the hidden
storage frame beside the tool's, as Canvas's web app does. Chromium here blocks third-party
cookies (every test checks it in the tool's frame): the tool's state and nonce go through the
LMS's frame instead of a cookie, and its session is a partitioned cookie.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import chromium_path
from tests.browser.lms import LEARNER, MANAGER, open_tool, shot
from tests.support.lti_servers import LtiServers

# Chromium's switch for the third-party cookie phase-out (unpartitioned cookies refused in
# cross-site frames); the check in `assert_third_party_cookies_blocked` is what the tests trust.
BLOCK_THIRD_PARTY = "--test-third-party-cookie-phaseout"


@pytest.fixture(scope="module")
def blocking_chromium(chromium: Any) -> Iterator[Any]:
    """A Chromium that blocks third-party cookies (started by the tier's Playwright)."""
    browser = chromium.browser_type.launch(
        executable_path=chromium_path(), headless=True, args=[BLOCK_THIRD_PARTY]
    )
    yield browser
    browser.close()


@pytest.fixture
def blocked(blocking_chromium: Any) -> Iterator[Any]:
    """A page of a fresh profile of that Chromium."""
    context = blocking_chromium.new_context(viewport={"width": 1100, "height": 820})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@contextmanager
def platform_offers(
    servers: LtiServers, target: str | None, answers: bool = True
) -> Iterator[None]:
    """The development LMS with other platform-storage settings for the duration."""
    config = servers.state.config
    before = (config.storage_target, config.storage_answers)
    config.storage_target, config.storage_answers = target, answers
    try:
        yield
    finally:
        config.storage_target, config.storage_answers = before


def assert_third_party_cookies_blocked(frame: Any) -> None:
    """The tool's frame cannot keep an ordinary (unpartitioned) cookie: third-party blocked."""
    kept = frame.evaluate(
        "() => { document.cookie = 'unpartitioned=1; path=/; SameSite=None; Secure';"
        " return document.cookie.includes('unpartitioned=1'); }"
    )
    assert kept is False


def state_cookies(page: Any) -> list[str]:
    """Names of the tool's login-state cookies this profile holds."""
    return [c["name"] for c in page.context.cookies() if c["name"].startswith("lti1p3-state")]


def test_with_third_party_cookies_blocked_a_learner_reaches_the_plan_in_the_frame(
    blocked: Any, servers: LtiServers
) -> None:
    frame = open_tool(blocked, servers, LEARNER)
    assert_third_party_cookies_blocked(frame)
    assert "Signed in as Kenji Mwangi" in frame.locator("#signed-in").inner_text()
    frame.get_by_role("link", name="My plan", exact=True).first.click()
    frame.locator("#plan-settings").wait_for()
    assert_accessible(frame)
    shot(blocked, "platform-storage-plan")
    # The state went through the LMS, not a cookie; no window opened; the LMS's storage
    # frame holds nothing of the tool's any more (cleared after the check).
    assert state_cookies(blocked) == [] and len(blocked.context.pages) == 1
    left = blocked.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('lti|platform_storage|'))"
    )
    assert left == []


def test_without_the_storage_target_the_cookie_path_still_works(
    blocked: Any, servers: LtiServers
) -> None:
    with platform_offers(servers, None):
        frame = open_tool(blocked, servers, LEARNER)
    assert_third_party_cookies_blocked(frame)
    frame.get_by_role("link", name="My plan", exact=True).first.click()
    frame.locator("#plan-settings").wait_for()
    assert len(state_cookies(blocked)) == 1 and len(blocked.context.pages) == 1


def test_an_lms_whose_storage_frame_does_not_answer_falls_back_to_cookies(
    blocked: Any, servers: LtiServers
) -> None:
    with platform_offers(servers, "post_message_forwarding", answers=False):
        frame = open_tool(blocked, servers, LEARNER)
    assert "Signed in as Kenji Mwangi" in frame.locator("#signed-in").inner_text()
    assert len(state_cookies(blocked)) == 1 and len(blocked.context.pages) == 1


def test_a_launch_started_in_another_browser_is_refused(
    blocking_chromium: Any, blocked: Any, servers: LtiServers
) -> None:
    # Someone else's browser: the manager's login and launch, the launch held back and kept.
    other = blocking_chromium.new_context()
    held: dict[str, str] = {}

    def hold(route: Any) -> None:
        held.update(parse_qsl(route.request.post_data or ""))
        route.abort()

    theirs = other.new_page()
    theirs.route(f"{servers.tool.url}/lti/launch", hold)
    theirs.goto(f"{servers.platform.url}/as/{MANAGER}")
    theirs.goto(f"{servers.platform.url}/course?link=link-1")
    for _ in range(100):
        if held:
            break
        theirs.wait_for_timeout(100)
    other.close()
    assert held.get("id_token") and held.get("state")

    # The learner's browser, inside the LMS, is made to post it into the tool's frame.
    frame = open_tool(blocked, servers, LEARNER)
    frame.evaluate("() => { window.name = 'tool'; }")  # so a form can target the frame
    blocked.evaluate(
        """([action, fields]) => {
             const form = document.createElement('form');
             form.method = 'post'; form.action = action; form.target = 'tool';
             for (const [name, value] of Object.entries(fields)) {
               const input = document.createElement('input');
               input.type = 'hidden'; input.name = name; input.value = value;
               form.appendChild(input);
             }
             document.body.appendChild(form); form.submit();
           }""",
        [f"{servers.tool.url}/lti/launch", held],
    )
    failed = frame.locator("#lti-storage-failed")
    failed.wait_for()
    assert "could not confirm that this launch started in this browser" in failed.inner_text()
    assert len(blocked.context.pages) == 1
    assert_accessible(frame)
    shot(blocked, "platform-storage-refused")
    frame.goto(f"{servers.tool.url}/")
    assert "Signed in as Kenji Mwangi" in frame.locator("#signed-in").inner_text()
