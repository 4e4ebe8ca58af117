"""What a plan asks of the learner's team: hours away each week, who else is away or on
blackout then, the mentors and seats it books, and its cost against the team's budget.

The team is everyone below the learner's own manager (the learner's peers and their reports);
their submitted and approved plans are what the team has already promised.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from lti_pathing.models import ItemStatus, Mentor, Plan, PlanItem
from lti_pathing.services.base import TenantService
from lti_pathing.services.calendar import week_date
from lti_pathing.services.plan_life import HELD
from lti_pathing.services.planning.calendar import monday_of
from lti_pathing.services.planning.settings import PlanSettings
from lti_pathing.services.team import TeamService
from lti_pathing.services.team_budget import BudgetLine, TeamBudgetService

LIVE = (ItemStatus.planned, ItemStatus.in_progress)


@dataclass(frozen=True)
class Away:
    """A teammate away learning in a week, and for how many hours."""

    name: str
    hours: Decimal


@dataclass(frozen=True)
class WeekLoad:
    """One week of the plan: the learner's hours away, and the team around them."""

    week: int
    starts_on: dt.date
    hours: Decimal
    blackout: bool
    others: tuple[Away, ...]
    others_blackout: tuple[str, ...]

    @property
    def overlaps(self) -> bool:
        """True when the learner is away while a teammate is away or on blackout."""
        return self.hours > 0 and bool(self.others or self.others_blackout)


@dataclass(frozen=True)
class Booking:
    """A mentor or a seat the plan takes, and how full it is then (the plan counted)."""

    kind: str  # "mentor" or "seat"
    activity: str
    holder: str  # the mentor's name, or the cohort / activity that has the seats
    starts_on: dt.date
    ends_on: dt.date  # the last day
    taken: int
    of: int | None  # None: unlimited seats


@dataclass(frozen=True)
class TeamImpact:
    """Everything the approval page shows about a plan's cost to the team."""

    weeks: tuple[WeekLoad, ...]
    bookings: tuple[Booking, ...]
    budget: tuple[BudgetLine, ...]
    total_hours: Decimal
    peak_hours: Decimal

    @property
    def overlap_weeks(self) -> int:
        """Weeks in which the learner's time away overlaps a teammate's."""
        return sum(1 for w in self.weeks if w.overlaps)


def weekly_hours(plan: Plan, items: Iterable[PlanItem] | None = None) -> dict[int, Decimal]:
    """The plan's hours per week (week number -> hours), dropped items left out."""
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for item in plan.items if items is None else items:
        if item.status is ItemStatus.dropped:
            continue
        for week in range(item.start_week, item.end_week):
            hours[week] += Decimal(item.activity.hours_per_week)
    return hours


def plan_cost(plan: Plan) -> Decimal:
    """What the plan's items cost, dropped items left out."""
    return sum((i.activity.cost for i in plan.items if i.status is not ItemStatus.dropped),
               Decimal(0))  # fmt: skip


def blackout_mondays(plan: Plan) -> set[dt.date]:
    """Mondays of the weeks the plan's settings black out."""
    return {monday_of(d) for d in PlanSettings.from_json(plan.settings or {}).blackout}


