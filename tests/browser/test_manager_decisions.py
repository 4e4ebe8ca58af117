"""Decisions managers can make with confidence, and mentors who say yes (issue 18), in Chromium,
the tool in the LMS's iframe: reached by clicking from the landing page, axe on every state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import delete, select, update

from lti_pathing.db import transaction
from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityMentor,
    ActivityOutcome,
    BookingStatus,
    Mentor,
    MentorBooking,
    Person,
    Plan,
    PlanEvent,
    PlanStatus,
    RoleSkill,
    Skill,
    SkillLevel,
    Tenant,
)
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.planning import Limits, PlanningService, PlanSettings
from lti_pathing.services.team_impact import plan_cost
from tests.browser.axe import assert_accessible
from tests.browser.lms import MANAGER, open_tool
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


def _mentorship_by(session: Any, mentor_name: str, learner_name: str) -> bool:
    """A mentorship only `mentor_name` runs, teaching a skill the learner's target now needs;
    True when they were made a mentor for it."""
    learner = session.scalars(select(Person).where(Person.name == learner_name)).one()
    person = session.scalars(select(Person).where(Person.name == mentor_name)).one()
    t = learner.tenant_id
    mentor = session.scalars(select(Mentor).where(Mentor.person_id == person.id)).first()
    made = mentor is None
    if mentor is None:
        mentor = Mentor(tenant_id=t, person_id=person.id, capacity=2)
        session.add(mentor)
    skill = Skill(tenant_id=t, external_id="code-review", name="Code review")
    session.add(skill)
    session.flush()
    session.add(SkillLevel(tenant_id=t, skill_id=skill.id, level=1, name="Reviews"))
    session.add(RoleSkill(tenant_id=t, role_id=learner.target_role_id, skill_id=skill.id,
                          level=1, weight=Decimal("1")))  # fmt: skip
    activity = Activity(
        tenant_id=t, external_id="mentor-code-review", title="Code review pairing",
        kind=ActivityKind.mentorship, duration_weeks=4, hours_per_week=Decimal(1),
    )  # fmt: skip
    session.add(activity)
    session.flush()
    session.add(ActivityOutcome(tenant_id=t, activity_id=activity.id, skill_id=skill.id, level=1))
    session.add(ActivityMentor(tenant_id=t, activity_id=activity.id, mentor_id=mentor.id))
    return made


def test_a_mentor_accepts_a_booking_request(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    with transaction(servers.tool_app) as session:
        made = _mentorship_by(session, "Aisha Okafor", "Kenji Mwangi")
    try:
        _generate_and_submit(page, servers)
        frame = open_tool(page, servers, MANAGER)
        frame.get_by_role("link", name="My mentees", exact=True).first.click()
        requests = frame.locator("#booking-requests")
        expect(requests).to_contain_text("Kenji Mwangi")
        expect(requests).to_contain_text("Code review pairing")
        assert_accessible(frame)
        frame.get_by_role("button", name="Accept Kenji Mwangi").click()
        expect(frame.locator("#flashes")).to_contain_text("You mentor Kenji Mwangi")
        expect(frame.locator("#mentee-list")).to_contain_text("Kenji Mwangi")
        assert frame.locator("#no-requests").is_visible()
        assert_accessible(frame)
        with transaction(servers.tool_app) as session:
            statuses = session.scalars(select(MentorBooking.status)).all()
        assert list(statuses) == [BookingStatus.accepted]
    finally:
        with transaction(servers.tool_app) as session:
            _undo_mentorship(session, made)


def _undo_mentorship(session: Any, made: bool) -> None:
    """Leave the sample organisation as it was for the other browser tests."""
    session.execute(update(Plan).values(status=PlanStatus.archived))
    session.execute(delete(MentorBooking))
    activity = session.scalars(
        select(Activity).where(Activity.external_id == "mentor-code-review")
    ).one()
    activity.active = False
    if made:  # the mentor is retired again (the row stays: archived plans name it)
        ids = [m.mentor_id for m in activity.mentors]
        session.execute(update(Mentor).where(Mentor.id.in_(ids)).values(active=False))
    skill = session.scalars(select(Skill).where(Skill.external_id == "code-review")).one()
    session.execute(delete(RoleSkill).where(RoleSkill.skill_id == skill.id))


def _submitted_plans(servers: LtiServers, names: tuple[str, ...]) -> list[int]:
    """Plans for these people, generated and submitted through the services (quickly)."""
    ids = []
    with transaction(servers.tool_app) as session:
        for name in names:
            learner = session.scalars(select(Person).where(Person.name == name)).one()
            tenant = session.get_one(Tenant, learner.tenant_id)
            planning = PlanningService(session, tenant, limits=Limits(time_limit_s=5))
            plan = planning.generate(learner.id, PlanSettings(explain=False), learner.id)
            plan = ApprovalService(session, tenant).act(learner.id, plan.id, "submit", plan.version)
            ids.append(plan.id)
    return ids


def test_a_manager_decides_several_plans_at_once(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    ids = _submitted_plans(servers, ("Kenji Mwangi", "Sofia Murphy"))
    frame = open_tool(page, servers, MANAGER)
    frame.get_by_role("link", name="Approvals", exact=True).first.click()
    frame.locator("#batch-form").wait_for()
    assert_accessible(frame)
    for plan_id in ids:
        frame.locator(f"#pick-{plan_id}").check()
    frame.locator(f"#comment-{ids[0]}").fill("Please start with the course on testing.")
    frame.get_by_role("button", name="Request changes on ticked plans").click()
    summary = frame.locator("#error-summary")
    expect(summary).to_contain_text("Comment on Sofia Murphy's plan")
    assert frame.locator(f"#comment-{ids[0]}").input_value() == (
        "Please start with the course on testing."
    )
    assert frame.locator(f"#pick-{ids[1]}").is_checked()
    assert_accessible(frame)

    frame.get_by_role("button", name="Approve ticked plans").click()
    expect(frame.locator("#flashes")).to_contain_text("2 plans approved")
    assert frame.locator("#queue-empty").is_visible()
    assert_accessible(frame)
    with transaction(servers.tool_app) as session:
        found = session.scalars(select(Plan.status).where(Plan.id.in_(ids))).all()
    assert set(found) == {PlanStatus.approved}
