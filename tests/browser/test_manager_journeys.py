"""A manager's journeys (issue 14), in Chromium, the tool in the LMS's iframe.

Pages are reached by clicking what a person sees; axe-core runs inside the tool's frame on every
page and state a test visits.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import Plan, PlanStatus
from tests.browser.axe import assert_accessible
from tests.browser.lms import LEARNER, MANAGER, open_tool
from tests.browser.test_every_journey import SOLVE_TIMEOUT_MS, no_plans  # noqa: F401
from tests.support.lti_servers import LtiServers

TEAM_TIMEOUT_MS = 3 * SOLVE_TIMEOUT_MS  # the team, then each person alone to compare


def _click_link(frame: Any, name: str) -> None:
    link = frame.get_by_role("link", name=name, exact=True).first
    assert link.is_visible(), f"no visible link {name!r} on {frame.url}"
    link.click()


def test_a_manager_plans_the_team_together_and_approves_the_proposals(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    frame = open_tool(page, servers, MANAGER)
    _click_link(frame, "Team overview")
    frame.get_by_role("button", name="Plan my team together").click()
    frame.locator("#job-progress").wait_for()
    assert frame.get_by_role("heading", name="Plan my team together", level=1).is_visible()
    frame.evaluate("() => { window.stayedOnThisPage = true; }")
    assert_accessible(frame)

    proposals = frame.locator("#team-proposals")
    proposals.wait_for(timeout=TEAM_TIMEOUT_MS)
    assert frame.evaluate("() => window.stayedOnThisPage === true")  # updated in place
    assert frame.locator("#job-announcer").text_content() == "Your team's plans are ready."
    cards = proposals.locator("article")
    names = [re.split(r" → ", h)[0] for h in cards.locator("h3").all_inner_texts()]
    assert names == ["Kenji Mwangi", "Sofia Murphy", "Fatima Kaur"]
    for card in cards.all():
        assert card.locator(".cost").inner_text()  # what sharing cost, in words
        assert card.locator(".plan-lines li").count() >= 1
    shared = frame.locator("#contended").inner_text()
    assert "Mentors and seats they shared" in shared
    assert "Mariam Silva" in frame.locator("#skipped").inner_text()  # no target role
    assert_accessible(frame)

    frame.get_by_role("button", name="Approve Kenji Mwangi's plan").click()
    frame.locator("#flashes").wait_for()
    assert "Approved the plan of Kenji Mwangi" in frame.locator("#flashes").inner_text()
    frame.wait_for_function("() => document.activeElement.id === 'flashes'")
    assert_accessible(frame)
    frame.get_by_role("button", name="Approve all 2 proposals").click()
    frame.locator("#flashes").wait_for()
    assert "Sofia Murphy, Fatima Kaur" in frame.locator("#flashes").inner_text()
    assert frame.locator("#approve-all").count() == 0
    with transaction(servers.tool_app) as session:
        statuses = session.scalars(
            select(Plan.status).where(Plan.job_id.is_not(None), Plan.status != PlanStatus.archived)
        ).all()
    assert statuses and set(statuses) == {PlanStatus.approved}

    frame = open_tool(page, servers, LEARNER)
    _click_link(frame, "My plan")
    frame.locator("#plan-timeline").wait_for()
    assert frame.locator("[data-status=approved]").first.is_visible()
    assert_accessible(frame)
