"""Notification delivery as background work: after the commit that recorded them, and by sweep.

`notify` (lti_pathing.notify.outbox) marks the session; when that session commits, deliveries go
out on this process's job threads, or as a Celery task (`lti_pathing.deliver_notifications`) when
a broker is set. The sweep (the outbox's sweeper thread in-process, Celery beat otherwise) sends
what became due later (quiet hours, digests, retries), fails deliveries whose sender vanished, and
once every NOTIFY_SCAN_MINUTES looks for plans behind schedule and check-ins coming up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_pathing import jobs
from lti_pathing.columns import utcnow
from lti_pathing.db import database, transaction
from lti_pathing.models import DeliveryStatus, Tenant
from lti_pathing.notify import delivery
from lti_pathing.notify.outbox import PENDING
from lti_pathing.notify.scan import scan
from lti_pathing.services.base import Clock

log = logging.getLogger(__name__)
TASK = "lti_pathing.deliver_notifications"  # jobs.celery_app.NOTIFY
LAST_SCAN = "lti_pathing.notify.last_scan"
_scan_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Deliver right after every commit of the app's sessions that recorded notifications."""
    sessions = database(app).sessions

    def after_commit(session: Session) -> None:
        if session.info.pop(PENDING, False) and app.config["NOTIFY_AFTER_COMMIT"]:
            kick(app)

    def after_rollback(session: Session) -> None:
        session.info.pop(PENDING, None)

    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)


def kick(app: Flask) -> None:
    """Start delivering now, in the background; a failure here waits for the sweep."""
    try:
        if jobs.uses_celery(app):
            from lti_pathing.jobs.celery_app import celery_for  # Celery only with a broker

            celery_for(app).send_task(TASK, ignore_result=True)
        else:
            jobs.run_in_background(app, lambda: deliver_due(app))
    except Exception:  # a broker down right now: the next sweep delivers
        log.warning("notifications not started after the commit; the sweep sends them")


def deliver_due(app: Flask, clock: Clock = utcnow) -> dict[str, int]:
    """Send every delivery due now; how many messages ended in each status (a digest is one)."""
    settings = delivery.DeliverySettings.from_config(app.config)
    now = clock()
    with transaction(app, writes=True) as session:
        stale = delivery.expire_stale(session, now, settings)
    with transaction(app) as session:
        due = delivery.due_ids(session, now)
    outcomes: Counter[str] = Counter({"expired": stale} if stale else {})
    carried: set[int] = set()  # deliveries a digest sent with another one
    for delivery_id in due:
        if delivery_id not in carried:
            outcomes[deliver_one(app, delivery_id, settings, clock, carried)] += 1
    if due or stale:
        log.info("notifications: %s", dict(outcomes))
    return dict(outcomes)


def deliver_one(
    app: Flask,
    delivery_id: int,
    settings: delivery.DeliverySettings,
    clock: Clock = utcnow,
    carried: set[int] | None = None,
) -> str:
    """Claim, send and record one delivery (with its digest siblings); the status it ends in."""
    # The app's context: an LMS token is decrypted with the app's keys.
    with app.app_context(), transaction(app, writes=True) as session:
        claimed = delivery.claim(session, delivery_id, clock(), bool(settings.smtp.host))
    if claimed is None:
        return "taken"  # not due, or another sender has it
    if isinstance(claimed, DeliveryStatus):
        return claimed.value
    if carried is not None:
        carried.update(claimed.ids)
    try:
        outcome: str | delivery.SendError = delivery.send(claimed, settings)
    except delivery.SendError as error:
        outcome = error
        log.warning("notification delivery %s: %s: %s", delivery_id, type(error).__name__, error)
    except Exception as error:  # a bug in a channel: recorded as unknown, never sent again
        log.exception("notification delivery %s crashed", delivery_id)
        outcome = delivery.Unknown(f"internal error: {type(error).__name__}")
    with transaction(app, writes=True) as session:
        return delivery.record(session, claimed, outcome, clock(), settings).value


def sweep(app: Flask) -> dict[str, int]:
    """Deliver what is due; scan for time-based events when the last scan is old enough."""
    told = scan_if_due(app)
    outcomes = deliver_due(app)
    if told:
        outcomes["scanned"] = told
    return outcomes


def scan_if_due(app: Flask, force: bool = False, clock: Clock = utcnow) -> int:
    """Record behind-schedule and check-in notifications of every active tenant; how many."""
    every = 60.0 * app.config["NOTIFY_SCAN_MINUTES"]
    with _scan_lock:
        last = app.extensions.get(LAST_SCAN)
        if not force and isinstance(last, float) and time.monotonic() - last < every:
            return 0
        app.extensions[LAST_SCAN] = time.monotonic()
    now, told = clock(), 0
    with transaction(app) as session:
        tenant_ids = list(session.scalars(select(Tenant.id).where(Tenant.active.is_(True))))
    for tenant_id in tenant_ids:
        with transaction(app, writes=True) as session:
            tenant = session.get_one(Tenant, tenant_id)
            told += scan(session, tenant, now, app.config["NOTIFY_BEHIND_GRACE_DAYS"],
                         app.config["NOTIFY_CHECKIN_DAYS"])  # fmt: skip
    return told
