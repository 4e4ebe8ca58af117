"""Plan progress reaches the platform's grade book over HTTP: the launch records the course,
a manager's approval and completions marked done send the learner's score as a background job."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import (
    Activity,
    GradePassback,
    ItemStatus,
    Job,
    JobKind,
    Plan,
    PlanItem,
    PlanStatus,
)
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


def platform_score(servers: LtiServers, sub: str) -> float | None:
    """The score the platform holds for `sub` in the tool's plan progress column."""
    for item in servers.state.line_items.values():
        if item.client_id == "client-a" and item.data.get("label") == "Career plan progress":
            score = item.scores.get(sub)
            return float(score["scoreGiven"]) if score else None
    return None


def target(servers: LtiServers) -> GradePassback:
    with transaction(servers.tool_app) as session:
        found = session.scalars(select(GradePassback).where(GradePassback.subject == LEARNER)).one()
        session.expunge(found)
        return found


def submitted_plan(servers: LtiServers, person_id: int, tenant_id: int) -> tuple[int, list[int]]:
    """A submitted plan of three activities, the first one already done."""
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
            done = ItemStatus.completed if n == 0 else ItemStatus.planned
            plan.items.append(PlanItem(
                tenant_id=tenant_id, activity_id=activity.id, start_week=4 * n,
                end_week=4 * n + activity.duration_weeks, status=done,
            ))  # fmt: skip
        session.add(plan)
        session.flush()
        return plan.id, [a.id for a in activities]


def test_an_approved_plan_sends_its_progress_to_the_grade_book(
    lti_servers: LtiServers, browser: Browser
) -> None:
    assert lti_servers.launch(browser, LEARNER).status_code == 200
    learner = target(lti_servers)  # the launch made the learner a target of the course
    assert learner.score is None and learner.sent_at is None
    plan_id, _ = submitted_plan(lti_servers, learner.person_id, learner.tenant_id)

    manager = Browser()
    lti_servers.launch(manager, MANAGER)
    page = manager.get(f"{lti_servers.tool.url}/team/plans/{plan_id}")
    assert page.status_code == 200
    token = CSRF.search(page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert token and version
    decided = manager.post(
        f"{lti_servers.tool.url}/team/plans/{plan_id}/decide",
        {"csrf_token": token.group(1), "version": version.group(1), "action": "approve"},
    )
    assert decided.status_code == 200

    score = wait_for(lambda: platform_score(lti_servers, LEARNER))
    sent = target(lti_servers)
    assert sent.sent_at is not None and sent.error is None and sent.plan_id == plan_id
    assert 0 < score < 100 and score == float(sent.score or 0)
    with transaction(lti_servers.tool_app) as session:
        job = session.scalars(
            select(Job).where(Job.kind == JobKind.grade_passback).order_by(Job.id.desc())
        ).first()
        assert job is not None and job.status.value == "done"
        assert job.result == {"sent": [{"person_id": sent.person_id, "context": "course-101",
                                        "plan_id": plan_id, "score": score}]}  # fmt: skip
