"""Decisions managers can make with confidence, and mentors who say yes (issue 18), in Chromium,
the tool in the LMS's iframe: reached by clicking from the landing page, axe on every state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import Plan, PlanEvent, PlanStatus
from lti_pathing.services.team_impact import plan_cost
from tests.browser.axe import assert_accessible
from tests.browser.lms import open_tool
from tests.browser.test_every_journey import (  # noqa: F401
    SOLVE_TIMEOUT_MS,
    _generate_and_submit,
    _managers_plan_page,
    no_plans,
)
from tests.support.lti_servers import LtiServers


def test_a_manager_sees_the_team_impact_and_approves_the_cheaper_plan_in_one_click(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    _generate_and_submit(page, servers)
    frame = _managers_plan_page(page, servers)
    impact = frame.locator("#team-impact")
    expect(impact).to_contain_text("What the plan asks of the team")
    assert frame.locator("#hours-chart rect.col-mine").count() > 0
    frame.locator("#weeks-details summary").click()
    assert frame.locator("#impact-weeks tbody tr").count() > 0
    assert frame.locator("#impact-budget tbody tr").count() >= 1
    assert_accessible(frame)

    frame.get_by_role("button", name="Compare the cheapest and the fastest plans").click()
    frame.locator("#variants").wait_for(timeout=3 * SOLVE_TIMEOUT_MS)
    submitted = Decimal(frame.locator("#variant-submitted [data-cost]").get_attribute("data-cost"))
    cheapest = Decimal(frame.locator("#variant-cheapest [data-cost]").get_attribute("data-cost"))
    assert cheapest < submitted
    assert_accessible(frame)

    frame.get_by_role("button", name="Approve the cheapest plan").click()
    expect(frame.locator("#flashes")).to_contain_text("The cheapest plan is now")
    assert frame.locator("[data-status]").first.get_attribute("data-status") == "approved"
    expect(frame.locator("#plan-log")).to_contain_text("chose cheapest plan")
    assert_accessible(frame)
    with transaction(servers.tool_app) as session:
        plan = session.scalars(select(Plan).where(Plan.status == PlanStatus.approved)).one()
        assert plan_cost(plan) == cheapest
        kinds = session.scalars(select(PlanEvent.kind).where(PlanEvent.plan_id == plan.id)).all()
        assert list(kinds)[-2:] == ["chose_cheapest_plan", "approved"]
    open_tool(page, servers, "dev-user-73566")  # the learner's landing page still opens
