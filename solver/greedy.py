"""The greedy baseline: a quick feasible plan, used by benchmarks and as CP-SAT's warm start.

Learners are planned in request order against one shared ledger of mentor load and seats. Every
learner's pins are placed first (all learners' pins before anyone's free choices, so one learner's
choices never take what another's pins need); then, per learner, the activity adding the most
weighted closure per hour of effort is placed at its earliest feasible start, until nothing more
fits. When nothing adds closure directly, a one-level lookahead places the prerequisite providers
of a blocked useful activity together with it.
"""

from __future__ import annotations

from solver.instance import Activity, Learner, PlanRequest
from solver.measure import learner_plan
from solver.solution import PlanItem, PlanResponse


def greedy(request: PlanRequest) -> PlanResponse:
    """A feasible plan for every learner, built greedily ("infeasible" if pins cannot fit)."""
    ledger = Ledger(request)
    states = [LearnerState(request, learner, ledger) for learner in request.learners]
    reasons = [reason for state in states for reason in _place_pins(request, state)]
    if not reasons:
        catalog = _Catalog(request)
        for state in states:
            _Planner(request, state, catalog).run()
    plans = tuple(learner_plan(request, s.learner, s.items.values()) for s in states)
    if reasons:
        return PlanResponse("infeasible", plans, {"method": "greedy", "reason": "; ".join(reasons)})
    return PlanResponse("feasible", plans, {"method": "greedy"})


def _place_pins(request: PlanRequest, state: LearnerState) -> list[str]:
    """Place the learner's pins in start order; say why for each one that cannot be placed."""
    reasons: list[str] = []
    learner = state.learner
    for pin in sorted(learner.pinned, key=lambda p: (p.start_week, p.activity)):
        name = f"{learner.id}: pinned {pin.activity} at week {pin.start_week}"
        activity = request.activity_by_id.get(pin.activity)
        if activity is None:
            reasons.append(f"{name}: unknown activity")
        elif not state.available(activity):
            reasons.append(f"{name}: excluded, completed or pinned twice")
        elif (ready := state.ready_week(activity)) is None or ready > pin.start_week:
            reasons.append(f"{name}: its prerequisites do not hold by then")
        elif not state.allowed_start(activity, pin.start_week):
            reasons.append(f"{name}: outside its window, cohorts or the deadline")
        else:
            item = state.fit(activity, pin.start_week, pin.mentor)
            if item is None:
                reasons.append(f"{name}: no hours, mentor, seat or budget left for it")
            else:
                state.place(activity, item)
    return reasons


