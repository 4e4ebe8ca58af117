"""Brute-force optimum for tiny requests, to prove the CP-SAT model optimal in tests.

Enumerates, for every learner, every subset of activities (pins always in), every start week and
mentor of each chosen item, and keeps the best plans by the team objective: the sum of each tier
over learners, compared lexicographically. Closure, hours and cost depend on the subsets alone, so
combinations of subsets are tried best first and the search stops when none left can win.

Safe shortcuts only: a partial schedule that already breaks a limit is dropped (adding items never
repairs that); of one learner's schedules that use mentors and seats identically, only the earliest
ready is kept (the others can never do better); a combination is abandoned once even its readiest
schedules cannot beat the best found.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from solver.instance import Activity, Learner, PlanRequest
from solver.measure import closure_milli, gaps, learner_plan
from solver.solution import PlanItem, PlanResponse

Key = tuple[int, int, int, int]
Option = tuple[int, str | None]  # start week, mentor

LIMITS = {"activities": 6, "horizon": 8, "learners": 2}


@dataclass(frozen=True)
class _Subset:
    """One learner's chosen activities and what they fix of the objective."""

    learner: int
    activities: tuple[Activity, ...]
    closure: int
    hours: int
    cost: int
    min_readiness: int  # no schedule of these ends earlier


def exhaustive(request: PlanRequest) -> PlanResponse:
    """The optimal plans of a tiny request (status "infeasible" if no schedule keeps every rule)."""
    _check_size(request)
    per_learner = [_subsets(request, i) for i in range(len(request.learners))]
    combos = sorted(itertools.product(*per_learner), key=_upper_key, reverse=True)
    cache: dict[tuple[int, tuple[str, ...]], list[_Schedule]] = {}
    best: Key | None = None
    best_plans: list[tuple[PlanItem, ...]] | None = None
    for combo in combos:
        if best is not None and _upper_key(combo) <= best:
            break  # combos are sorted, so none of the rest can beat it either
        lists = []
        for subset in combo:
            key = (subset.learner, tuple(a.id for a in subset.activities))
            if key not in cache:
                cache[key] = _Schedules(request, subset).run()
            lists.append(cache[key])
        if not all(lists):
            continue
        combiner = _Combiner(request, lists, _fixed(combo), best)
        combiner.run()
        if combiner.best_plans is not None:
            best, best_plans = combiner.best, combiner.best_plans
    if best_plans is None:
        plans = tuple(learner_plan(request, learner, ()) for learner in request.learners)
        return PlanResponse("infeasible", plans, {"method": "exhaustive", "reason": "no schedule"})
    plans = tuple(
        learner_plan(request, learner, items)
        for learner, items in zip(request.learners, best_plans, strict=True)
    )
    return PlanResponse("optimal", plans, {"method": "exhaustive"})


Footprint = tuple[tuple[str, int, str | None], ...]  # shared items: (activity, start, mentor)


@dataclass(frozen=True)
class _Schedule:
    """The earliest-ready schedule of a subset among those using shared resources alike."""

    readiness: int
    footprint: Footprint
    items: tuple[PlanItem, ...]


class _Schedules:
    """A depth-first search over one learner's schedules of one subset, on their own.

    Items are placed in chronological order (by start week, then item index), so each schedule is
    met exactly once and, with every duration at least one week, everything that ends by an item's
    start is already placed when it is: prerequisites are checked exactly at placement. Of the
    schedules that use mentors and seats in the same way, only the earliest ready is kept.
    """

    def __init__(self, request: PlanRequest, subset: _Subset) -> None:
        self.request = request
        self.learner = request.learners[subset.learner]
        self.items = [(a, _options(request, self.learner, a)) for a in subset.activities]
        self.initial = request.initial_levels(self.learner)
        self.chosen: list[PlanItem] = []
        self.placed = [False] * len(self.items)
        self.ledger = _Ledger(request)
        self.found: dict[Footprint, _Schedule] = {}

    def run(self) -> list[_Schedule]:
        """The kept schedules, earliest ready first."""
        self._visit(-1, -1)
        return sorted(self.found.values(), key=lambda s: s.readiness)

    def _visit(self, last_start: int, last_index: int) -> None:
        """Place the next item at or after the last one's start (or record a full schedule)."""
        if all(self.placed):
            self._record()
            return
        for index, (activity, options) in enumerate(self.items):
            if self.placed[index]:
                continue
            for start, mentor in options:
                if start < last_start or (start == last_start and index < last_index):
                    continue
                if not self._prerequisites_hold(activity, start):
                    continue
                item = PlanItem(activity.id, start, start + activity.duration_weeks, mentor)
                if self.ledger.take(self.learner, activity, item, 1):
                    self.placed[index] = True
                    self.chosen.append(item)
                    self._visit(start, index)
                    self.chosen.pop()
                    self.placed[index] = False
                self.ledger.take(self.learner, activity, item, -1)

    def _prerequisites_hold(self, activity: Activity, start: int) -> bool:
        """Whether the learner's skills and finished activities allow starting it at `start`."""
        done = [item for item in self.chosen if item.end_week <= start]
        acts = self.request.activity_by_id
        for skill, needed in activity.requires_skills.items():
            level = max(
                [self.initial.get(skill, 0)]
                + [acts[item.activity].grants.get(skill, 0) for item in done]
            )
            if level < needed:
                return False
        finished = {item.activity for item in done} | self.learner.completed
        return set(activity.requires_activities) <= finished

    def _record(self) -> None:
        """Keep the schedule if it is the earliest ready of its footprint so far."""
        readiness = max((item.end_week for item in self.chosen), default=0)
        footprint = _footprint(self.request, self.chosen)
        kept = self.found.get(footprint)
        if kept is None or readiness < kept.readiness:
            self.found[footprint] = _Schedule(readiness, footprint, tuple(self.chosen))


