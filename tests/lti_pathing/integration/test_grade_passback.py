"""Plan progress reaches a platform's grade book over HTTP only where one was chosen for it.

A course-navigation launch (a link without a line item) records the course but sends nothing;
a link placed with its own line item gets the learner's score once there is progress; a 4xx
refusal (Canvas's 422 for someone who is not a student) is final: recorded, not retried."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from lti_pathing import jobs
from lti_pathing.db import transaction
from lti_pathing.models import (
    Activity,
    Gradebook,
    GradePassback,
    ItemStatus,
    Job,
    JobKind,
    LmsIdentity,
    LtiContext,
    Person,
    Plan,
    PlanItem,
    PlanStatus,
    Tenant,
)
from lti_pathing.services.progress import plan_progress
from tests.lti_pathing.integration.conftest import LtiServers
from tests.support.servers import Browser

LEARNER, MANAGER, ADMIN = "dev-user-73566", "dev-user-20478", "dev-user-75924"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def wait_for(check: Callable[[], Any], seconds: float = 30) -> Any:
    """Poll until `check` returns something truthy (background jobs run on the tool's threads)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def graded_link(servers: LtiServers) -> str:
    """A link placed with its own line item (as a deep-linked career plan with a lineItem)."""
    state = servers.state
    link = state.add_link("Career plan (graded)", "client-a")
    state.add_line_item("client-a", {"label": "Career plan", "scoreMaximum": 100,
                                     "resourceLinkId": link.id})  # fmt: skip
    return link.id


def platform_score(servers: LtiServers, link_id: str, sub: str) -> dict[str, Any] | None:
    """The score the platform holds for `sub` in the graded link's column."""
    item = servers.state.line_items[servers.state.links[link_id].line_item_id or ""]
    return item.scores.get(sub)


def target(servers: LtiServers, sub: str = LEARNER) -> GradePassback:
    with transaction(servers.tool_app) as session:
        found = session.scalars(select(GradePassback).where(GradePassback.subject == sub)).one()
        session.expunge(found)
        return found


def passback_jobs(servers: LtiServers) -> list[Job]:
    with transaction(servers.tool_app) as session:
        found = session.scalars(select(Job).where(Job.kind == JobKind.grade_passback)).all()
        session.expunge_all()
        return list(found)


def approve(servers: LtiServers, plan_id: int) -> None:
    """The learner's manager approves the plan on the team pages."""
    manager = Browser()
    servers.launch(manager, MANAGER)
    page = manager.get(f"{servers.tool.url}/team/plans/{plan_id}")
    assert page.status_code == 200
    token = CSRF.search(page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert token and version
    decided = manager.post(
        f"{servers.tool.url}/team/plans/{plan_id}/decide",
        {"csrf_token": token.group(1), "version": version.group(1), "action": "approve"},
    )
    assert decided.status_code == 200


def finished(servers: LtiServers, job_id: int) -> Job | None:
    with transaction(servers.tool_app) as session:
        job = session.get_one(Job, job_id)
        session.expunge(job)
        return job if job.finished else None


def submitted_plan(
    servers: LtiServers, person_id: int, tenant_id: int, done: int = 1
) -> tuple[int, list[int]]:
    """A submitted plan of three activities, the first `done` of them already done."""
    with transaction(servers.tool_app) as session:
        for old in session.scalars(select(Plan).where(Plan.person_id == person_id)):
            old.status = PlanStatus.archived
        activities = session.scalars(
            select(Activity)
            .where(Activity.tenant_id == tenant_id, Activity.active.is_(True))
            .order_by(Activity.id)
            .limit(3)
        ).all()
        plan = Plan(tenant_id=tenant_id, person_id=person_id, status=PlanStatus.submitted,
                    starts_on=dt.date(2026, 1, 5), settings={})  # fmt: skip
        for n, activity in enumerate(activities):
            status = ItemStatus.completed if n < done else ItemStatus.planned
            plan.items.append(PlanItem(
                tenant_id=tenant_id, activity_id=activity.id, start_week=4 * n,
                end_week=4 * n + activity.duration_weeks, status=status,
            ))  # fmt: skip
        session.add(plan)
        session.flush()
        return plan.id, [a.id for a in activities]


def test_a_course_navigation_launch_never_touches_the_grade_book(
    lti_servers: LtiServers, browser: Browser
) -> None:
    # First in this file: the platform's one course has no graded link yet.
    assignments = len(lti_servers.state.assignments())
    before = len(passback_jobs(lti_servers))
    assert lti_servers.launch(browser, LEARNER).status_code == 200  # link-1: no line item
    with transaction(lti_servers.tool_app) as session:
        person_id = session.scalars(
            select(GradePassback.person_id).where(GradePassback.subject == LEARNER)
        ).first()
        context = session.scalars(select(LtiContext).where(LtiContext.context_id == "course-101"))
        assert context.one().gradebook is Gradebook.none
    assert person_id is not None  # known as a learner of the course, yet nothing goes there
    tenant_id = target(lti_servers).tenant_id
    plan_id, _ = submitted_plan(lti_servers, person_id, tenant_id)
    approve(lti_servers, plan_id)
    # The approval queued no passback (the request commits its jobs), so no column is made.
    assert len(passback_jobs(lti_servers)) == before
    assert len(lti_servers.state.assignments()) == assignments


def test_a_graded_link_gets_progress_once_there_is_some(
    lti_servers: LtiServers, browser: Browser
) -> None:
    link = graded_link(lti_servers)
    assignments = len(lti_servers.state.assignments())
    assert lti_servers.launch(browser, LEARNER, link).status_code == 200
    learner = target(lti_servers)
    plan_id, _ = submitted_plan(lti_servers, learner.person_id, learner.tenant_id, done=0)
    approve(lti_servers, plan_id)
    job = wait_for(lambda: finished(lti_servers, passback_jobs(lti_servers)[-1].id))
    assert job.status.value == "done" and job.result is not None
    assert [o["plan_id"] for o in job.result["waiting"]] == [plan_id]
    assert platform_score(lti_servers, link, LEARNER) is None  # no 0.00 at approval

    with transaction(lti_servers.tool_app) as session:
        plan = session.get_one(Plan, plan_id)
        plan.items[0].status = ItemStatus.completed
        tenant = session.get_one(Tenant, plan.tenant_id)
        with lti_servers.tool_app.app_context():
            queued = jobs.enqueue_passback(session, tenant, [learner.person_id])
        assert queued is not None
        expected = plan_progress(plan).score
    score = wait_for(lambda: platform_score(lti_servers, link, LEARNER))
    assert score["scoreGiven"] == float(expected) and 0 < expected < 100
    assert score["activityProgress"] == "InProgress"
    sent = target(lti_servers)
    assert sent.score == expected and sent.plan_id == plan_id and sent.error is None
    assert len(lti_servers.state.assignments()) == assignments  # the link's column, no new one


def test_a_score_the_lms_refuses_for_good_is_recorded_and_not_retried(
    lti_servers: LtiServers, browser: Browser
) -> None:
    link = graded_link(lti_servers)
    assert lti_servers.launch(browser, ADMIN, link).status_code == 200
    with transaction(lti_servers.tool_app) as session:
        context = session.scalars(
            select(LtiContext).where(LtiContext.context_id == "course-101")
        ).one()
        admin = session.scalars(
            select(Person).join(Person.identities).where(LmsIdentity.subject == ADMIN)
        ).one()
        # Recorded when they were still enrolled as a student; the course has dropped them since.
        session.add(GradePassback(tenant_id=admin.tenant_id, context_id=context.id,
                                  person_id=admin.id, subject=ADMIN))  # fmt: skip
        admin_id, tenant_id = admin.id, admin.tenant_id
    submitted_plan(lti_servers, admin_id, tenant_id)
    with transaction(lti_servers.tool_app) as session:
        tenant = session.get_one(Tenant, tenant_id)
        with lti_servers.tool_app.app_context():
            queued = jobs.enqueue_passback(session, tenant, [admin_id])
        assert queued is not None
        job_id = queued.id
    job = wait_for(lambda: finished(lti_servers, job_id))
    assert job.status.value == "done" and job.attempts == 1, job.error
    assert (job.message or "").endswith("1 refused by the LMS for good")
    refused = target(lti_servers, ADMIN)
    assert refused.refused_status == 422 and refused.sent_at is None
    assert refused.error == "HTTP 422: User not found in course or is not a student"
    with transaction(lti_servers.tool_app) as session:
        assert (
            jobs.enqueue_passback(session, session.get_one(Tenant, tenant_id), [admin_id]) is None
        )