class _Planner:
    """Greedy choices for one learner, on top of what is already placed."""

    def __init__(self, request: PlanRequest, state: LearnerState, catalog: _Catalog) -> None:
        self.request = request
        self.state = state
        self.learner: Learner = state.learner
        self.providers = catalog.providers
        self.order = catalog.order
        self.failed_from: dict[str, int] = {}  # activity -> earliest start that found no slot

    def run(self) -> None:
        """Place activities until nothing more fits."""
        while self._place_direct() or self._place_with_lookahead():
            pass

    def _closure(self, activity: Activity) -> int:
        """Weighted closure the activity would add to the plan's final levels."""
        gain = 0
        for skill, level in activity.grants.items():
            target = self.learner.target.get(skill)
            if target is not None:
                now = min(self.state.final[skill], target.level)
                gain += target.weight_milli * max(0, min(level, target.level) - now)
        return gain

    def _useful(self) -> list[tuple[Activity, int]]:
        """Activities adding closure, best closure per hour first (zero-hour ones first)."""
        seen: set[str] = set()
        scored: list[tuple[bool, float, int, Activity, int]] = []
        for skill, target in self.learner.target.items():
            if self.state.final.get(skill, 0) >= target.level:
                continue
            for activity in self.providers.get(skill, ()):
                if activity.id in seen or not self.state.available(activity):
                    continue
                seen.add(activity.id)
                gain = self._closure(activity)
                if gain > 0 and self.state.affordable(activity):
                    effort = activity.quarter_hours * activity.duration_weeks
                    ratio = -gain / effort if effort else -float(gain)
                    scored.append((effort > 0, ratio, self.order[activity.id], activity, gain))
        scored.sort(key=lambda t: t[:3])
        return [(activity, gain) for *_, activity, gain in scored]

    def _place_direct(self) -> bool:
        """Place the best useful activity whose prerequisites are met; False if none fits."""
        for activity, _ in self._useful():
            ready = self.state.ready_week(activity)
            if ready is None or self.failed_from.get(activity.id, ready + 1) <= ready:
                continue
            item = self.state.earliest(activity, ready)
            if item is None:
                # Loads only grow, so it cannot fit from this week on later either.
                self.failed_from[activity.id] = ready
                continue
            self.state.place(activity, item)
            return True
        return False

    def _place_with_lookahead(self) -> bool:
        """Place a blocked useful activity together with providers of its missing prerequisites."""
        for activity, _ in self._useful():
            if self.state.ready_week(activity) is not None:
                continue
            placed = self._place_providers(activity)
            if placed is not None:
                ready = self.state.ready_week(activity)
                item = None if ready is None else self.state.earliest(activity, ready)
                if item is not None:
                    self.state.place(activity, item)
                    return True
                for provider in reversed(placed):
                    self.state.remove(provider)
        return False

    def _place_providers(self, blocked: Activity) -> list[Activity] | None:
        """Place a provider per unmet prerequisite of `blocked`; None (all undone) if one fails."""
        placed: list[Activity] = []
        for options in self._unmet(blocked):
            if any(o.id in self.state.items for o in options):
                continue  # an earlier provider already covers it
            provider = self._first_fitting(options, blocked)
            if provider is None:
                for done in reversed(placed):
                    self.state.remove(done)
                return None
            placed.append(provider)
        return placed

    def _unmet(self, blocked: Activity) -> list[list[Activity]]:
        """For each prerequisite of `blocked` not met now, the activities that would meet it."""
        state = self.state
        unmet: list[list[Activity]] = []
        for skill, needed in blocked.requires_skills.items():
            if state.final.get(skill, 0) < needed:
                unmet.append(
                    [a for a in self.providers.get(skill, ()) if a.grants[skill] >= needed]
                )
        for before in blocked.requires_activities:
            if before not in state.items and before not in self.learner.completed:
                activity = self.request.activity_by_id.get(before)
                unmet.append([activity] if activity is not None else [])
        return unmet

    def _first_fitting(self, options: list[Activity], blocked: Activity) -> Activity | None:
        """Place the least-effort option that is ready and fits; return it (None if none does)."""
        state = self.state
        candidates = sorted(
            (o for o in options if o.id != blocked.id and state.available(o)),
            key=lambda a: (a.quarter_hours * a.duration_weeks, self.order[a.id]),
        )
        for activity in candidates:
            ready = state.ready_week(activity)
            if ready is None or not state.affordable(activity):
                continue
            item = state.earliest(activity, ready)
            if item is not None:
                state.place(activity, item)
                return activity
        return None


class _Catalog:
    """Look-ups computed once per request: who grants each skill, and each activity's position."""

    def __init__(self, request: PlanRequest) -> None:
        self.order = {a.id: i for i, a in enumerate(request.activities)}
        self.providers: dict[str, list[Activity]] = {}
        for activity in request.activities:
            for skill in activity.grants:
                self.providers.setdefault(skill, []).append(activity)


class Ledger:
    """What all learners share: each mentor's free places and each activity's seats, per week."""

    def __init__(self, request: PlanRequest) -> None:
        self.horizon = request.horizon_weeks
        weeks = range(self.horizon)
        self.mentor_free = {m.id: [m.free(w) for w in weeks] for m in request.mentors}
        self.cohort_taken: dict[tuple[str, int], int] = {}
        self.active_taken: dict[str, list[int]] = {}

    def seat_free(self, activity: Activity, start: int) -> bool:
        """Whether one more learner fits the activity's seats when started at `start`."""
        if activity.seats is None:
            return True
        if activity.start_weeks is not None:
            return self.cohort_taken.get((activity.id, start), 0) < activity.seats
        taken = self.active_taken.get(activity.id)
        return taken is None or all(
            taken[w] < activity.seats for w in range(start, start + activity.duration_weeks)
        )

    def mentor_fits(self, mentor: str, start: int, end: int) -> bool:
        """Whether the mentor has a free place in every week start .. end-1."""
        free = self.mentor_free.get(mentor)
        return free is not None and all(free[w] > 0 for w in range(start, end))

    def book(self, activity: Activity, item: PlanItem, sign: int) -> None:
        """Take (sign 1) or give back (sign -1) the item's seat and mentor place."""
        weeks = range(item.start_week, item.end_week)
        if activity.seats is not None:
            if activity.start_weeks is not None:
                key = (activity.id, item.start_week)
                self.cohort_taken[key] = self.cohort_taken.get(key, 0) + sign
            else:
                taken = self.active_taken.setdefault(activity.id, [0] * self.horizon)
                for w in weeks:
                    taken[w] += sign
        if item.mentor is not None:
            free = self.mentor_free[item.mentor]
            for w in weeks:
                free[w] -= sign