class _Ledger:
    """Weekly hours per learner, mentees per mentor and week, and seats taken."""

    def __init__(self, request: PlanRequest) -> None:
        self.request = request
        self.load: dict[tuple[str, int], int] = {}
        self.mentees: dict[tuple[str, int], int] = {}
        self.seats: dict[tuple[str, int], int] = {}

    def take(self, learner: Learner, activity: Activity, item: PlanItem, sign: int) -> bool:
        """Book (sign 1) or release (sign -1) the item; True if every limit still holds."""
        ok = self.take_shared(activity, item, sign)
        for week in range(item.start_week, item.end_week):
            used = _add(self.load, (learner.id, week), sign * activity.quarter_hours)
            ok &= used <= learner.capacity(week)
        return ok

    def take_shared(self, activity: Activity, item: PlanItem, sign: int) -> bool:
        """Book (or release) only the item's mentor place and seat; True if their limits hold."""
        ok = True
        weeks = range(item.start_week, item.end_week)
        if item.mentor is not None:
            mentor = self.request.mentor_by_id[item.mentor]
            for week in weeks:
                ok &= _add(self.mentees, (mentor.id, week), sign) <= mentor.free(week)
        if activity.seats is not None:
            for week in (item.start_week,) if activity.start_weeks is not None else weeks:
                ok &= _add(self.seats, (activity.id, week), sign) <= activity.seats
        return ok


def _add(counts: dict[tuple[str, int], int], key: tuple[str, int], amount: int) -> int:
    """Add to a counter and return its new value."""
    counts[key] = counts.get(key, 0) + amount
    return counts[key]


def _footprint(request: PlanRequest, items: list[PlanItem]) -> Footprint:
    """How a schedule uses what learners share: its mentored and seated items."""
    acts = request.activity_by_id
    return tuple(
        sorted(
            (i.activity, i.start_week, i.mentor)
            for i in items
            if i.mentor is not None or acts[i.activity].seats is not None
        )
    )


class _Combiner:
    """The best way to give each learner one of its kept schedules within the shared limits."""

    def __init__(
        self,
        request: PlanRequest,
        lists: list[list[_Schedule]],
        fixed: tuple[int, int, int],
        best: Key | None,
    ) -> None:
        self.request = request
        self.lists = lists  # per learner, earliest ready first
        self.fixed = fixed  # total closure, hours, cost
        self.best = best
        self.best_plans: list[tuple[PlanItem, ...]] | None = None
        self.ledger = _Ledger(request)
        self.chosen: list[_Schedule] = []

    def run(self) -> None:
        """Search the combinations, keeping the best that beats the given key."""
        self._visit(0)

    def _visit(self, who: int) -> None:
        """Try the learner's schedules earliest ready first; stop once none can beat the best."""
        if who == len(self.lists):
            self.best = self._key()
            self.best_plans = [s.items for s in self.chosen]
            return
        for schedule in self.lists[who]:
            self.chosen.append(schedule)
            if self.best is not None and self._key() <= self.best:
                self.chosen.pop()
                return  # the learner's later schedules are only readier later
            if self._book(schedule, 1):
                self._visit(who + 1)
            self._book(schedule, -1)
            self.chosen.pop()

    def _key(self) -> Key:
        """The key of the chosen schedules with the readiest of each learner still to choose."""
        readiness = sum(s.readiness for s in self.chosen)
        readiness += sum(lst[0].readiness for lst in self.lists[len(self.chosen) :])
        closure, hours, cost = self.fixed
        return closure, -readiness, -hours, -cost

    def _book(self, schedule: _Schedule, sign: int) -> bool:
        """Book (or release) the schedule's shared items; True if the shared limits hold."""
        ok = True
        for item in schedule.items:
            ok &= self.ledger.take_shared(self.request.activity_by_id[item.activity], item, sign)
        return ok


