"""Issue 14, the learner's side: levels in words, the learner's own choices, re-plan proposals
that say what changed and why, and what-ifs with their currency. In Chromium, the tool in the
LMS's iframe, reached by clicking what a person sees; axe-core on every page and state.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import ItemStatus, Person, Plan, PlanStatus
from lti_pathing.services.planning import next_monday
from tests.browser.axe import assert_accessible
from tests.browser.lms import (
    LEARNER,
    MANAGER,
    frame_width,
    horizontal_overflow,
    open_tool,
    shot,
)
from tests.browser.test_every_journey import SOLVE_TIMEOUT_MS, no_plans  # noqa: F401
from tests.support.lti_servers import LtiServers

WEEKS_AGO = 12


def link(frame: Any, name: str) -> Any:
    """A visible link of that name (the menu's, or the page's)."""
    found = frame.get_by_role("link", name=name, exact=True).first
    assert found.is_visible(), f"no visible link {name!r} on {frame.url}"
    return found


def my_plan(page: Any, servers: LtiServers) -> Any:
    frame = open_tool(page, servers, LEARNER)
    link(frame, "My plan").click()
    frame.locator("#plan-settings").wait_for()
    return frame


def settled(frame: Any) -> None:
    """Wait until no planning job is in progress on the page (it updates itself)."""
    frame.locator("#job-progress").wait_for(state="detached", timeout=SOLVE_TIMEOUT_MS)
    frame.locator("#plan-timeline").wait_for(timeout=SOLVE_TIMEOUT_MS)


def test_levels_are_named_and_self_assessment_offers_the_skills_own_scale(
    page: Any, servers: LtiServers
) -> None:
    frame = open_tool(page, servers, LEARNER)
    link(frame, "Where I stand").click()
    row = frame.locator("#current-skills tbody tr").first
    row.wait_for()
    scale = row.locator("details.scale")
    scale.locator("summary").click()  # "What the levels mean"
    levels = scale.locator("ol.scale-levels li")
    assert levels.count() == 5 and levels.nth(2).is_visible()
    assert re.match(r"3 \w+: .{10,}", levels.nth(2).inner_text())  # a name and what it means
    needed = row.locator("td").nth(2).inner_text()
    assert re.match(r"\d [A-Z][a-z]+", needed), needed  # "2 Working", not a bare "2"
    assert_accessible(frame)

    skill = row.locator("td").first.inner_text().split("\n")[0].strip()
    row.get_by_role("link", name=re.compile("Assess myself")).click()
    form = frame.locator("#assessment-form")
    form.wait_for()
    assert skill in form.locator("legend").inner_text()
    choices = form.locator("input[type=radio][name=level]")
    assert choices.count() == 6  # 0 (none yet) to the skill's top level 5: not 0 to 10
    third = form.locator("label[for=assess-level-3]").inner_text()
    assert re.match(r"3 \w+: .{10,}", third), third
    assert_accessible(frame)

    form.locator("label[for=assess-level-3]").click()
    frame.locator("#assess-note").fill("Shipped two services this year.")
    frame.locator("#assess-submit").click()
    frame.locator(".flashes .flash-success").wait_for()
    row = frame.locator("#current-skills tbody tr", has_text=skill).first
    assert row.locator("td").nth(1).inner_text().startswith(third.split(":")[0])  # "3 Name"
    assert frame.locator("#assess-level-3").is_checked()  # the level now, offered again
    assert_accessible(frame)

    # Another skill: chosen from the list, its own scale's levels are offered.
    picker = frame.locator("#assess-skill")
    other = picker.locator("option:not([selected])").first.inner_text()
    picker.select_option(label=other)
    frame.locator("#assess-show").click()
    frame.locator("#assessment-form legend", has_text=other).wait_for()
    assert_accessible(frame)
    shot(page, "learner-levels")


def test_a_learner_keeps_leaves_out_and_adds_activities_and_chooses_the_start(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    frame = my_plan(page, servers)
    assert frame.locator("#choices-none").is_visible()  # no plan yet: the choices say so
    assert_accessible(frame)
    start = next_monday(dt.date.today()) + dt.timedelta(weeks=3)
    frame.locator("#starts_on").fill(start.isoformat())
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#generate-plan").click()
    settled(frame)
    assert f"starts on {start.day} {start:%B %Y}" in frame.locator("#choices-start").inner_text()
    assert frame.locator("#plan-items th", has_text="Your choice").count() == 1
    assert_accessible(frame)

    # Leave the first activity out, with the keyboard: Tab from "Keep it here" to its neighbour.
    first = frame.locator("#plan-items tbody tr").first
    activity = first.get_attribute("data-activity")
    title = first.locator("td").first.inner_text().split("\n")[0].strip()
    first.locator("button[data-change=keep]").focus()
    page.keyboard.press("Tab")
    focused = frame.evaluate("() => document.activeElement.getAttribute('data-change')")
    assert focused == "exclude"
    page.keyboard.press("Enter")
    frame.locator(f'#plan-items tr[data-activity="{activity}"]').wait_for(
        state="detached", timeout=SOLVE_TIMEOUT_MS
    )
    settled(frame)
    assert title in frame.locator("#choices-left-out").inner_text()
    assert_accessible(frame)

    # Find an activity in the catalog; a date before the plan's start is refused in place.
    frame.locator("#find-text").fill("TypeScript")
    frame.locator("#find-submit").click()
    result = frame.locator('#found li[data-activity="typescript-intro"]')
    result.wait_for()
    assert_accessible(frame)
    date = result.locator("input[type=date]")
    date.fill("2020-03-02")
    result.get_by_role("button", name=re.compile("Add it to my plan")).click()
    summary = frame.locator("#error-summary")
    summary.wait_for()
    frame.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert "before the plan starts" in summary.inner_text()
    result = frame.locator('#found li[data-activity="typescript-intro"]')
    assert result.locator("input[type=date]").input_value() == "2020-03-02"  # kept
    assert result.locator("input[type=date]").get_attribute("aria-invalid") == "true"
    assert_accessible(frame)

    wanted = start + dt.timedelta(weeks=6)
    result.locator("input[type=date]").fill(wanted.isoformat())
    result.get_by_role("button", name=re.compile("Add it to my plan")).click()
    kept = frame.locator('#plan-items tr[data-activity="typescript-intro"]')
    kept.locator(".badge.kept").wait_for(timeout=SOLVE_TIMEOUT_MS)
    settled(frame)
    assert kept.locator("td").nth(1).inner_text().startswith(wanted.isoformat())
    assert "Introduction to TypeScript, from" in frame.locator("#choices-kept").inner_text()
    assert_accessible(frame)
    shot(page, "learner-choices")
    frame_width(page, frame, 360)  # a phone: the choices fit without sideways scrolling
    assert horizontal_overflow(frame) == 0


def _slip_the_approved_plan(servers: LtiServers) -> None:
    """Arrange: Kenji's approved plan started twelve weeks ago; its first item is done."""
    with transaction(servers.tool_app) as session:
        kenji = session.scalars(select(Person).where(Person.name == "Kenji Mwangi")).one()
        plan = session.scalars(
            select(Plan).where(Plan.person_id == kenji.id, Plan.status == PlanStatus.approved)
        ).one()
        plan.starts_on = next_monday(dt.date.today()) - dt.timedelta(weeks=WEEKS_AGO)
        first = min(plan.items, key=lambda i: (i.start_week, i.id))
        first.status, first.completed_on = ItemStatus.completed, dt.date.today()


