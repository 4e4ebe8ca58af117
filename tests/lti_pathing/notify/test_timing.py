"""Quiet hours and the daily digest: when a delivery is due, and what a digest sends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.jobs import notifications
from lti_pathing.models import DeliveryStatus, NotificationDelivery, Tenant
from lti_pathing.notify.outbox import notify
from lti_pathing.notify.preferences import PreferenceService
from lti_pathing.notify.timing import Timing
from tests.lti_pathing.services.journeys_org import Org
from tests.support.smtp import Inbox

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = Timing(quiet_from=dt.time(22, 0), quiet_to=dt.time(7, 0), zone="Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=BERLIN).astimezone(dt.UTC)


def test_outside_quiet_hours_it_goes_at_once() -> None:
    assert NIGHT.due(berlin(10, 12)) == berlin(10, 12)
    assert NIGHT.due(berlin(10, 21, 59)) == berlin(10, 21, 59)


def test_in_quiet_hours_it_waits_for_their_end_in_the_persons_zone() -> None:
    assert NIGHT.due(berlin(10, 23, 30)) == berlin(11, 7)
    assert NIGHT.due(berlin(11, 3)) == berlin(11, 7)
    day = Timing(quiet_from=dt.time(12, 0), quiet_to=dt.time(14, 0), zone="Europe/Berlin")
    assert day.due(berlin(10, 13)) == berlin(10, 14)


def test_quiet_hours_across_a_daylight_saving_change_end_at_local_time() -> None:
    # 28 March 2027: Berlin moves from UTC+1 to UTC+2 at 02:00.
    assert NIGHT.due(berlin(27, 23)) == dt.datetime(2027, 3, 28, 5, 0, tzinfo=dt.UTC)


def test_the_digest_goes_at_eight_local_or_after_quiet_hours() -> None:
    digest = Timing(digest=True, zone="Europe/Berlin")
    assert digest.due(berlin(10, 7)) == berlin(10, 8)
    assert digest.due(berlin(10, 9)) == berlin(11, 8)
    late = Timing(digest=True, quiet_from=dt.time(6, 0), quiet_to=dt.time(9, 30),
                  zone="Europe/Berlin")  # fmt: skip
    assert late.due(berlin(10, 7)) == berlin(10, 9, 30)


def test_a_digest_sends_one_message_for_the_days_notifications(
    mail_app: Flask, session: Session, tenant: Tenant, org: Org, inbox: Inbox
) -> None:
    PreferenceService(session, tenant).save(
        org.maya.id, {"digest": "digest", "time_zone": "Europe/Berlin"}
    )
    morning = berlin(10, 9)
    for n in (1, 2, 3):
        notify(session, tenant, org.maya.id, "plan_submitted", f"Plan {n} waits", f"Plan {n}.",
               now=morning)  # fmt: skip
    session.flush()
    assert notifications.deliver_due(mail_app, lambda: berlin(10, 20)) == {}  # not before 8:00
    assert notifications.deliver_due(mail_app, lambda: berlin(11, 8, 1)) == {"sent": 1}
    [mail] = inbox.to("maya@larkspur.example")
    assert mail["Subject"] == "lti-pathing: 3 updates"
    text = mail.get_body(("plain",)).get_content()
    assert all(f"Plan {n} waits" in text for n in (1, 2, 3))
    assert "once a day, as a digest" in text
    session.expire_all()
    rows = session.scalars(select(NotificationDelivery)).all()
    assert {(d.status, d.remote_id) for d in rows} == {(DeliveryStatus.sent, mail["Message-ID"])}


def test_the_tenant_default_applies_until_the_person_chooses(
    session: Session, tenant: Tenant, org: Org
) -> None:
    preferences = PreferenceService(session, tenant)
    preferences.save(None, {"digest": "digest", "quiet_from": "20:00", "quiet_to": "08:00",
                            "lms": "off"})  # fmt: skip
    assert preferences.effective(org.leo.id).timing == Timing(
        True, dt.time(20, 0), dt.time(8, 0), "UTC"
    )
    preferences.save(org.leo.id, {"digest": "immediate", "email": "off"})
    mine = preferences.effective(org.leo.id)
    assert mine.timing.digest is False and mine.timing.quiet_from == dt.time(20, 0)
    assert mine.channels == ()  # e-mail off by them, LMS off by the organisation
