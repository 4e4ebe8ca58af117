"""Quarterly check-ins: a manager schedules one per report, holds it, and records what was said."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from lti_pathing.errors import Invalid
from lti_pathing.models import CheckIn
from lti_pathing.services.base import TenantService
from lti_pathing.services.team import TeamService

MAX_TEXT = 8000
QUARTER_DAYS = 91


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

    def schedule(self, manager_id: int, person_id: int, on: dt.date | None = None) -> CheckIn:
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
        today = self.clock().date()
        on = on or next_quarter(today)
        if on < today - dt.timedelta(days=QUARTER_DAYS):
            raise Invalid(
                "too far back", {"scheduled_on": ["pick a date in the last quarter or later"]}
            )
        return self.add(CheckIn(person_id=person_id, manager_id=manager_id, scheduled_on=on))

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
        if errors:
            raise Invalid("check-in not recorded", errors)
        first_record = check_in.held_on is None
        check_in.held_on = held_on
        check_in.notes = (fields.get("notes") or "").strip() or None
        check_in.next_steps = (fields.get("next_steps") or "").strip() or None
        check_in.snapshot = dict(snapshot)
        self.flush()
        if first_record:  # the next quarter's check-in is put in the diary straight away
            self.add(
                CheckIn(
                    person_id=check_in.person_id,
                    manager_id=manager_id,
                    scheduled_on=next_quarter(held_on),
                )
            )
        return check_in

    def held_count(self, person_ids: list[int]) -> int:
        """How many check-ins have been held with these people."""
        stmt = select(CheckIn.id).where(
            CheckIn.tenant_id == self.tenant.id,
            CheckIn.person_id.in_(person_ids),
            CheckIn.held_on.is_not(None),
        )
        return len(list(self.session.scalars(stmt)))
