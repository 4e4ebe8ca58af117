"""The one way to tell someone something: `notify`, inside the transaction of the change.

The notification and one delivery per channel the person wants are written with the change that
caused them (both are committed, or neither), due at once, after the person's quiet hours, or at
their daily digest. Background work sends them (`lti_pathing.jobs.notifications`): right after
the commit, and from the sweep for what was due later or has to be tried again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.models import Notification, NotificationDelivery, Person, Tenant
from lti_pathing.notify.preferences import PreferenceService

PENDING = "lti_pathing.notify.pending"  # session.info flag: deliver after this commit
MAX_SUBJECT = 200
MAX_TEXT = 8000

# Every event, as the person's list of notifications names it.
EVENTS = {
    "plan_submitted": "Plan waiting for your approval",
    "plan_approved": "Plan approved",
    "plan_rejected": "Plan rejected",
    "plan_changes_requested": "Changes requested",
    "replan_proposed": "Re-plan proposed",
    "behind_schedule": "Behind schedule",
    "report_behind_schedule": "A report is behind schedule",
    "checkin_due": "Check-in due",
    "mentor_requested": "Mentor booking requested",
    "mentor_confirmed": "Mentor booking confirmed",
    "mentor_cancelled": "Mentor booking cancelled",
    "lms_sync_failing": "LMS sync failing",
}


def notify(
    session: Session,
    tenant: Tenant,
    person_id: int,
    event: str,
    subject: str,
    text: str,
    *,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    now: dt.datetime | None = None,
) -> Notification | None:
    """Record a notification for an active person of the tenant and its deliveries.

    None when there is nobody to tell (unknown or retired person) or `dedupe_key` was told before.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    person = session.get(Person, person_id)
    if person is None or person.tenant_id != tenant.id or not person.active:
        return None
    if dedupe_key is not None and _told(session, tenant, dedupe_key):
        return None
    now = now or utcnow()
    wanted = PreferenceService(session, tenant).effective(person_id)
    note = Notification(
        tenant_id=tenant.id, person_id=person_id, event=event, subject=subject[:MAX_SUBJECT],
        text=text[:MAX_TEXT], link=wanted.launch_url, data=data or {}, dedupe_key=dedupe_key,
        created_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():  # a concurrent scan told the same key first: nothing to add
            session.add(note)
            session.flush()
    except IntegrityError:
        return None
    due = wanted.timing.due(now)
    for channel in wanted.channels:
        session.add(NotificationDelivery(
            tenant_id=tenant.id, notification_id=note.id, person_id=person_id, channel=channel,
            digest=wanted.timing.digest, due_at=due, tries=0,
        ))  # fmt: skip
    session.flush()
    session.info[PENDING] = True
    return note


def _told(session: Session, tenant: Tenant, key: str) -> bool:
    found = session.scalar(
        select(Notification.id).where(
            Notification.tenant_id == tenant.id, Notification.dedupe_key == key
        )
    )
    return found is not None
