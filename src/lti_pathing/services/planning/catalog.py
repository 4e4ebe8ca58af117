"""The tenant's catalog as the catalog part of a planning request (docs/plan-format.md).

Loaded once per solve (or once per batch of learners in a re-plan) and turned into JSON for one
plan calendar. Activities the plan cannot offer in its weeks (retired, no cohort left in the
horizon, a window outside it, no active mentor, no seat left) stay in the request in a neutral
form so that those who completed them keep their prerequisites; every learner who has not
completed them gets them as `excluded`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lti_pathing.models import (
    Activity,
    ActivityKind,
    BookingStatus,
    Mentor,
    MentorBooking,
    MentorUnavailableWeek,
    Person,
    Plan,
    PlanItem,
    Skill,
    Tenant,
)
from lti_pathing.services.plan_life import HELD
from lti_pathing.services.planning.calendar import Calendar

# Plans whose items hold mentors and seats for everybody else.
LIVE_ITEMS = ("planned", "in_progress")
# A mentor's answer that frees the place an item held (and keeps them from that mentee).
REFUSED = (BookingStatus.declined, BookingStatus.expired)


@dataclass
class Catalog:
    """The catalog part of a request for one calendar, and the maps back to database ids."""

    skills: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    mentors: list[dict[str, Any]]
    unofferable: set[str]  # activity ids in the request only for those who completed them
    activity_ids: dict[str, int]  # request id -> Activity.id
    mentor_ids: dict[str, int]  # request id -> Mentor.id
    cohort_ids: dict[tuple[str, int], int]  # (activity, start week) -> Cohort.id
    skill_ids: dict[str, int]  # request id -> Skill.id
    max_level: dict[str, int] = field(default_factory=dict)
    _by_id: dict[int, str] = field(default_factory=dict, repr=False)

    def external(self, activity_id: int) -> str | None:
        """The request id of a database activity id."""
        if len(self._by_id) != len(self.activity_ids):
            self._by_id = {v: k for k, v in self.activity_ids.items()}
        return self._by_id.get(activity_id)


def _number(value: Any) -> int | float:
    """A Decimal as the JSON number the planner reads exactly (an int when whole)."""
    return int(value) if value == int(value) else float(value)


class CatalogLoader:
    """Reads the tenant's skills, activities, mentors and other people's bookings once."""

    def __init__(self, session: Session, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.skills = list(
            session.scalars(
                select(Skill)
                .where(Skill.tenant_id == tenant.id)
                .options(selectinload(Skill.levels))
                .order_by(Skill.external_id)
            )
        )
        self.activities = list(
            session.scalars(
                select(Activity)
                .where(Activity.tenant_id == tenant.id)
                .options(
                    selectinload(Activity.outcomes),
                    selectinload(Activity.skill_prereqs),
                    selectinload(Activity.prereqs),
                    selectinload(Activity.cohorts),
                    selectinload(Activity.mentors),
                )
                .order_by(Activity.external_id)
            )
        )
        self.mentors = list(
            session.execute(
                select(Mentor, Person.external_id)
                .join(Person, Mentor.person_id == Person.id)
                .where(Mentor.tenant_id == tenant.id, Mentor.active.is_(True))
                .order_by(Person.external_id)
            )
        )
        self.holding: list[tuple[PlanItem, int, Any]] = [
            (item, pid, starts)
            for item, pid, starts in session.execute(
                select(PlanItem, Plan.person_id, Plan.starts_on)
                .join(Plan, PlanItem.plan_id == Plan.id)
                .where(
                    Plan.tenant_id == tenant.id,
                    Plan.status.in_(HELD),
                    PlanItem.status.in_(LIVE_ITEMS),
                )
            )
        ]

        self.answers = _answers(session, tenant)

    def build(self, calendar: Calendar, horizon: int, replanned: Iterable[int] = ()) -> Catalog:
        """The catalog for plans on `calendar`; `replanned` people's own bookings are ignored.

        A mentor's answers count: a declined or expired booking holds no place, a week they
        marked unavailable is full, and for a request planning one person, the mentors who
        declined that person have no room for them.
        """
        skip = set(replanned)
        skill_key = {s.id: s.external_id for s in self.skills if s.max_level >= 1}
        mentor_key = {m.id: ext for m, ext in self.mentors}
        held = [h for h in self.holding if self.answers.status.get(h[0].id) not in REFUSED]
        bookings = _bookings(held, skip, calendar, horizon)
        capacity = {m.id: m.capacity for m, _ in self.mentors}
        declined = self.answers.declined.get(next(iter(skip)), set()) if len(skip) == 1 else set()
        for mid in mentor_key:
            weeks = {calendar.week_of(d) for d in self.answers.off.get(mid, ())}
            weeks |= set(range(horizon)) if mid in declined else set()
            bookings[mid] = bookings.get(mid, []) + _full(weeks, horizon, capacity[mid])
        taken_cohorts = Counter(
            item.cohort_id for item, pid, _ in self.holding if pid not in skip and item.cohort_id
        )
        bookings = {mid: b for mid, b in bookings.items() if b}
        catalog = Catalog(
            skills=[
                {"id": skill_key[s.id], "max_level": s.max_level}
                for s in self.skills
                if s.id in skill_key
            ],
            activities=[],
            mentors=[
                {"id": ext, "capacity": m.capacity, "booked": bookings.get(m.id, [])}
                for m, ext in self.mentors
            ],
            unofferable=set(),
            activity_ids={a.external_id: a.id for a in self.activities},
            mentor_ids={ext: m.id for m, ext in self.mentors},
            cohort_ids={},
            skill_ids={ext: sid for sid, ext in skill_key.items()},
            max_level={s.external_id: s.max_level for s in self.skills if s.id in skill_key},
        )
        by_id = {a.id: a.external_id for a in self.activities}
        for activity in self.activities:
            data = _activity(activity, skill_key, by_id)
            offer = activity.active and _schedule(
                activity, data, calendar, horizon, mentor_key, taken_cohorts, catalog.cohort_ids
            )
            if not offer:
                data = _neutral(data)
                catalog.unofferable.add(activity.external_id)
            catalog.activities.append(data)
        return catalog


def _activity(
    activity: Activity, skill_key: dict[int, str], by_id: dict[int, str]
) -> dict[str, Any]:
    """What the activity teaches and needs, in request form (no schedule yet)."""
    data: dict[str, Any] = {
        "id": activity.external_id,
        "kind": activity.kind.value,
        "duration_weeks": activity.duration_weeks,
        "hours_per_week": _number(activity.hours_per_week),
        "cost": _number(activity.cost),
        "grants": {
            skill_key[o.skill_id]: o.level for o in activity.outcomes if o.skill_id in skill_key
        },
    }
    requires: dict[str, Any] = {}
    skills = {
        skill_key[p.skill_id]: p.level for p in activity.skill_prereqs if p.skill_id in skill_key
    }
    if skills:
        requires["skills"] = skills
    if activity.prereqs:
        requires["activities"] = [by_id[p.requires_id] for p in activity.prereqs]
    if requires:
        data["requires"] = requires
    return data


def _schedule(
    activity: Activity,
    data: dict[str, Any],
    calendar: Calendar,
    horizon: int,
    mentor_key: dict[int, str],
    taken_cohorts: Counter[int],
    cohort_ids: dict[tuple[str, int], int],
) -> bool:
    """Add cohorts, window, seats and mentors for this calendar; False when it cannot be offered."""
    earliest = 0
    if activity.earliest_start is not None:
        earliest = max(0, calendar.first_week_from(activity.earliest_start))
    latest = horizon
    if activity.latest_end is not None:
        latest = min(horizon, calendar.weeks_ending_by(activity.latest_end))
    if latest - earliest < activity.duration_weeks:
        return False
    if earliest or latest < horizon:
        data["window"] = {"earliest_start": earliest}
        if latest < horizon:
            data["window"]["latest_end"] = latest
    if activity.cohorts and not _cohorts(
        activity, data, calendar, horizon, taken_cohorts, cohort_ids
    ):
        return False
    if not activity.cohorts and activity.seats is not None:
        data["seats"] = activity.seats
    eligible = [mentor_key[m.mentor_id] for m in activity.mentors if m.mentor_id in mentor_key]
    if activity.mentors or activity.kind == ActivityKind.mentorship:
        if not eligible:
            return False
        data["mentors"] = sorted(eligible)
    return True


def _cohorts(
    activity: Activity,
    data: dict[str, Any],
    calendar: Calendar,
    horizon: int,
    taken: Counter[int],
    cohort_ids: dict[tuple[str, int], int],
) -> bool:
    """Cohorts in the horizon with a seat left become start weeks; seats: the fewest left."""
    weeks: list[int] = []
    left: list[int] = []
    for cohort in activity.cohorts:
        week = calendar.week_of(cohort.starts_on)
        seats = cohort.seats if cohort.seats is not None else activity.seats
        free = None if seats is None else seats - taken[cohort.id]
        if not 0 <= week < horizon or (free is not None and free <= 0):
            continue
        if (activity.external_id, week) not in cohort_ids:
            cohort_ids[(activity.external_id, week)] = cohort.id
            weeks.append(week)
        if free is not None:
            left.append(free)
    if not weeks:
        return False
    data["start_weeks"] = sorted(weeks)
    if left:
        # The format has one seat count for every cohort of an activity: the fewest left holds
        # for all of them (it only binds when several learners of one request want a cohort).
        data["seats"] = min(left)
    return True


def _neutral(data: dict[str, Any]) -> dict[str, Any]:
    """An activity only there for those who completed it: no schedule, no mentor, no effort."""
    out = {k: v for k, v in data.items() if k in ("id", "grants", "requires")}
    return {**out, "kind": "course", "duration_weeks": 1, "hours_per_week": 0, "cost": 0}


def _bookings(
    holding: list[tuple[PlanItem, int, Any]], skip: set[int], calendar: Calendar, horizon: int
) -> dict[int, list[dict[str, int]]]:
    """Mentees each mentor has in other people's submitted and approved plans, in our weeks."""
    counted: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    for item, person_id, starts_on in holding:
        if item.mentor_id is None or person_id in skip or starts_on is None:
            continue
        theirs = Calendar.starting(starts_on)
        start = calendar.week_of(theirs.start_date(item.start_week))
        end = calendar.week_of(theirs.start_date(item.end_week))
        if end <= 0 or start >= horizon:
            continue
        counted[item.mentor_id][(max(0, start), end)] += 1
    return {
        mid: [{"from_week": f, "to_week": t, "mentees": n} for (f, t), n in sorted(c.items())]
        for mid, c in counted.items()
    }


