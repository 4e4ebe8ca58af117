"""Events nobody clicks: plans behind schedule and check-ins coming up, found by a daily look.

Each is told once (a dedupe key per plan and set of late items, per check-in and date): the
learner first, then, if the plan is still behind after the tenant's grace period, their manager.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import CheckIn, Notification, Plan, PlanStatus, Tenant
from lti_pathing.notify.outbox import notify
from lti_pathing.services.calendar import day_in_words
from lti_pathing.services.completions import behind_schedule


def scan(
    session: Session, tenant: Tenant, now: dt.datetime, grace_days: int, ahead_days: int
) -> int:
    """Record the tenant's due behind-schedule and check-in notifications; how many."""
    return _behind(session, tenant, now, grace_days) + _checkins(session, tenant, now, ahead_days)


def _behind(session: Session, tenant: Tenant, now: dt.datetime, grace_days: int) -> int:
    told = 0
    plans = session.scalars(
        select(Plan).where(Plan.tenant_id == tenant.id, Plan.status == PlanStatus.approved)
    )
    for plan in plans:
        late = behind_schedule(plan, now.date())
        if not late:
            continue
        ids = ",".join(str(i.id) for i in sorted(late, key=lambda i: i.id))
        key = f"behind:{plan.id}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"
        titles = ", ".join(sorted(i.activity.title for i in late)[:5])
        first = session.scalar(select(Notification).where(
            Notification.tenant_id == tenant.id, Notification.dedupe_key == key
        ))  # fmt: skip
        if first is None:
            told += _told(notify(session, tenant, plan.person_id, "behind_schedule",
                                 "Your development plan is behind schedule",
                                 f"{len(late)} item(s) of your plan passed their planned end and "
                                 f"are not done: {titles}. Mark them done, or ask for a re-plan.",
                                 data={"plan_id": plan.id}, dedupe_key=key, now=now))  # fmt: skip
        elif first.created_at <= now - dt.timedelta(days=grace_days) and plan.person.manager_id:
            told += _told(notify(session, tenant, plan.person.manager_id, "report_behind_schedule",
                                 f"{plan.person.name}'s plan is still behind schedule",
                                 f"{plan.person.name}'s plan has {len(late)} item(s) past their "
                                 f"planned end for more than {grace_days} day(s): {titles}.",
                                 data={"plan_id": plan.id, "learner_id": plan.person_id},
                                 dedupe_key="manager-" + key, now=now))  # fmt: skip
    return told


def _checkins(session: Session, tenant: Tenant, now: dt.datetime, ahead_days: int) -> int:
    told = 0
    today = now.date()
    soon = session.scalars(select(CheckIn).where(
        CheckIn.tenant_id == tenant.id, CheckIn.held_on.is_(None),
        CheckIn.scheduled_on >= today, CheckIn.scheduled_on <= today + dt.timedelta(ahead_days),
    ))  # fmt: skip
    for check_in in soon:
        when = day_in_words(check_in.scheduled_on)
        manager_id = check_in.manager_id or check_in.person.manager_id
        key = f"checkin:{check_in.id}:{check_in.scheduled_on.isoformat()}"
        told += _told(notify(session, tenant, check_in.person_id, "checkin_due",
                             f"Your development check-in is on {when}",
                             f"Your check-in about your development plan is on {when}. Look at "
                             "your plan's progress before it.", data={"check_in_id": check_in.id},
                             dedupe_key=key + ":learner", now=now))  # fmt: skip
        if manager_id is not None:
            told += _told(notify(session, tenant, manager_id, "checkin_due",
                                 f"Check-in with {check_in.person.name} on {when}",
                                 f"Your check-in with {check_in.person.name} is on {when}.",
                                 data={"check_in_id": check_in.id},
                                 dedupe_key=key + ":manager", now=now))  # fmt: skip
    return told


def _told(note: Notification | None) -> int:
    return 0 if note is None else 1
