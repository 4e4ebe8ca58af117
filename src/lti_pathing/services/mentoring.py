"""Mentors who say yes: booking requests they accept or decline, their weeks off, their load.

A plan item that takes a mentor asks them once its plan is submitted or approved (a
`MentorBooking`, requested). The mentor accepts or declines; a request left unanswered for
BOOKING_DAYS expires (the periodic job `expire_overdue`). A declined or expired booking no longer
holds the mentor (`planning/catalog.py` leaves it out of their load), the mentor is offered no
more to that learner, and the learner's plan is re-planned from today (`RescheduleService`: a
proposal for the manager when the plan is held).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select

from lti_pathing.errors import Conflict, Invalid, NotFound
from lti_pathing.models import (
    BookingStatus,
    ItemStatus,
    Mentor,
    MentorBooking,
    MentorUnavailableWeek,
    Person,
    Plan,
    PlanItem,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.calendar import week_date
from lti_pathing.services.plan_life import HELD
from lti_pathing.services.planning.calendar import monday_of

BOOKING_DAYS = 7  # an unanswered request expires after this many days
LIVE = (ItemStatus.planned, ItemStatus.in_progress)
OPEN = (BookingStatus.requested, BookingStatus.accepted)
MAX_UNAVAILABLE = 104  # weeks a mentor may mark at once
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Mentee:
    """One booking as the mentor's page shows it."""

    booking: MentorBooking
    starts_on: dt.date
    ends_on: dt.date  # the last day


