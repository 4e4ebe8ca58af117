"""Who is told what: mentor bookings follow their plan; behind schedule and check-ins by scan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import (
    CheckIn,
    Mentor,
    Notification,
    Person,
    PlanItem,
    PlanStatus,
    Tenant,
)
from lti_pathing.notify.outbox import notify
from lti_pathing.notify.scan import scan
from lti_pathing.services.approvals import ApprovalService
from tests.lti_pathing.services.journeys_org import Org

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def told(session: Session, who: Person) -> list[str]:
    stmt = select(Notification).where(Notification.person_id == who.id).order_by(Notification.id)
    return [n.event for n in session.scalars(stmt)]


def test_a_mentor_is_asked_booked_and_let_go_with_the_plan(
    session: Session, tenant: Tenant, org: Org
) -> None:
    mentor = Mentor(tenant_id=tenant.id, person_id=org.omar.id, capacity=2)
    session.add(mentor)
    session.flush()
    session.add(PlanItem(tenant_id=tenant.id, plan_id=org.plan.id, activity_id=org.course.id,
                         start_week=6, end_week=10, mentor_id=mentor.id))  # fmt: skip
    session.flush()
    session.refresh(org.plan)
    approvals = ApprovalService(session, tenant)
    plan = approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    plan = approvals.act(org.maya.id, plan.id, "approve", plan.version)
    assert told(session, org.omar) == ["mentor_requested", "mentor_confirmed"]
    [note] = session.scalars(select(Notification).where(
        Notification.person_id == org.omar.id, Notification.event == "mentor_confirmed"
    )).all()  # fmt: skip
    assert note.text == (
        "Leo Learner's development plan books you as a mentor (Python, the next step)."
    )
    assert told(session, org.leo) == ["mentor_requested", "plan_approved", "mentor_confirmed"]


def test_sent_back_for_changes_cancels_the_booking_request(
    session: Session, tenant: Tenant, org: Org
) -> None:
    mentor = Mentor(tenant_id=tenant.id, person_id=org.omar.id, capacity=2)
    session.add(mentor)
    session.flush()
    session.add(PlanItem(tenant_id=tenant.id, plan_id=org.plan.id, activity_id=org.course.id,
                         start_week=6, end_week=10, mentor_id=mentor.id))  # fmt: skip
    session.flush()
    session.refresh(org.plan)
    approvals = ApprovalService(session, tenant)
    plan = approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    plan = approvals.act(org.maya.id, plan.id, "request_changes", plan.version, "Shorter, please")
    assert plan.status is PlanStatus.changes_requested
    assert told(session, org.omar) == ["mentor_requested", "mentor_cancelled"]
    assert "plan_changes_requested" in told(session, org.leo)


def test_behind_schedule_tells_the_learner_then_after_the_grace_period_the_manager(
    session: Session, tenant: Tenant, org: Org
) -> None:
    org.plan.status = PlanStatus.approved
    org.plan.starts_on = (NOW - dt.timedelta(weeks=8)).date()  # its item ended 3 weeks ago
    session.flush()
    assert scan(session, tenant, NOW, grace_days=7, ahead_days=3) == 1
    assert scan(session, tenant, NOW + dt.timedelta(days=1), 7, 3) == 0  # told once
    assert told(session, org.leo) == ["behind_schedule"] and told(session, org.maya) == []
    assert scan(session, tenant, NOW + dt.timedelta(days=8), 7, 3) == 1
    assert told(session, org.maya) == ["report_behind_schedule"]
    assert scan(session, tenant, NOW + dt.timedelta(days=9), 7, 3) == 0


def test_a_check_in_coming_up_tells_both_people_once(
    session: Session, tenant: Tenant, org: Org
) -> None:
    session.add(CheckIn(tenant_id=tenant.id, person_id=org.leo.id, manager_id=org.maya.id,
                        scheduled_on=NOW.date() + dt.timedelta(days=5)))  # fmt: skip
    session.flush()
    assert scan(session, tenant, NOW, 7, 3) == 0  # five days ahead: not yet
    assert scan(session, tenant, NOW + dt.timedelta(days=2), 7, 3) == 2
    assert scan(session, tenant, NOW + dt.timedelta(days=3), 7, 3) == 0
    assert told(session, org.leo) == ["checkin_due"] == told(session, org.maya)


def test_nobody_outside_the_tenant_or_retired_is_told(
    session: Session, tenant: Tenant, org: Org, make_tenant: object
) -> None:
    other = make_tenant("other")  # type: ignore[operator]
    assert notify(session, other, org.leo.id, "checkin_due", "s", "t") is None
    org.lea.active = False
    assert notify(session, tenant, org.lea.id, "checkin_due", "s", "t") is None