class LearnerState:
    """One learner's placed items, weekly load and levels, on top of the shared ledger."""

    def __init__(self, request: PlanRequest, learner: Learner, ledger: Ledger) -> None:
        self.request = request
        self.learner = learner
        self.ledger = ledger
        self.end = request.end_week(learner)
        self.capacity = [learner.capacity(w) for w in range(self.end)]
        self.load = [0] * self.end
        self.initial = request.initial_levels(learner)
        self.final = dict(self.initial)
        self.items: dict[str, PlanItem] = {}
        self.cost = 0

    def available(self, activity: Activity) -> bool:
        """Not yet placed, excluded or completed."""
        aid = activity.id
        learner = self.learner
        return (
            aid not in self.items and aid not in learner.excluded and aid not in learner.completed
        )

    def affordable(self, activity: Activity) -> bool:
        """Whether the activity's cost still fits the learner's budget."""
        budget = self.learner.budget_cents
        return budget is None or self.cost + activity.cost_cents <= budget

    def ready_week(self, activity: Activity) -> int | None:
        """The first week the activity's prerequisites hold with what is placed (None: never)."""
        ready = 0
        for skill, needed in activity.requires_skills.items():
            if self.initial.get(skill, 0) >= needed:
                continue
            ends = [
                item.end_week
                for aid, item in self.items.items()
                if self.request.activity_by_id[aid].grants.get(skill, 0) >= needed
            ]
            if not ends:
                return None
            ready = max(ready, min(ends))
        for before in activity.requires_activities:
            if before in self.items:
                ready = max(ready, self.items[before].end_week)
            elif before not in self.learner.completed:
                return None
        return ready

    def allowed_start(self, activity: Activity, start: int) -> bool:
        """Whether `start` respects the window, the cohorts and the learner's deadline."""
        end = start + activity.duration_weeks
        latest = self.end if activity.latest_end is None else min(self.end, activity.latest_end)
        cohort_ok = activity.start_weeks is None or start in activity.start_weeks
        return max(0, activity.earliest_start) <= start and end <= latest and cohort_ok

    def fit(self, activity: Activity, start: int, mentor: str | None = None) -> PlanItem | None:
        """The item at `start` if hours, seat, budget and a mentor (`mentor` or any) fit."""
        end = start + activity.duration_weeks
        qh = activity.quarter_hours
        if qh and any(self.load[w] + qh > self.capacity[w] for w in range(start, end)):
            return None
        if not self.affordable(activity) or not self.ledger.seat_free(activity, start):
            return None
        if not activity.needs_mentor:
            return None if mentor is not None else PlanItem(activity.id, start, end)
        eligible = activity.mentors if mentor is None else (mentor,)
        for m in eligible:
            if m in activity.mentors and self.ledger.mentor_fits(m, start, end):
                return PlanItem(activity.id, start, end, m)
        return None

    def earliest(self, activity: Activity, ready: int) -> PlanItem | None:
        """The item at the earliest feasible start from week `ready` on (None if none is)."""
        low = max(ready, activity.earliest_start, 0)
        if activity.start_weeks is not None:
            starts: list[int] | range = sorted(s for s in activity.start_weeks if s >= low)
        else:
            starts = range(low, self.end - activity.duration_weeks + 1)
        for start in starts:
            if self.allowed_start(activity, start):
                item = self.fit(activity, start)
                if item is not None:
                    return item
        return None

    def place(self, activity: Activity, item: PlanItem) -> None:
        """Add the item to the plan, the loads and the ledger."""
        self.items[activity.id] = item
        self._book(activity, item, 1)
        for skill, level in activity.grants.items():
            self.final[skill] = max(self.final.get(skill, 0), level)

    def remove(self, activity: Activity) -> None:
        """Take a placed item back out (used when a lookahead does not pay off)."""
        item = self.items.pop(activity.id)
        self._book(activity, item, -1)
        self.final = dict(self.initial)
        for aid in self.items:
            for skill, level in self.request.activity_by_id[aid].grants.items():
                self.final[skill] = max(self.final.get(skill, 0), level)

    def _book(self, activity: Activity, item: PlanItem, sign: int) -> None:
        """Add (sign 1) or remove (sign -1) the item's hours, cost, seat and mentor place."""
        for w in range(item.start_week, item.end_week):
            self.load[w] += sign * activity.quarter_hours
        self.cost += sign * activity.cost_cents
        self.ledger.book(activity, item, sign)
