"""Quarterly check-ins: a manager schedules one per report, holds it, and records what was said.

A check-in has a date and, once given, a time of day in a time zone and a length (a calendar
invitation both people can add, `services.calendar.checkin_to_ics`); without a time it is an
all-day event. Next steps may name activities of the person's plan; one a later plan dropped is
shown as dropped, never as a next step.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lti_pathing.errors import Invalid
from lti_pathing.models import Activity, CheckIn, ItemStatus, PlanItem
from lti_pathing.services.base import TenantService
from lti_pathing.services.progress import ProgressService
from lti_pathing.services.team import TeamService

MAX_TEXT = 8000
QUARTER_DAYS = 91
MINUTES = (15, 480)  # the shortest and the longest check-in
DEFAULT_MINUTES = 30
LIVE_ITEMS = (ItemStatus.planned, ItemStatus.in_progress)


@dataclass(frozen=True)
class When:
    """When a check-in takes place: a date, and optionally a time, its length and time zone."""

    on: dt.date | None = None  # None: the first day of next quarter
    at: dt.time | None = None
    minutes: int | None = None  # default: DEFAULT_MINUTES once there is a time
    zone: str | None = None  # an IANA name; default: UTC once there is a time


@dataclass(frozen=True)
class NextStep:
    """An activity named as a next step, and where it stands in the person's plan now."""

    activity: Activity
    status: ItemStatus | None  # None: the plan in effect no longer has it


@dataclass(frozen=True)
class NextSteps:
    """A held check-in's activity next steps: those still planned (or done), those dropped since."""

    current: list[NextStep]
    dropped: list[Activity]


def time_zones() -> list[str]:
    """The IANA time zone names a check-in may use, sorted."""
    return sorted(zoneinfo.available_timezones())


def _zone_error(zone: str) -> str | None:
    if len(zone) > 64 or zone not in zoneinfo.available_timezones():
        return "choose a time zone from the list, such as Europe/Berlin or America/New_York"
    return None