@dataclass
class Answers:
    """What mentors said: each booked item's answer, weeks off, whom they declined."""

    status: dict[int, BookingStatus]  # plan item id -> the mentor's answer
    off: dict[int, set[Any]]  # mentor id -> Mondays of weeks they are unavailable
    declined: dict[int, set[int]]  # mentee person id -> mentor ids who declined them


def _answers(session: Session, tenant: Tenant) -> Answers:
    """The tenant's mentors' answers, read once per loader."""
    answers = Answers({}, defaultdict(set), defaultdict(set))
    stmt = select(MentorBooking).where(MentorBooking.tenant_id == tenant.id)
    for booking in session.scalars(stmt):
        answers.status[booking.plan_item_id] = booking.status
        if booking.status in REFUSED:
            answers.declined[booking.mentee_id].add(booking.mentor_id)
    weeks = select(MentorUnavailableWeek).where(MentorUnavailableWeek.tenant_id == tenant.id)
    for week in session.scalars(weeks):
        answers.off[week.mentor_id].add(week.week_of)
    return answers


def _full(weeks: set[int], horizon: int, capacity: int) -> list[dict[str, int]]:
    """Bookings that fill a mentor's capacity in these weeks (runs of weeks merged)."""
    inside = sorted(w for w in weeks if 0 <= w < horizon)
    if capacity < 1 or not inside:
        return []
    runs: list[list[int]] = []
    for week in inside:
        if runs and runs[-1][1] == week:
            runs[-1][1] = week + 1
        else:
            runs.append([week, week + 1])
    return [{"from_week": f, "to_week": t, "mentees": capacity} for f, t in runs]