class TeamImpactService(TenantService):
    """Measure what a plan asks of the learner's team."""

    def impact(self, plan: Plan) -> TeamImpact:
        """The plan's weeks, bookings and budget lines, against the team's other plans."""
        others = self._team_plans(plan)
        mine = weekly_hours(plan)
        last = max((i.end_week for i in plan.items), default=0)
        own_blackout = blackout_mondays(plan)
        away, blackout = _team_calendar(others)
        weeks = tuple(
            WeekLoad(
                w, (day := week_date(plan, w)), mine.get(w, Decimal(0)), day in own_blackout,
                tuple(sorted(away.get(day, ()), key=lambda a: a.name)),
                tuple(sorted(blackout.get(day, ()))),
            )
            for w in range(last)
        )  # fmt: skip
        hours = list(mine.values())
        return TeamImpact(
            weeks=weeks,
            bookings=tuple(self._bookings(plan)),
            budget=tuple(TeamBudgetService(self.session, self.tenant).lines_for(plan)),
            total_hours=sum(hours, Decimal(0)),
            peak_hours=max(hours, default=Decimal(0)),
        )

    def _team_plans(self, plan: Plan) -> list[Plan]:
        """Submitted and approved plans of the rest of the learner's manager's team."""
        manager_id = plan.person.manager_id
        if manager_id is None:
            return []
        team = TeamService(self.session, self.tenant).report_ids(manager_id)
        others = team - {plan.person_id}
        stmt = self.scoped(Plan).where(Plan.person_id.in_(others), Plan.status.in_(HELD))
        return list(self.session.scalars(stmt.order_by(Plan.id)))

    def _bookings(self, plan: Plan) -> Iterable[Booking]:
        """The plan's mentors and seats, each with how full it is in the item's weeks."""
        for item in plan.items:
            if item.status not in LIVE:
                continue
            start, end = week_date(plan, item.start_week), week_date(plan, item.end_week)
            if item.mentor_id is not None:
                mentor = self.get(Mentor, item.mentor_id)
                taken = self._peak(start, end, PlanItem.mentor_id == mentor.id, plan.id) + 1
                yield Booking("mentor", item.activity.title, mentor.person.name, start,
                              end - dt.timedelta(days=1), taken, mentor.capacity)  # fmt: skip
            elif item.cohort_id is not None or item.activity.seats is not None:
                yield self._seat(plan, item, start, end)

    def _seat(self, plan: Plan, item: PlanItem, start: dt.date, end: dt.date) -> Booking:
        if item.cohort_id is not None:
            cohort = next(c for c in item.activity.cohorts if c.id == item.cohort_id)
            seats = cohort.seats if cohort.seats is not None else item.activity.seats
            taken = self._count(PlanItem.cohort_id == item.cohort_id, plan.id) + 1
            holder = f"cohort starting {cohort.starts_on.isoformat()}"
        else:
            seats = item.activity.seats
            taken = self._peak(start, end, PlanItem.activity_id == item.activity_id, plan.id) + 1
            holder = item.activity.title
        return Booking("seat", item.activity.title, holder, start,
                       end - dt.timedelta(days=1), taken, seats)  # fmt: skip

    def _holding_items(self, condition: object, plan_id: int) -> Sequence[tuple[PlanItem, Plan]]:
        stmt = (
            select(PlanItem, Plan)
            .join(Plan, PlanItem.plan_id == Plan.id)
            .where(Plan.tenant_id == self.tenant.id, Plan.status.in_(HELD),
                   Plan.id != plan_id, PlanItem.status.in_(LIVE), condition)  # type: ignore[arg-type]
        )  # fmt: skip
        return [(i, p) for i, p in self.session.execute(stmt)]

    def _count(self, condition: object, plan_id: int) -> int:
        return len(self._holding_items(condition, plan_id))

    def _peak(self, start: dt.date, end: dt.date, condition: object, plan_id: int) -> int:
        """The most other plans' items meeting `condition` active in one week of start..end."""
        per_week: dict[dt.date, int] = defaultdict(int)
        for item, other in self._holding_items(condition, plan_id):
            first, stop = week_date(other, item.start_week), week_date(other, item.end_week)
            day = max(first, start)
            while day < min(stop, end):
                per_week[monday_of(day)] += 1
                day += dt.timedelta(weeks=1)
        return max(per_week.values(), default=0)


def _team_calendar(
    plans: Sequence[Plan],
) -> tuple[dict[dt.date, list[Away]], dict[dt.date, set[str]]]:
    """Per Monday: teammates away (with hours) and teammates on blackout."""
    away: dict[dt.date, list[Away]] = defaultdict(list)
    blackout: dict[dt.date, set[str]] = defaultdict(set)
    for other in plans:
        name = other.person.name
        for week, hours in weekly_hours(
            other, [i for i in other.items if i.status in LIVE]
        ).items():
            if hours > 0:
                away[week_date(other, week)].append(Away(name, hours))
        for monday in blackout_mondays(other):
            blackout[monday].add(name)
    return away, blackout