def next_quarter(after: dt.date) -> dt.date:
    """The first day of the calendar quarter after the one holding `after`."""
    month = ((after.month - 1) // 3 + 1) * 3 + 1
    return dt.date(after.year + (month > 12), (month - 1) % 12 + 1, 1)


class CheckInService(TenantService):
    """Schedule, hold and list the check-ins a manager has with their reports."""

    def for_person(self, manager_id: int, person_id: int) -> list[CheckIn]:
        """A report's check-ins, newest scheduled first (NotFound for a non-report)."""
        TeamService(self.session, self.tenant).report_of(manager_id, person_id)
        stmt = self.scoped(CheckIn).where(CheckIn.person_id == person_id)
        return list(self.session.scalars(stmt.order_by(CheckIn.scheduled_on.desc(), CheckIn.id)))

    def of_learner(self, person_id: int) -> list[CheckIn]:
        """The check-ins held about oneself, newest first (what a learner sees)."""
        stmt = self.scoped(CheckIn).where(CheckIn.person_id == person_id)
        return list(self.session.scalars(stmt.order_by(CheckIn.scheduled_on.desc(), CheckIn.id)))

    def upcoming(self, manager_id: int) -> dict[int, CheckIn]:
        """Per report, their next check-in not yet held."""
        ids = TeamService(self.session, self.tenant).report_ids(manager_id)
        if not ids:
            return {}
        stmt = (
            self.scoped(CheckIn)
            .where(CheckIn.person_id.in_(ids), CheckIn.held_on.is_(None))
            .order_by(CheckIn.scheduled_on.desc())
        )
        return {c.person_id: c for c in self.session.scalars(stmt)}

    def schedule(
        self,
        manager_id: int,
        person_id: int,
        on: dt.date | None = None,
        when: When | None = None,
    ) -> CheckIn:
        """Schedule a check-in (default: next quarter's first day); one open one per person."""
        TeamService(self.session, self.tenant).report_of(manager_id, person_id)
        open_one = self.session.scalar(
            self.scoped(CheckIn).where(CheckIn.person_id == person_id, CheckIn.held_on.is_(None))
        )
        if open_one is not None:
            raise Invalid(
                "already scheduled",
                {"scheduled_on": [f"a check-in is already scheduled for {open_one.scheduled_on}"]},
            )
        check_in = CheckIn(person_id=person_id, manager_id=manager_id)
        self._set_when(check_in, when or When(on))
        return self.add(check_in)

    def reschedule(
        self, manager_id: int, check_in_id: int, expected_version: int, when: When
    ) -> CheckIn:
        """Move a check-in not yet held to another date or time."""
        check_in = self.get(CheckIn, check_in_id)
        TeamService(self.session, self.tenant).report_of(manager_id, check_in.person_id)
        self.check_version(check_in, expected_version)
        if check_in.held_on is not None:
            raise Invalid("already held", {"scheduled_on": ["this check-in was held already"]})
        self._set_when(check_in, when)
        self.flush()
        return check_in

    def _set_when(self, check_in: CheckIn, when: When) -> None:
        """Check and set the date, time, length and zone (Invalid names each field at fault)."""
        today = self.clock().date()
        on = when.on or next_quarter(today)
        errors: dict[str, list[str]] = {}
        if on < today - dt.timedelta(days=QUARTER_DAYS):
            errors["scheduled_on"] = ["pick a date in the last quarter or later"]
        minutes, zone = when.minutes, (when.zone or "").strip()
        if when.at is not None:  # without a time the check-in is all day: no length or zone
            if minutes is not None and not MINUTES[0] <= minutes <= MINUTES[1]:
                errors["duration_minutes"] = [f"from {MINUTES[0]} to {MINUTES[1]} minutes"]
            if zone and (problem := _zone_error(zone)):
                errors["time_zone"] = [problem]
        if errors:
            raise Invalid("check-in not scheduled", errors)
        check_in.scheduled_on = on
        check_in.starts_at = when.at
        check_in.duration_minutes = (minutes or DEFAULT_MINUTES) if when.at else None
        check_in.time_zone = (zone or "UTC") if when.at else None

    def zone_of(self, manager_id: int) -> str | None:
        """The time zone of the manager's latest check-in with a time (the form's default)."""
        stmt = self.scoped(CheckIn).where(
            CheckIn.manager_id == manager_id, CheckIn.time_zone.is_not(None)
        )
        latest = self.session.scalar(stmt.order_by(CheckIn.updated_at.desc(), CheckIn.id.desc()))
        return latest.time_zone if latest is not None else None

    def step_choices(self, person_id: int) -> list[PlanItem]:
        """Items of the person's plan in effect that are still to do (possible next steps)."""
        plan = ProgressService(self.session, self.tenant).reported_plan(person_id)
        if plan is None:
            return []
        return [i for i in plan.items if i.status in LIVE_ITEMS]

    def next_steps(self, check_in: CheckIn) -> NextSteps:
        """The check-in's activity next steps against the person's plan in effect now."""
        ids = list(check_in.next_activity_ids or [])
        if not ids:
            return NextSteps([], [])
        plan = ProgressService(self.session, self.tenant).reported_plan(check_in.person_id)
        status = {i.activity_id: i.status for i in plan.items} if plan is not None else {}
        current, dropped = [], []
        for activity_id in ids:
            activity = self.session.get(Activity, activity_id)
            if activity is None or activity.tenant_id != self.tenant.id:
                continue
            now = status.get(activity_id)
            if now is None or now is ItemStatus.dropped:
                dropped.append(activity)
            else:
                current.append(NextStep(activity, now))
        return NextSteps(current, dropped)

    def record(
        self,
        manager_id: int,
        check_in_id: int,
        expected_version: int,
        fields: Mapping[str, Any],
        snapshot: Mapping[str, Any],
    ) -> CheckIn:
        """Record a held check-in: date, notes, next steps and the progress snapshot of that day."""
        check_in = self.get(CheckIn, check_in_id)
        TeamService(self.session, self.tenant).report_of(manager_id, check_in.person_id)
        self.check_version(check_in, expected_version)
        errors: dict[str, list[str]] = {}
        held_on = fields.get("held_on") or self.clock().date()
        if held_on > self.clock().date():
            errors["held_on"] = ["a check-in cannot be held in the future"]
        for name in ("notes", "next_steps"):
            if len(fields.get(name) or "") > MAX_TEXT:
                errors[name] = [f"at most {MAX_TEXT} characters"]
        steps = self._steps(check_in.person_id, fields.get("next_activity_ids") or (), errors)
        if errors:
            raise Invalid("check-in not recorded", errors)
        first_record = check_in.held_on is None
        check_in.held_on = held_on
        check_in.notes = (fields.get("notes") or "").strip() or None
        check_in.next_steps = (fields.get("next_steps") or "").strip() or None
        check_in.next_activity_ids = steps or None
        check_in.snapshot = dict(snapshot)
        self.flush()
        if first_record:  # the next quarter's check-in is put in the diary straight away
            self.add(
                CheckIn(
                    person_id=check_in.person_id,
                    manager_id=manager_id,
                    scheduled_on=next_quarter(held_on),
                    starts_at=check_in.starts_at,
                    duration_minutes=check_in.duration_minutes,
                    time_zone=check_in.time_zone,
                )
            )
        return check_in

    def _steps(
        self, person_id: int, chosen: Sequence[int], errors: dict[str, list[str]]
    ) -> list[int]:
        """Chosen next-step activities, each one still to do in the person's plan in effect."""
        open_ids = {i.activity_id for i in self.step_choices(person_id)}
        wanted = list(dict.fromkeys(chosen))
        if any(a not in open_ids for a in wanted):
            errors["next_activity_ids"] = ["choose activities still to do in the current plan"]
        return wanted
