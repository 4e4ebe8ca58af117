"""Notifications delivered by a real Celery worker: the commit that records one sends the task,
the worker mails it (a real SMTP server on loopback), and a second task sends nothing."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.jobs import notifications
from lti_pathing.models import DeliveryStatus, NotificationDelivery, Person, Tenant
from lti_pathing.notify.outbox import notify
from tests.lti_pathing.jobs.conftest import Workers, make_app
from tests.support.smtp import smtp_server

KENJI = "E1029"


def test_a_celery_worker_delivers_once_after_the_commit(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    with smtp_server() as (inbox, port):
        mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none"}
        app = make_app(database_file, tmp_path, redis_url, **mail)
        workers.start(**mail)
        with app.app_context(), transaction(app) as session:
            tenant = session.scalars(select(Tenant).where(Tenant.slug == "larkspur")).one()
            kenji = session.scalars(select(Person).where(Person.external_id == KENJI)).one()
            notify(session, tenant, kenji.id, "checkin_due", "Your check-in is on Friday",
                   "Your check-in is on Friday.")  # fmt: skip
        # committed: the after-commit hook sent `lti_pathing.deliver_notifications`
        end = time.monotonic() + 60
        while not inbox.messages and time.monotonic() < end:
            time.sleep(0.2)
        assert [m["Subject"] for m in inbox.messages] == ["Your check-in is on Friday"], (
            workers.logs()
        )
        with app.app_context():
            notifications.kick(app)  # another task: nothing is due any more
            time.sleep(2)
            with transaction(app) as session:
                rows = session.scalars(select(NotificationDelivery)).all()
                assert [(d.channel.value, d.status) for d in rows] == [
                    ("email", DeliveryStatus.sent), ("lms", DeliveryStatus.skipped)
                ]  # fmt: skip
        assert len(inbox.messages) == 1