class MentorService(TenantService):
    """Bookings, answers, weeks off and load of the catalog's mentors."""

    def mentor_of(self, person_id: int) -> Mentor:
        """The person's active mentor record; NotFound for anyone who is not a mentor."""
        found = self.session.scalar(
            self.scoped(Mentor).where(Mentor.person_id == person_id, Mentor.active.is_(True))
        )
        if found is None:
            raise NotFound("you are not a mentor in lti-pathing")
        return found

    def choices(self) -> list[tuple[int, str]]:
        """(mentor id, name) of the active mentors, by name (a learner's preferred mentor)."""
        stmt = (
            select(Mentor.id, Person.name).join(Person, Mentor.person_id == Person.id)
            .where(Mentor.tenant_id == self.tenant.id, Mentor.active.is_(True))
            .order_by(Person.name, Mentor.id)
        )  # fmt: skip
        return [(mid, name) for mid, name in self.session.execute(stmt)]

    def request_for(self, plan: Plan) -> list[MentorBooking]:
        """Ask each mentor the held plan takes (once per item); returns the new requests."""
        if plan.status not in HELD:
            return []
        asked = set(self.session.scalars(
            select(MentorBooking.plan_item_id).join(PlanItem)
            .where(MentorBooking.tenant_id == self.tenant.id, PlanItem.plan_id == plan.id)
        ))  # fmt: skip
        agreed = self._agreed(plan.person_id)
        made = []
        for item in plan.items:
            if item.mentor_id is None or item.status not in LIVE or item.id in asked:
                continue
            booking = MentorBooking(
                plan_item_id=item.id, mentor_id=item.mentor_id, mentee_id=plan.person_id,
                requested_at=self.clock(),
            )  # fmt: skip
            if (item.mentor_id, item.activity_id) in agreed:  # a re-plan kept what they accepted
                booking.status, booking.answered_at = BookingStatus.accepted, self.clock()
            made.append(self.add(booking))
            # notify: mentor_booking_requested(booking) -- when booking.status is requested
        return made

    def _agreed(self, mentee_id: int) -> set[tuple[int, int]]:
        """(mentor, activity) pairs the mentee's mentors have accepted."""
        stmt = (
            select(MentorBooking.mentor_id, PlanItem.activity_id)
            .join(PlanItem, MentorBooking.plan_item_id == PlanItem.id)
            .where(MentorBooking.tenant_id == self.tenant.id, MentorBooking.mentee_id == mentee_id,
                   MentorBooking.status == BookingStatus.accepted)
        )  # fmt: skip
        return {(m, a) for m, a in self.session.execute(stmt)}

    def refused_activities(self, mentee_id: int) -> set[int]:
        """Activities of the mentee's plans whose mentor declined them (or let it expire)."""
        stmt = (
            select(PlanItem.activity_id)
            .join(MentorBooking, MentorBooking.plan_item_id == PlanItem.id)
            .where(MentorBooking.tenant_id == self.tenant.id, MentorBooking.mentee_id == mentee_id,
                   MentorBooking.status.in_((BookingStatus.declined, BookingStatus.expired)))
        )  # fmt: skip
        return set(self.session.scalars(stmt))

    def declined_by(self, mentee_ids: Iterable[int]) -> dict[int, set[int]]:
        """Mentor ids that declined (or let expire) a request of each mentee."""
        out: dict[int, set[int]] = {}
        stmt = select(MentorBooking.mentee_id, MentorBooking.mentor_id).where(
            MentorBooking.tenant_id == self.tenant.id,
            MentorBooking.mentee_id.in_(list(mentee_ids)),
            MentorBooking.status.in_((BookingStatus.declined, BookingStatus.expired)),
        )
        for mentee, mentor in self.session.execute(stmt):
            out.setdefault(mentee, set()).add(mentor)
        return out

    def bookings(self, mentor: Mentor, statuses: Iterable[BookingStatus] = OPEN) -> list[Mentee]:
        """The mentor's bookings in live items of held plans, soonest first."""
        stmt = (
            select(MentorBooking, PlanItem, Plan)
            .join(PlanItem, MentorBooking.plan_item_id == PlanItem.id)
            .join(Plan, PlanItem.plan_id == Plan.id)
            .where(MentorBooking.tenant_id == self.tenant.id, MentorBooking.mentor_id == mentor.id,
                   MentorBooking.status.in_(list(statuses)), Plan.status.in_(HELD),
                   PlanItem.status.in_(LIVE))
        )  # fmt: skip
        rows = [Mentee(b, week_date(p, i.start_week), week_date(p, i.end_week) - dt.timedelta(1))
                for b, i, p in self.session.execute(stmt)]  # fmt: skip
        return sorted(rows, key=lambda m: (m.starts_on, m.booking.id))

    def load(self, mentor: Mentor, weeks: int = 12) -> list[tuple[dt.date, int, bool]]:
        """(Monday, mentees, unavailable) for the coming weeks: what the mentor has taken on."""
        first = monday_of(self.clock().date())
        off = self.unavailable(mentor)
        held = self.bookings(mentor)
        out = []
        for n in range(weeks):
            monday = first + dt.timedelta(weeks=n)
            count = sum(1 for m in held if m.starts_on <= monday <= m.ends_on)
            out.append((monday, count, monday in off))
        return out

    def answer(
        self, person_id: int, booking_id: int, accept: bool, version: int, comment: str = ""
    ) -> MentorBooking:
        """The mentor accepts or declines a requested booking (only their own)."""
        mentor = self.mentor_of(person_id)
        booking = self.get(MentorBooking, booking_id)
        if booking.mentor_id != mentor.id:
            raise NotFound(f"no MentorBooking with id {booking_id}")
        self.check_version(booking, version)
        if booking.status is not BookingStatus.requested:
            raise Conflict(f"this booking is already {booking.status.value}")
        text = (comment or "").strip()
        if len(text) > MAX_COMMENT:
            raise Invalid("comment too long", {"comment": [f"at most {MAX_COMMENT} characters"]})
        booking.status = BookingStatus.accepted if accept else BookingStatus.declined
        booking.answered_at, booking.comment = self.clock(), text or None
        self.flush()
        # notify: mentor_booking_answered(booking)
        return booking

    def expire_overdue(self) -> list[MentorBooking]:
        """Requests unanswered for BOOKING_DAYS become expired (the periodic job calls this)."""
        cutoff = self.clock() - dt.timedelta(days=BOOKING_DAYS)
        stmt = self.scoped(MentorBooking).where(
            MentorBooking.status == BookingStatus.requested, MentorBooking.requested_at < cutoff
        )
        expired = list(self.session.scalars(stmt))
        for booking in expired:
            booking.status, booking.answered_at = BookingStatus.expired, self.clock()
            # notify: mentor_booking_cancelled(booking) -- the learner and the mentor
        self.flush()
        return expired

    def plan_to_replan(self, booking: MentorBooking) -> Plan | None:
        """The held plan a declined or expired booking leaves without its mentor, if any."""
        plan = booking.item.plan
        return plan if plan.status in HELD else None

    def unavailable(self, mentor: Mentor) -> set[dt.date]:
        """Mondays of the weeks the mentor takes no mentees."""
        stmt = select(MentorUnavailableWeek.week_of).where(
            MentorUnavailableWeek.tenant_id == self.tenant.id,
            MentorUnavailableWeek.mentor_id == mentor.id,
        )
        return set(self.session.scalars(stmt))

    def set_unavailable(self, person_id: int, first: str, last: str, available: bool) -> int:
        """Mark (or clear) every week from `first` to `last` (ISO dates); returns how many."""
        mentor = self.mentor_of(person_id)
        start, end = _dates(first, last)
        weeks = []
        monday = monday_of(start)
        while monday <= end:
            weeks.append(monday)
            monday += dt.timedelta(weeks=1)
        self.session.execute(delete(MentorUnavailableWeek).where(
            MentorUnavailableWeek.tenant_id == self.tenant.id,
            MentorUnavailableWeek.mentor_id == mentor.id,
            MentorUnavailableWeek.week_of.in_(weeks)))  # fmt: skip
        if not available:
            self.session.add_all(MentorUnavailableWeek(tenant_id=self.tenant.id,
                                                       mentor_id=mentor.id, week_of=w)
                                 for w in weeks)  # fmt: skip
        self.flush()
        return len(weeks)

    def set_capacity(self, person_id: int, capacity: str, version: int) -> Mentor:
        """The mentor says how many mentees they take at once (0 to 20)."""
        mentor = self.mentor_of(person_id)
        self.check_version(mentor, version)
        text = capacity.strip()
        if not (text.isascii() and text.isdigit() and 0 <= int(text[:3]) <= 20):
            raise Invalid("capacity out of range", {"capacity": ["a whole number from 0 to 20"]})
        mentor.capacity = int(text)
        self.flush()
        return mentor


def _dates(first: str, last: str) -> tuple[dt.date, dt.date]:
    """Two ISO dates, in order and at most MAX_UNAVAILABLE weeks apart; every problem listed."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, dt.date] = {}
    for name, text in (("first", first), ("last", last)):
        try:
            parsed[name] = dt.date.fromisoformat(text.strip())
        except ValueError:
            errors[name] = ["a date like 2027-03-01"]
    if not errors and parsed["last"] < parsed["first"]:
        errors["last"] = ["on or after the first day"]
    elif not errors and (parsed["last"] - parsed["first"]).days > 7 * MAX_UNAVAILABLE:
        errors["last"] = [f"at most {MAX_UNAVAILABLE} weeks after the first day"]
    if errors:
        raise Invalid("the weeks cannot be saved", errors)
    return parsed["first"], parsed["last"]
