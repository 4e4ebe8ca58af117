"""The tool in a 360 px LMS column, and used with the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import Evidence
from tests.browser.lms import (
    ADMIN,
    LEARNER,
    MANAGER,
    frame_width,
    horizontal_overflow,
    open_tool,
    shot,
)
from tests.support.lti_servers import LtiServers

PAGES = {
    LEARNER: ("/me/", "/me/paths", "/me/plan"),
    MANAGER: ("/team/", "/team/queue"),
    ADMIN: ("/admin/dashboard/", "/admin/skills/"),
}


@pytest.mark.parametrize("who", list(PAGES))
def test_pages_fit_a_360_px_frame_without_sideways_scrolling(
    page: Any, servers: LtiServers, who: str
) -> None:
    frame = open_tool(page, servers, who)
    frame_width(page, frame, 360)
    for path in PAGES[who]:
        frame.goto(servers.tool.url + path)
        assert frame.evaluate("() => document.documentElement.clientWidth") == 360
        assert horizontal_overflow(frame) == 0, f"{path} scrolls sideways at 360 px"
        assert frame.locator("h1").first.is_visible()
    shot(page, f"narrow-{who}")


def _tab_to(page: Any, frame: Any, element_id: str, presses: int = 80) -> None:
    """Press Tab until the element with `element_id` has the keyboard focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if frame.evaluate("() => document.activeElement && document.activeElement.id") == (
            element_id
        ):
            return
    raise AssertionError(f"#{element_id} never got the focus by Tab")


def test_a_form_can_be_filled_and_submitted_with_the_keyboard_alone(
    page: Any, servers: LtiServers
) -> None:
    frame = open_tool(page, servers, MANAGER)  # a manager is also a learner of their own
    frame.locator("#main").focus()  # where the skip link leads; the keyboard works from here
    page.keyboard.press("Tab")
    assert frame.evaluate("() => document.activeElement.textContent").strip()
    page.keyboard.press("Enter")  # the first link of the page: "Where I stand"
    frame.locator("#assessment-form").wait_for()

    _tab_to(page, frame, "assess-skill")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    skill = frame.evaluate("() => { const s = document.getElementById('assess-skill');"
                           " return s.options[s.selectedIndex].text; }")  # fmt: skip
    page.keyboard.press("Tab")  # "Show its levels": the skill's own scale
    assert frame.evaluate("() => document.activeElement.id") == "assess-show"
    page.keyboard.press("Enter")
    frame.locator("#assessment-form legend", has_text=skill).wait_for()
    _tab_to(page, frame, "assess-level-0")  # into the group of levels
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # moves the choice: level 3
    assert frame.locator("#assess-level-3").is_checked()
    page.keyboard.press("Tab")  # the note
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")  # the button
    assert frame.evaluate("() => document.activeElement.id") == "assess-submit"
    page.keyboard.press("Enter")

    flash = frame.locator(".flashes .flash-success")
    flash.wait_for()
    assert flash.inner_text() == "Your self-assessment was recorded."
    with transaction(servers.tool_app) as session:
        recorded = session.scalars(
            select(Evidence).where(Evidence.note == "Typed without a mouse.")
        ).one()
        assert (recorded.skill.name, recorded.level) == (skill, 3)
        assert recorded.person.name == "Aisha Okafor"
    shot(page, "keyboard-assessment")
