"""Delivery over a real SMTP server: once per delivery key, retried with backoff, then failed."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.db import transaction
from lti_pathing.jobs import notifications
from lti_pathing.models import DeliveryStatus, Notification, NotificationDelivery, Tenant
from lti_pathing.notify import delivery
from lti_pathing.notify.preferences import PreferenceService
from lti_pathing.services.approvals import ApprovalService
from tests.lti_pathing.services.journeys_org import Org
from tests.support.servers import SilentServer
from tests.support.smtp import Inbox

MAYA = "maya@larkspur.example"
LAUNCH = "https://moodle.larkspur.example/mod/lti/view.php?l=7"


def deliveries(session: Session, person_id: int) -> list[NotificationDelivery]:
    session.expire_all()
    stmt = select(NotificationDelivery).where(NotificationDelivery.person_id == person_id)
    return list(session.scalars(stmt.order_by(NotificationDelivery.id)))


def submit(session: Session, tenant: Tenant, org: Org) -> None:
    ApprovalService(session, tenant).act(org.leo.id, org.plan.id, "submit", org.plan.version)
    session.flush()


def at(minutes: float) -> dt.datetime:
    return utcnow() + dt.timedelta(minutes=minutes)


def test_a_submitted_plan_emails_the_manager_once_with_a_link_into_the_lms(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox
) -> None:
    PreferenceService(session, tenant).remember_launch(org.maya.id, LAUNCH)
    submit(session, tenant, org)

    assert notifications.deliver_due(mail_app) == {"sent": 1}
    assert notifications.deliver_due(mail_app) == {}  # a second run (a retry) sends nothing

    [mail] = inbox.to(MAYA)
    assert mail["Subject"] == "Leo Learner submitted a development plan for your approval"
    assert mail["From"] == "lti-pathing <no-reply@larkspur.example>"
    [sent] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
    assert sent.status is DeliveryStatus.sent
    assert mail["Message-ID"] == f"<{sent.key}@larkspur.example>" == sent.remote_id
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Leo Learner submitted their plan towards Software Engineer II" in text
    assert f"Open lti-pathing in your LMS: {LAUNCH}" in text
    assert f'<a href="{LAUNCH.replace("&", "&amp;")}">Open lti-pathing in your LMS</a>' in html


def test_the_same_delivery_is_claimed_once(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox
) -> None:
    submit(session, tenant, org)
    [due] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
    with transaction(mail_app, writes=True) as work:
        first = delivery.claim(work, due.id, utcnow())
    with transaction(mail_app, writes=True) as work:
        second = delivery.claim(work, due.id, utcnow())  # a task delivered twice
    assert first is not None and second is None
    settings = delivery.DeliverySettings.from_config(mail_app.config)
    assert notifications.deliver_one(mail_app, due.id, settings) == "taken"
    assert inbox.messages == []


def test_a_sender_that_died_mid_send_is_failed_as_unknown_never_sent_again(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox
) -> None:
    submit(session, tenant, org)
    [due] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
    with transaction(mail_app, writes=True) as work:
        assert delivery.claim(work, due.id, utcnow()) is not None  # ... and the worker died
    timeout = mail_app.config["NOTIFY_SEND_TIMEOUT_S"]
    assert notifications.deliver_due(mail_app, lambda: at(timeout / 60 + 1)) == {"expired": 1}
    [failed] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
    assert failed.status is DeliveryStatus.failed
    assert failed.last_error is not None and failed.last_error.startswith("outcome unknown")
    assert inbox.messages == []


def test_a_temporary_refusal_is_retried_with_growing_waits_then_failed(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox
) -> None:
    mail_app.config.update(NOTIFY_MAX_TRIES=3, NOTIFY_RETRY_BASE_S=60)
    inbox.refuse = ["451 4.3.0 Mailbox busy, try later"] * 3
    submit(session, tenant, org)
    now = utcnow()
    waits = []
    for minute in (0, 2, 5):
        assert notifications.deliver_due(mail_app, lambda m=minute: now + dt.timedelta(minutes=m))
        [mail] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
        waits.append(mail.due_at - (now + dt.timedelta(minutes=minute)))
    assert waits[:2] == [dt.timedelta(seconds=60), dt.timedelta(seconds=120)]
    assert mail.status is DeliveryStatus.failed and mail.tries == 3
    assert "451 4.3.0 Mailbox busy" in (mail.last_error or "")
    assert "gave up after 3 tries" in (mail.last_error or "")
    assert inbox.messages == []


def test_a_refusal_for_good_fails_at_once_and_a_later_retry_succeeds(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox
) -> None:
    inbox.refuse = ["550 5.1.1 No such user"]
    submit(session, tenant, org)
    assert notifications.deliver_due(mail_app) == {"failed": 1}
    [mail] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
    assert mail.status is DeliveryStatus.failed and "550 5.1.1" in (mail.last_error or "")

    inbox.refuse = ["451 4.7.1 Greylisted"]  # the next one: refused once, then accepted
    ApprovalService(session, tenant).act(org.maya.id, org.plan.id, "approve", org.plan.version)
    session.flush()
    assert notifications.deliver_due(mail_app) == {"pending": 1}
    assert notifications.deliver_due(mail_app) == {}  # not due yet
    assert notifications.deliver_due(mail_app, lambda: at(2)) == {"sent": 1}
    assert [m["Subject"] for m in inbox.to("leo@larkspur.example")] == [
        "Maya Manager approved your development plan"
    ]


def test_a_mail_server_that_is_down_is_retried(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org
) -> None:
    mail_app.config["SMTP_PORT"] = int(SilentServer.refusing().rsplit(":", 1)[1])
    submit(session, tenant, org)
    assert notifications.deliver_due(mail_app) == {"pending": 1}
    [mail] = [d for d in deliveries(session, org.maya.id) if d.channel.value == "email"]
    assert (mail.last_error or "").startswith("could not reach the mail server")


def test_no_address_or_no_mail_server_is_skipped_with_the_reason(
    app: Flask, session: Session, tenant: Tenant, org: Org
) -> None:
    PreferenceService(session, tenant).save(None, {"lms": "on"})
    submit(session, tenant, org)  # SMTP_HOST is empty in the test app
    assert notifications.deliver_due(app) == {"skipped": 2}  # e-mail, and LMS (no connection)
    reasons = {d.channel.value: d.last_error for d in deliveries(session, org.maya.id)}
    assert reasons == {
        "email": "e-mail is not set up on this lti-pathing (SMTP_HOST is empty)",
        "lms": "no active LMS connection knows this person's LMS account",
    }


@pytest.mark.parametrize("choice", ["off", "on"])
def test_a_person_who_turned_e_mail_off_gets_none(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox, choice: str
) -> None:
    PreferenceService(session, tenant).save(org.maya.id, {"email": choice, "lms": "off"})
    submit(session, tenant, org)
    notifications.deliver_due(mail_app)
    assert len(inbox.to(MAYA)) == (choice == "on")
    note = session.scalar(select(Notification).where(Notification.person_id == org.maya.id))
    assert note is not None  # always listed under "My notifications"
