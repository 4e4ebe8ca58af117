"""Check-ins: a date and a time in a time zone, the invitation, next steps a later plan dropped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from icalendar import Calendar
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, StaleEdit
from lti_pathing.models import Activity, ActivityKind, ItemStatus, PlanItem, Tenant
from lti_pathing.services.calendar import checkin_to_ics
from lti_pathing.services.checkins import CheckInService, When
from tests.lti_pathing.services.journeys_org import Org, build_org

NOW = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)
ON = dt.date(2026, 3, 2)


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    made = build_org(session, tenant)
    made.maya.email, made.leo.email = "maya@example.com", "leo@example.com"
    session.flush()
    return made


@pytest.fixture
def checkins(session: Session, org: Org) -> CheckInService:
    return CheckInService(session, org.tenant, clock=lambda: NOW)


def test_a_check_in_at_a_time_is_an_invitation_for_both_in_its_time_zone(
    checkins: CheckInService, org: Org
) -> None:
    made = checkins.schedule(
        org.maya.id, org.leo.id, when=When(ON, dt.time(14, 30), 45, "Europe/Berlin")
    )
    event = Calendar.from_ical(checkin_to_ics(made, "tool.example.com", NOW)).walk("VEVENT")[0]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.isoformat() == "2026-03-02T14:30:00+01:00" and end - start == dt.timedelta(
        minutes=45
    )
    assert str(start.tzinfo) == "Europe/Berlin"
    attendees = sorted(str(a) for a in event.get("attendee"))
    assert attendees == ["mailto:leo@example.com", "mailto:maya@example.com"]
    assert str(event.get("organizer")) == "mailto:maya@example.com"
    assert event.get("uid") == f"check-in-{made.id}@tool.example.com"
    assert "Leo Learner" in str(event.get("summary")) and "Maya Manager" in str(
        event.get("summary")
    )
    assert checkins.zone_of(org.maya.id) == "Europe/Berlin"  # the next form's default


def test_without_a_time_it_is_all_day_and_moving_it_updates_the_same_event(
    checkins: CheckInService, org: Org
) -> None:
    made = checkins.schedule(org.maya.id, org.leo.id, ON)
    first = Calendar.from_ical(checkin_to_ics(made, "h", NOW)).walk("VEVENT")[0]
    assert first.decoded("dtstart") == ON and first.decoded("dtend") == ON + dt.timedelta(days=1)
    moved = checkins.reschedule(org.maya.id, made.id, made.version, When(ON, dt.time(9), None, ""))
    again = Calendar.from_ical(checkin_to_ics(moved, "h", NOW)).walk("VEVENT")[0]
    assert again.get("uid") == first.get("uid") and again.get("sequence") > first.get("sequence")
    assert (moved.time_zone, moved.duration_minutes) == ("UTC", 30)
    with pytest.raises(StaleEdit):
        checkins.reschedule(org.maya.id, made.id, made.version - 1, When(ON))


@pytest.mark.parametrize(
    ("when", "field"),
    [
        (When(ON, dt.time(9), 30, "Mars/Olympus"), "time_zone"),
        (When(ON, dt.time(9), 5, "UTC"), "duration_minutes"),
        (When(ON, dt.time(9), 600, "UTC"), "duration_minutes"),
        (When(dt.date(2025, 1, 1)), "scheduled_on"),
    ],
)
def test_a_bad_time_zone_length_or_date_is_refused_by_field(
    checkins: CheckInService, org: Org, when: When, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        checkins.schedule(org.maya.id, org.leo.id, when=when)
    assert field in (refused.value.errors or {})


def test_next_steps_a_later_plan_dropped_are_shown_as_dropped(
    session: Session, checkins: CheckInService, org: Org
) -> None:
    other = Activity(
        tenant_id=org.tenant.id, external_id="t-101", kind=ActivityKind.course,
        title="Testing basics", duration_weeks=2, hours_per_week=Decimal("2"),
    )  # fmt: skip
    session.add(other)
    session.flush()
    org.plan.items.append(PlanItem(tenant_id=org.tenant.id, activity_id=other.id,
                                   start_week=5, end_week=7))  # fmt: skip
    session.flush()
    assert {i.activity_id for i in checkins.step_choices(org.leo.id)} == {org.course.id, other.id}
    made = checkins.schedule(org.maya.id, org.leo.id, ON - dt.timedelta(days=30))
    fields = {"next_activity_ids": [org.course.id, other.id], "next_steps": "Pair weekly"}
    held = checkins.record(org.maya.id, made.id, made.version, fields, {})
    steps = checkins.next_steps(held)
    assert [s.activity.id for s in steps.current] == [org.course.id, other.id]
    assert steps.dropped == []
    # A later plan drops one activity and leaves the other out altogether.
    org.plan.items[0].status = ItemStatus.dropped
    org.plan.items.remove(next(i for i in org.plan.items if i.activity_id == other.id))
    session.flush()
    steps = checkins.next_steps(held)
    assert steps.current == [] and {a.id for a in steps.dropped} == {org.course.id, other.id}
    upcoming = checkins.upcoming(org.maya.id)[org.leo.id]
    assert upcoming.scheduled_on == dt.date(2026, 4, 1)


def test_a_next_step_must_be_an_activity_still_to_do(checkins: CheckInService, org: Org) -> None:
    made = checkins.schedule(org.maya.id, org.leo.id, ON)
    with pytest.raises(Invalid) as refused:
        checkins.record(org.maya.id, made.id, made.version, {"next_activity_ids": [999999]}, {})
    assert "next_activity_ids" in (refused.value.errors or {})
