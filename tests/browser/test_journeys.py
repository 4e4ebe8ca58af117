"""Learner, manager and admin journeys in Chromium, the tool in the LMS's cross-site iframe.

Every test starts on the development LMS (http://localhost), picks a person and opens the course
link: the tool (http://127.0.0.1) signs them in through the real LTI 1.3 login and launch.
"""

from __future__ import annotations

from typing import Any

from tests.browser.lms import ADMIN, LEARNER, MANAGER, open_tool, shot
from tests.support.lti_servers import LtiServers

SOLVE_TIMEOUT_MS = 120_000  # a 5 s solve, on a busy 2-core machine


def test_a_launch_signs_the_learner_in_inside_the_iframe(page: Any, servers: LtiServers) -> None:
    frame = open_tool(page, servers, LEARNER)

    assert frame.url == f"{servers.tool.url}/"
    assert "Signed in as Kenji Mwangi" in frame.locator("#signed-in").inner_text()
    assert page.url.startswith(servers.platform.url)  # the LMS page around it stayed


def test_learner_plans_manager_approves_learner_sees_it(page: Any, servers: LtiServers) -> None:
    # 1. The learner generates a plan in the background, sees the timeline and submits it.
    frame = open_tool(page, servers, LEARNER)
    frame.get_by_role("link", name="My plan", exact=True).first.click()
    frame.locator("#plan-settings").wait_for()
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#generate-plan").click()
    frame.locator("#job-progress").wait_for()  # the progress indicator while the job runs
    assert frame.locator("#generate-plan").is_disabled()
    frame.locator("#plan-timeline").wait_for(timeout=SOLVE_TIMEOUT_MS)
    assert frame.locator("#plan [data-status]").first.get_attribute("data-status") == "draft"
    assert frame.locator("#plan-timeline rect.bar").count() > 0
    shot(page, "learner-plan", readme=True)
    frame.locator("#submit-comment").fill("Ready when you are.")
    frame.locator("#submit-plan").click()
    frame.locator("#withdraw-plan").wait_for()
    assert frame.locator("#plan [data-status]").first.get_attribute("data-status") == "submitted"

    # 2. Their manager finds it in the approval queue and approves it with a comment.
    frame = open_tool(page, servers, MANAGER)
    frame.goto(f"{servers.tool.url}/team/queue")
    frame.locator("#approval-queue").get_by_role("link", name="Kenji Mwangi").click()
    frame.locator("#decision-form").wait_for()
    assert "Ready when you are." in frame.locator("#plan-log").inner_text()
    frame.locator("#decision-comment").fill("Approved: start with the first course next week.")
    shot(page, "manager-approval", readme=True)
    frame.locator("#approve").click()
    frame.locator("#decision-form").wait_for(state="detached")
    assert frame.locator("[data-status]").first.get_attribute("data-status") == "approved"

    # 3. The learner sees it approved, with the manager's comment.
    frame = open_tool(page, servers, LEARNER)
    frame.goto(f"{servers.tool.url}/me/plan")
    assert frame.locator("#plan [data-status]").first.get_attribute("data-status") == "approved"
    log = frame.locator("#plan-log").inner_text()
    assert "Aisha Okafor" in log
    assert "Approved: start with the first course next week." in log
    assert frame.locator("#submit-plan").count() == 0
    shot(page, "learner-approved")


def test_the_admin_dashboard_renders(page: Any, servers: LtiServers) -> None:
    frame = open_tool(page, servers, ADMIN)
    frame.goto(f"{servers.tool.url}/admin/dashboard/")

    assert frame.locator("h1").first.inner_text()
    assert frame.locator("#status-chart svg").count() == 1
    assert frame.locator("#coverage tbody tr").count() > 10  # the sample organisation's roles
    shot(page, "admin-dashboard", readme=True)
