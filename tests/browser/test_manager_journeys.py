"""A manager's journeys (issue 14), in Chromium, the tool in the LMS's iframe.

Pages are reached by clicking what a person sees; axe-core runs inside the tool's frame on every
page and state a test visits.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import delete, select

from lti_pathing.db import transaction
from lti_pathing.models import Activity, CheckIn, Person, Plan, PlanItem, PlanStatus
from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, LEARNER, MANAGER, download, open_tool
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
    # The page before had a message too: wait for the new page's.
    expect(frame.locator("#flashes")).to_contain_text("Sofia Murphy, Fatima Kaur", timeout=30_000)
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


def _report_page(page: Any, servers: LtiServers, name: str = "Kenji Mwangi") -> Any:
    frame = open_tool(page, servers, MANAGER)
    _click_link(frame, "Team overview")
    frame.locator("main").get_by_role("link", name=name).first.click()
    frame.locator("#skills-heading").wait_for()
    return frame


def test_a_manager_assesses_a_skill_and_the_learner_sees_it(page: Any, servers: LtiServers) -> None:
    frame = _report_page(page, servers)
    assert_accessible(frame)
    choice = frame.locator("#assess-choice")
    option = choice.locator("option").nth(3)  # the first skill's level 2, with its descriptor
    label, value = option.inner_text(), option.get_attribute("value")
    skill = label.split(": ")[0]
    assert re.match(rf"{re.escape(skill)}: 2 · \S", label)
    frame.locator("#assess-date").fill("2999-01-01")  # in the future: refused, kept
    choice.select_option(value)
    frame.locator("#assess-note").fill("Leads our code reviews.")
    frame.locator("#assess-submit").click()
    frame.locator("#error-summary").wait_for()
    frame.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert (
        "Observed on: an assessment cannot be dated in the future"
        in frame.locator("#error-summary").inner_text()
    )
    assert frame.locator("#assess-choice").input_value() == value
    assert frame.locator("#assess-note").input_value() == "Leads our code reviews."
    assert_accessible(frame)
    frame.locator("#assess-date").fill("")
    frame.locator("#assess-submit").click()
    frame.locator("#flashes").wait_for()
    assert f"Assessment recorded: {skill} at level 2" in frame.locator("#flashes").inner_text()
    row = frame.locator("#report-skills tr", has_text=skill).first
    assert row.locator(".level-now").inner_text() == "2"
    assert "manager assessment by Aisha Okafor" in row.inner_text()
    assert_accessible(frame)

    frame = open_tool(page, servers, LEARNER)
    _click_link(frame, "Where I stand")
    mine = frame.locator("tr", has_text=skill).first
    mine.wait_for()
    assert "Aisha Okafor" in mine.inner_text() and "Leads our code reviews." in mine.inner_text()
    assert_accessible(frame)


def _without_stamp(ics: str) -> str:
    """The file without its DTSTAMP (when it was made)."""
    return re.sub(r"\nDTSTAMP:[0-9TZ]+", "", ics)


def test_a_check_in_has_a_time_and_both_people_add_it_to_their_calendars(
    page: Any, servers: LtiServers, tmp_path: Any
) -> None:
    with transaction(servers.tool_app) as session:
        session.execute(delete(CheckIn))
    frame = _report_page(page, servers)
    day = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    frame.locator("#scheduled_on").fill(day)
    frame.locator("#starts_at").fill("15:45")
    frame.locator("#duration_minutes").fill("30")
    frame.locator("#time_zone").fill("Europe/Lisbon")
    assert_accessible(frame)
    frame.locator("#schedule-submit").click()
    frame.locator("#flashes").wait_for()
    when = frame.locator("[id^=checkin-when-]").inner_text()
    assert "15:45\u201316:15 (Europe/Lisbon)" in when
    assert_accessible(frame)
    ics = download(page, frame.get_by_role("link", name=re.compile("Add to my calendar")))
    ics.save_as(tmp_path / "manager.ics")
    manager_copy = (tmp_path / "manager.ics").read_text()
    assert "DTSTART;TZID=Europe/Lisbon:" + day.replace("-", "") + "T154500" in manager_copy

    frame = open_tool(page, servers, LEARNER)
    _click_link(frame, "My plan")
    listed = frame.locator("#my-checkins")
    listed.wait_for()
    assert "15:45\u201316:15 (Europe/Lisbon)" in listed.inner_text()
    ics = download(page, listed.get_by_role("link", name=re.compile("Add to my calendar")))
    ics.save_as(tmp_path / "learner.ics")
    learner_copy = (tmp_path / "learner.ics").read_text()
    assert _without_stamp(learner_copy) == _without_stamp(manager_copy)  # one invitation for both
    assert_accessible(frame)


def test_retiring_an_activity_in_an_approved_plan_warns_and_names_whose(
    page: Any, servers: LtiServers
) -> None:
    with transaction(servers.tool_app) as session:
        kenji = session.scalars(select(Person).where(Person.name == "Kenji Mwangi")).one()
        activity = session.scalars(
            select(Activity).where(Activity.active.is_(True)).order_by(Activity.title)
        ).first()
        assert activity is not None
        title = activity.title
        plan = Plan(tenant_id=kenji.tenant_id, person_id=kenji.id, status=PlanStatus.approved,
                    target_role_id=kenji.target_role_id, starts_on=dt.date.today())  # fmt: skip
        plan.items.append(PlanItem(tenant_id=kenji.tenant_id, activity_id=activity.id,
                                   start_week=1, end_week=3))  # fmt: skip
        session.add(plan)
    frame = open_tool(page, servers, ADMIN)
    _click_link(frame, "Activities")
    frame.locator("#q").fill(title)
    frame.get_by_role("button", name="Filter").click()
    frame.locator("main table").get_by_role("link", name=title, exact=True).click()
    frame.get_by_role("button", name="Retire").click()
    warning = frame.locator("#retire-warning")
    warning.wait_for()
    assert (
        "still has it to do" in warning.inner_text()
        or "still have it to do" in warning.inner_text()
    )
    assert "Kenji Mwangi: approved plan" in frame.locator("#affected-plans").inner_text()
    assert_accessible(frame)
    frame.get_by_role("button", name="Retire it anyway").click()
    frame.locator("#flashes").wait_for()
    assert "until they are re-planned" in frame.locator("#flashes").inner_text()
    assert_accessible(frame)
    with transaction(servers.tool_app) as session:
        retired = session.scalars(select(Activity).where(Activity.title == title)).first()
        assert retired is not None and retired.active is False
        retired.active = True  # leave the catalog as the other tests expect it
        session.execute(delete(PlanItem).where(PlanItem.plan_id == plan.id))
        session.execute(delete(Plan).where(Plan.id == plan.id))