def test_a_re_plan_proposal_says_what_changed_and_why_and_the_learner_is_told(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    frame = my_plan(page, servers)
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#generate-plan").click()
    settled(frame)
    frame.locator("#submit-comment").fill("Ready when you are.")
    frame.locator("#submit-plan").click()
    frame.locator("#withdraw-plan").wait_for()

    frame = open_tool(page, servers, MANAGER)
    link(frame, "Approvals").click()
    frame.locator("#approval-queue").get_by_role("link", name=re.compile("Kenji Mwangi")).click()
    frame.locator("#approve").click()
    frame.locator("#flashes").wait_for()
    _slip_the_approved_plan(servers)

    # The manager re-plans the slipped plan: a proposal, counted and explained in the queue.
    link(frame, "Team overview").click()
    frame.locator("ul.plans-approved").get_by_role("link", name=re.compile("Kenji")).click()
    frame.locator("#replan-from-today button").click()
    frame.locator("#flashes").wait_for()
    frame.locator("#job-progress").wait_for(state="detached", timeout=SOLVE_TIMEOUT_MS)
    link(frame, "Team overview").click()
    assert frame.locator("#queue-link").inner_text() == "Approval queue (1)"
    link(frame, "Approvals").click()
    assert frame.locator("#queue-count").inner_text().startswith("1 waiting for you")
    entry = frame.locator("#proposal-queue li").first
    assert re.search(r"\d+ (added|removed|moved)", entry.inner_text())
    assert "was due to end by" in entry.inner_text() and "Why:" in entry.inner_text()
    assert_accessible(frame)
    entry.get_by_role("link", name=re.compile("Kenji Mwangi")).click()
    change = frame.locator("#proposal-change")
    change.wait_for()
    assert "Ready on" in change.inner_text() and change.locator("li[data-change]").count() > 0
    assert "Ready when you are." in frame.locator("#plan-log").inner_text()  # history kept
    assert_accessible(frame)
    frame.locator("#proposal-comment").fill("Fine: the late items move to the coming weeks.")
    frame.locator("#accept-proposal").click()
    frame.locator("#flashes").wait_for()

    # The learner is told at the top of their plan, with what changed, why and the history.
    frame = my_plan(page, servers)
    notice = frame.locator("#notice-accepted")
    notice.wait_for()
    assert notice.bounding_box()["y"] < frame.locator("#plan").bounding_box()["y"]
    text = notice.inner_text()
    assert "Your plan changed" in text and "Why:" in text and "was due to end by" in text
    log = frame.locator("#plan-log").inner_text()
    assert "Ready when you are." in log and "earlier version" in log
    assert "Fine: the late items move to the coming weeks." in log
    assert_accessible(frame)
    shot(page, "learner-plan-changed")
    frame.locator("#notice-seen").click()
    frame.locator("#flashes").wait_for()
    assert frame.locator("#notice-accepted").count() == 0
    assert_accessible(frame)


def test_a_budget_what_if_names_its_currency_and_re_plans_with_one_click(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    frame = my_plan(page, servers)
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#budget").fill("0")
    frame.locator("#generate-plan").click()
    settled(frame)
    button = frame.locator("#open-gaps .what-if-apply[data-setting=budget]").first
    label = button.inner_text()
    assert re.match(r"Re-plan with [\d,]+ [A-Z]{3} more budget \([\d,]+ [A-Z]{3}\)", label), label
    assert re.search(r"budget [\d,]+ [A-Z]{3} higher", frame.locator("#open-gaps").inner_text())
    assert_accessible(frame)
    wanted = re.search(r"\(([\d,]+) [A-Z]{3}\)", label).group(1).replace(",", "")  # type: ignore[union-attr]
    button.click()
    frame.locator("#job-progress").wait_for(state="detached", timeout=SOLVE_TIMEOUT_MS)
    frame.locator(f"#budget[value='{wanted}']").wait_for()
    assert_accessible(frame)
