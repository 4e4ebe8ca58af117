"""The tool in a 360 px LMS column, and used with the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import Evidence
from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, LEARNER, MANAGER, open_tool, shot
from tests.browser.test_every_journey import SOLVE_TIMEOUT_MS, no_plans  # noqa: F401
from tests.support.lti_servers import LtiServers

PHONE = {"width": 360, "height": 740}  # Moodle's mobile web and Canvas's apps open tools this size
WIDTHS = "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
# Table boxes that scroll sideways (columns out of sight), and chart text too small to read.
HIDDEN_COLUMNS = """() => Array.from(document.querySelectorAll('.table-wrap'))
  .filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.querySelector('table').id)"""
TINY_CHART_TEXT = """() => Array.from(document.querySelectorAll('svg text'))
  .filter(t => t.getClientRects().length && t.getBoundingClientRect().height < 11)
  .map(t => t.textContent).slice(0, 5)"""


def fits_a_phone(page: Any, frame: Any) -> None:
    """Nothing scrolls sideways, in the LMS page or the tool's; tables and charts read; axe."""
    frame.locator("h1").first.wait_for()
    where = frame.url
    lms, tool = page.evaluate(WIDTHS), frame.evaluate(WIDTHS)
    assert lms[0] <= lms[1], f"the LMS page scrolls sideways around {where}: {lms}"
    assert tool[0] <= tool[1], f"{where} scrolls sideways in a 360 px frame: {tool}"
    framed = page.locator('iframe[title="Tool"]').evaluate(
        "(el) => el.getBoundingClientRect().width"
    )
    assert framed >= 340, f"the LMS squeezes the tool to {framed} px"
    assert not frame.evaluate(HIDDEN_COLUMNS), f"{where}: table columns behind a scroll"
    assert not frame.evaluate(TINY_CHART_TEXT), f"{where}: chart text too small to read"
    assert frame.locator("h1").first.is_visible()
    assert_accessible(frame)


def _menu_pages(page: Any, frame: Any) -> list[str]:
    names: list[str] = frame.locator("#menu a").all_inner_texts()
    for name in names:
        with frame.expect_navigation():
            frame.locator("#menu").get_by_role("link", name=name, exact=True).click()
        fits_a_phone(page, frame)
    return names


def _link(frame: Any, name: Any) -> None:
    with frame.expect_navigation():
        frame.locator("main").get_by_role("link", name=name).first.click()


def test_every_journey_page_fits_a_phone_without_sideways_scrolling(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    page.set_viewport_size(PHONE)
    frame = open_tool(page, servers, LEARNER)
    fits_a_phone(page, frame)
    assert _menu_pages(page, frame) == [
        "Start",
        "Where I stand",
        "Where I could go",
        "My plan",
        "My notifications",
        "Notification settings",
        "My badges",
    ]
    with frame.expect_navigation():
        frame.locator("#menu").get_by_role("link", name="My plan", exact=True).click()
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#generate-plan").click()
    frame.locator("#plan-timeline").wait_for(timeout=SOLVE_TIMEOUT_MS)
    fits_a_phone(page, frame)  # the timeline and the items, in the learner's plan
    frame.locator("#menu").get_by_role("link", name="Where I could go").click()
    frame.locator("#path-graph").wait_for()
    assert frame.locator("#path-graph svg.narrow-only").is_visible()  # one role per row
    fits_a_phone(page, frame)

    frame = open_tool(page, servers, MANAGER)
    _menu_pages(page, frame)
    frame.locator("#menu").get_by_role("link", name="Team overview").click()
    frame.get_by_role("button", name="Plan my team together").click()
    frame.locator("#flashes").wait_for()
    frame.wait_for_function("() => document.activeElement.id === 'flashes'")  # focus after a post
    frame.locator("#team-proposals").wait_for(timeout=3 * SOLVE_TIMEOUT_MS)
    fits_a_phone(page, frame)  # each report's proposal and what sharing cost
    _link(frame, re.compile("^Open this plan"))
    frame.locator("#plan-timeline").wait_for()
    fits_a_phone(page, frame)  # the manager's view of a plan
    frame.locator("#menu").get_by_role("link", name="Team overview").click()
    _link(frame, "Kenji Mwangi")
    frame.locator("#skills-heading").wait_for()
    fits_a_phone(page, frame)  # skills, assessment form, check-ins

    frame = open_tool(page, servers, ADMIN)
    _menu_pages(page, frame)
    frame.locator("#menu").get_by_role("link", name="Activities").click()
    _link(frame, re.compile("."))  # the first activity of the list
    frame.locator("main form").first.wait_for()
    fits_a_phone(page, frame)  # an edit form with its row lists
    frame.locator("#menu").get_by_role("link", name="LMS connection").click()
    frame.locator("#url").fill("https://moodle.example.com/" + "a-very-long-path/" * 6)
    frame.locator("#token").fill("x" * 40)
    frame.locator("#connect-form button[type=submit]").click()
    frame.locator("#connect-form .field-error, .error-summary, .flashes").first.wait_for()
    fits_a_phone(page, frame)  # the connect form, refused, with what was typed
    shot(page, "narrow-journeys")


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
