"""Reporting lines, check-ins, career moves and calendar export for the journey pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound, StaleEdit
from lti_pathing.models import CheckIn, ItemStatus, PathKind, Tenant
from lti_pathing.services.calendar import plan_to_ics
from lti_pathing.services.checkins import CheckInService, next_quarter
from lti_pathing.services.pathways import PathwayService, fit_for
from lti_pathing.services.team import TeamService
from tests.lti_pathing.services.journeys_org import Org, build_org

NOW = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    return build_org(session, tenant)


def test_reports_are_direct_and_indirect_and_nobody_elses(session: Session, org: Org) -> None:
    team = TeamService(session, org.tenant)
    assert {p.name for p in team.reports(org.maya.id)} == {"Leo Learner", "Lea Learner"}
    assert team.report_ids(org.director.id) == {
        p.id for p in (org.maya, org.omar, org.leo, org.lea, org.xena)
    }
    assert team.report_ids(org.leo.id) == set()
    assert team.is_manager(org.maya.id) and not team.is_manager(org.leo.id)
    with pytest.raises(NotFound):
        team.report_of(org.maya.id, org.xena.id)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2026, 2, 10), dt.date(2026, 4, 1)), (dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
     (dt.date(2026, 7, 1), dt.date(2026, 10, 1))],
)  # fmt: skip
def test_next_quarter(day: dt.date, expected: dt.date) -> None:
    assert next_quarter(day) == expected


def test_a_held_check_in_schedules_the_next_quarter(session: Session, org: Org) -> None:
    checkins = CheckInService(session, org.tenant, clock=lambda: NOW)
    first = checkins.schedule(org.maya.id, org.leo.id)
    assert first.scheduled_on == dt.date(2026, 4, 1)
    with pytest.raises(Invalid, match="already scheduled"):
        checkins.schedule(org.maya.id, org.leo.id)
    checkins.record(
        org.maya.id, first.id, first.version,
        {"held_on": dt.date(2026, 2, 9), "notes": " Good start ", "next_steps": ""},
        {"done": 1, "total": 3},
    )  # fmt: skip
    held, upcoming = sorted(checkins.for_person(org.maya.id, org.leo.id), key=lambda c: c.id)
    assert (held.notes, held.next_steps, held.snapshot) == (
        "Good start",
        None,
        {"done": 1, "total": 3},
    )
    assert upcoming.held_on is None and upcoming.scheduled_on == dt.date(2026, 4, 1)
    assert checkins.upcoming(org.maya.id) == {org.leo.id: upcoming}
    with pytest.raises(StaleEdit):
        checkins.record(org.maya.id, held.id, 1, {"notes": "again"}, {})


def test_check_ins_refuse_non_reports_and_future_dates(session: Session, org: Org) -> None:
    checkins = CheckInService(session, org.tenant, clock=lambda: NOW)
    with pytest.raises(NotFound):
        checkins.schedule(org.maya.id, org.xena.id)
    made = checkins.schedule(org.maya.id, org.leo.id, dt.date(2026, 2, 1))
    with pytest.raises(NotFound):
        checkins.record(org.omar.id, made.id, made.version, {}, {})
    with pytest.raises(Invalid) as caught:
        checkins.record(org.maya.id, made.id, made.version, {"held_on": dt.date(2026, 3, 1)}, {})
    assert "held_on" in caught.value.errors
    assert session.get_one(CheckIn, made.id).held_on is None


def test_moves_from_a_role_with_fit(session: Session, org: Org) -> None:
    moves = PathwayService(session, org.tenant).moves(org.swe1.id, {org.testing.id: 2})
    summary = [(m.fit.role.title, m.kind, m.depth, m.fit.percent) for m in moves]
    assert summary == [
        ("QA Engineer", PathKind.lateral, 1, 100),
        ("Software Engineer II", PathKind.vertical, 1, 50),
        ("Software Engineer III", PathKind.vertical, 2, 33),
    ]
    assert moves[2].via is not None and moves[2].via.title == "Software Engineer II"


def test_fit_lists_open_gaps_biggest_first(org: Org) -> None:
    fit = fit_for(org.swe3, {org.python.id: 2})
    assert [(g.skill, g.missing) for g in fit.open_gaps] == [("Testing", 3), ("Python", 1)]


def test_calendar_export_has_one_dated_event_per_item(session: Session, org: Org) -> None:
    org.course.title = "Python; the next step, with commas"
    ics = plan_to_ics(org.plan, "tool.example.com", NOW)
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART;VALUE=DATE:20260112\r\nDTEND;VALUE=DATE:20260209\r\n" in ics
    assert "SUMMARY:Python\\; the next step\\, with commas (course)" in ics
    assert f"UID:plan-{org.plan.id}-item-{org.plan.items[0].id}@tool.example.com" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    org.plan.items[0].status = ItemStatus.dropped
    assert "BEGIN:VEVENT" not in plan_to_ics(org.plan, "tool.example.com", NOW)