def _check_size(request: PlanRequest) -> None:
    """Refuse requests too big to enumerate in a test."""
    sizes = {
        "activities": len(request.activities),
        "horizon": request.horizon_weeks,
        "learners": len(request.learners),
    }
    too_big = [f"{k} {v} > {LIMITS[k]}" for k, v in sizes.items() if v > LIMITS[k]]
    if any(a.duration_weeks < 1 for a in request.activities):
        too_big.append("an activity lasting no weeks")  # breaks the chronological search
    if too_big:
        raise ValueError("too big for the exhaustive search: " + ", ".join(too_big))


def _subsets(request: PlanRequest, who: int) -> list[_Subset]:
    """Every set of activities the learner could take on its own terms (pins always included)."""
    learner = request.learners[who]
    pinned = {pin.activity for pin in learner.pinned}
    if not pinned <= request.activity_by_id.keys():
        return []
    allowed = [a for a in request.activities if a.id not in learner.excluded | learner.completed]
    must = [a for a in allowed if a.id in pinned]
    if len(must) < len(pinned):
        return []  # a pin on an excluded or completed activity
    optional = [a for a in allowed if a.id not in pinned]
    subsets = []
    for size in range(len(optional) + 1):
        for extra in itertools.combinations(optional, size):
            subset = _subset(request, who, (*must, *extra))
            if subset is not None:
                subsets.append(subset)
    return subsets


def _subset(request: PlanRequest, who: int, chosen: tuple[Activity, ...]) -> _Subset | None:
    """The subset's fixed measures, or None if it can never be scheduled."""
    learner = request.learners[who]
    ids = {a.id for a in chosen} | learner.completed
    final = request.initial_levels(learner)
    for activity in chosen:
        for skill, level in activity.grants.items():
            final[skill] = max(final.get(skill, 0), level)
    ends = []
    for activity in chosen:
        options = _options(request, learner, activity)
        needs_met = all(final.get(s, 0) >= lvl for s, lvl in activity.requires_skills.items())
        if not options or not needs_met or not set(activity.requires_activities) <= ids:
            return None
        ends.append(min(start for start, _ in options) + activity.duration_weeks)
    cost = sum(a.cost_cents for a in chosen)
    if learner.budget_cents is not None and cost > learner.budget_cents:
        return None
    return _Subset(
        learner=who,
        activities=chosen,
        closure=closure_milli(gaps(request, learner, final)),
        hours=sum(a.quarter_hours * a.duration_weeks for a in chosen),
        cost=cost,
        min_readiness=max(ends, default=0),
    )


def _options(request: PlanRequest, learner: Learner, activity: Activity) -> list[Option]:
    """Every (start, mentor) the activity could take for this learner, were it alone."""
    pins = [pin for pin in learner.pinned if pin.activity == activity.id]
    latest = request.end_week(learner)
    if activity.latest_end is not None:
        latest = min(latest, activity.latest_end)
    starts = activity.start_weeks if activity.start_weeks is not None else range(latest)
    options: list[Option] = []
    for start in starts:
        weeks = range(start, start + activity.duration_weeks)
        if start < max(0, activity.earliest_start) or weeks.stop > latest:
            continue
        if any(pin.start_week != start for pin in pins):
            continue
        if any(learner.capacity(w) < activity.quarter_hours for w in weeks):
            continue
        for mentor in _mentors(request, activity):
            if any(pin.mentor not in (None, mentor) for pin in pins):
                continue
            if mentor is None or all(request.mentor_by_id[mentor].free(w) > 0 for w in weeks):
                options.append((start, mentor))
    return options


def _mentors(request: PlanRequest, activity: Activity) -> list[str | None]:
    """The mentors the activity could take: known eligible ones, or just None if it takes none."""
    if not activity.needs_mentor:
        return [None]
    return [m for m in activity.mentors if m in request.mentor_by_id]


def _upper_key(combo: tuple[_Subset, ...]) -> Key:
    """The best key any schedule of this combination of subsets could reach."""
    return (
        sum(s.closure for s in combo),
        -sum(s.min_readiness for s in combo),
        -sum(s.hours for s in combo),
        -sum(s.cost for s in combo),
    )


def _fixed(combo: tuple[_Subset, ...]) -> tuple[int, int, int]:
    """Total closure, hours and cost: the same for every schedule of the combination."""
    return sum(s.closure for s in combo), sum(s.hours for s in combo), sum(s.cost for s in combo)
