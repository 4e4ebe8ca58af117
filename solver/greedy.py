"""The greedy baseline: a quick feasible plan, used by benchmarks and as CP-SAT's warm start.

Learners are planned in request order against one shared ledger of mentor load and seats. All
learners' pins are placed first, so no one's free choices take what a pin needs; a pin whose
prerequisites nothing pinned provides gets providers placed before it (a few levels deep). Then,
per learner, the activity adding the most weighted closure per hour of effort is placed at its
earliest feasible start, until nothing more fits. When nothing adds closure directly, a one-level
lookahead places the prerequisite providers of a blocked useful activity together with it.
"""

from __future__ import annotations

from solver.instance import Activity, Learner, PlanRequest
from solver.measure import learner_plan
from solver.solution import PlanItem, PlanResponse

_PIN_DEPTH = 3  # levels of prerequisite providers placed to support a pin
_DEEPER_TRIES = 4  # options tried per prerequisite when their own providers must be placed too


def greedy(request: PlanRequest) -> PlanResponse:
    """A feasible plan for every learner, built greedily ("infeasible" if pins cannot fit)."""
    ledger = _Ledger(request)
    catalog = _Catalog(request)
    planners = [
        _Planner(request, _LearnerState(request, learner, ledger), catalog)
        for learner in request.learners
    ]
    # Every pin takes its hours, mentor and seat before anything else is chosen.
    reasons = [reason for planner in planners for reason in planner.reserve_pins()]
    reasons += [reason for planner in planners for reason in planner.support_pins()]
    if not reasons:
        for planner in planners:
            planner.run()
    plans = tuple(learner_plan(request, p.learner, p.state.items.values()) for p in planners)
    if reasons:
        return PlanResponse("infeasible", plans, {"method": "greedy", "reason": "; ".join(reasons)})
    return PlanResponse("feasible", plans, {"method": "greedy"})


class _Planner:
    """Greedy choices for one learner, on top of what is already placed."""

    def __init__(self, request: PlanRequest, state: _LearnerState, catalog: _Catalog) -> None:
        self.request = request
        self.state = state
        self.learner: Learner = state.learner
        self.providers = catalog.providers
        self.order = catalog.order
        self.failed_from: dict[str, int] = {}  # activity -> earliest start that found no slot

    def reserve_pins(self) -> list[str]:
        """Place the pins at their weeks (prerequisites aside); say why any cannot be placed."""
        reasons: list[str] = []
        state = self.state
        for pin in sorted(self.learner.pinned, key=lambda p: (p.start_week, p.activity)):
            name = f"{self.learner.id}: pinned {pin.activity} at week {pin.start_week}"
            activity = self.request.activity_by_id.get(pin.activity)
            if activity is None:
                reasons.append(f"{name}: unknown activity")
            elif not state.available(activity):
                reasons.append(f"{name}: excluded, completed or pinned twice")
            elif not state.allowed_start(activity, pin.start_week):
                reasons.append(f"{name}: outside its window, cohorts or the deadline")
            elif (item := state.fit(activity, pin.start_week, pin.mentor)) is None:
                reasons.append(f"{name}: no hours, mentor, seat or budget left for it")
            else:
                state.place(activity, item)
        return reasons

    def support_pins(self) -> list[str]:
        """Place what the pins' prerequisites need before them; drop (and name) pins left unmet."""
        acts = self.request.activity_by_id
        pinned = {pin.activity for pin in self.learner.pinned} & self.state.items.keys()
        for item in sorted((self.state.items[aid] for aid in pinned), key=lambda i: i.start_week):
            if not self._holds(acts[item.activity], item.start_week):
                self._place_providers(acts[item.activity], item.start_week, _PIN_DEPTH)
        reasons: list[str] = []
        while unmet := [
            aid
            for aid, item in self.state.items.items()
            if not self._holds(acts[aid], item.start_week)
        ]:
            for aid in unmet:
                self.state.remove(acts[aid])
                if aid in pinned:
                    reasons.append(
                        f"{self.learner.id}: pinned {aid}: its prerequisites cannot be met by then"
                    )
        return reasons

    def run(self) -> None:
        """Place activities until nothing more fits."""
        while self._place_direct() or self._place_with_lookahead():
            pass

    def _holds(self, activity: Activity, start: int | None) -> bool:
        """Whether the prerequisites hold at `start` (at some week, if None) with what is placed."""
        ready = self.state.ready_week(activity)
        return ready is not None and (start is None or ready <= start)

    def _closure(self, activity: Activity) -> int:
        """Weighted closure the activity would add to the plan's final levels."""
        gain = 0
        for skill, level in activity.grants.items():
            target = self.learner.target.get(skill)
            if target is not None:
                now = min(self.state.final[skill], target.level)
                gain += target.weight_milli * max(0, min(level, target.level) - now)
        return gain

    def _useful(self) -> list[Activity]:
        """Activities adding closure, best closure per hour first (zero-hour ones first)."""
        seen: set[str] = set()
        scored: list[tuple[bool, float, int, Activity]] = []
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
                    scored.append((effort > 0, ratio, self.order[activity.id], activity))
        scored.sort(key=lambda t: t[:3])
        return [activity for *_, activity in scored]

    def _place_direct(self) -> bool:
        """Place the best useful activity whose prerequisites are met; False if none fits."""
        for activity in self._useful():
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
        for activity in self._useful():
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

    def _place_providers(
        self, blocked: Activity, by: int | None = None, depth: int = 1
    ) -> list[Activity] | None:
        """Place a provider per prerequisite `blocked` lacks by `by`; None if one fails."""
        placed: list[Activity] = []
        for options in self._unmet(blocked, by):
            if any(self._ends_by(o, by) for o in options):
                continue  # an earlier provider already covers it
            providers = self._first_fitting(options, blocked, by, depth)
            if providers is None:
                for done in reversed(placed):
                    self.state.remove(done)
                return None
            placed += providers
        return placed

    def _ends_by(self, activity: Activity, by: int | None) -> bool:
        """Whether the activity is placed and ends by week `by` (any week if None)."""
        item = self.state.items.get(activity.id)
        return item is not None and (by is None or item.end_week <= by)

    def _unmet(self, blocked: Activity, by: int | None) -> list[list[Activity]]:
        """For each prerequisite of `blocked` not met by week `by`, what would meet it."""
        state = self.state
        unmet: list[list[Activity]] = []
        for skill, needed in blocked.requires_skills.items():
            if state.level_by(skill, by) < needed:
                providers = self.providers.get(skill, ())
                unmet.append([a for a in providers if a.grants[skill] >= needed])
        for before in blocked.requires_activities:
            activity = self.request.activity_by_id.get(before)
            if before not in self.learner.completed and (
                activity is None or not self._ends_by(activity, by)
            ):
                unmet.append([activity] if activity is not None else [])
        return unmet

    def _first_fitting(
        self, options: list[Activity], blocked: Activity, by: int | None, depth: int
    ) -> list[Activity] | None:
        """Place the least-effort option that fits by `by` (with, below depth 1, its own
        providers); return what was placed, or None."""
        state = self.state
        candidates = sorted(
            (o for o in options if o.id != blocked.id and state.available(o)),
            key=lambda a: (a.quarter_hours * a.duration_weeks, self.order[a.id]),
        )
        deeper = _DEEPER_TRIES
        for activity in candidates:
            if not state.affordable(activity):
                continue
            before: list[Activity] = []
            latest = None if by is None else by - activity.duration_weeks
            if not self._holds(activity, latest):
                if depth <= 1 or deeper == 0:
                    continue
                deeper -= 1
                got = self._place_providers(activity, latest, depth - 1)
                if got is None:
                    continue
                before = got
            ready = state.ready_week(activity)
            item = None if ready is None else state.earliest(activity, ready, finish_by=by)
            if item is not None:
                state.place(activity, item)
                return [*before, activity]
            for done in reversed(before):
                state.remove(done)
        return None


class _Catalog:
    """Look-ups computed once per request: who grants each skill, and each activity's position."""

    def __init__(self, request: PlanRequest) -> None:
        self.order = {a.id: i for i, a in enumerate(request.activities)}
        self.providers: dict[str, list[Activity]] = {}
        for activity in request.activities:
            for skill in activity.grants:
                self.providers.setdefault(skill, []).append(activity)


class _Ledger:
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


class _LearnerState:
    """One learner's placed items, weekly load and levels, on top of the shared ledger."""

    def __init__(self, request: PlanRequest, learner: Learner, ledger: _Ledger) -> None:
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

    def level_by(self, skill: str, week: int | None) -> int:
        """The skill's level at the start of `week` (at the plan's end if None)."""
        if week is None:
            return self.final.get(skill, 0)
        granted = [
            self.request.activity_by_id[aid].grants.get(skill, 0)
            for aid, item in self.items.items()
            if item.end_week <= week
        ]
        return max([self.initial.get(skill, 0), *granted])

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

    def earliest(
        self, activity: Activity, ready: int, finish_by: int | None = None
    ) -> PlanItem | None:
        """The item at the earliest feasible start from week `ready` on, ending by `finish_by`."""
        low = max(ready, activity.earliest_start, 0)
        high = self.end if finish_by is None else min(self.end, finish_by)
        if activity.start_weeks is not None:
            starts: list[int] | range = sorted(s for s in activity.start_weeks if s >= low)
        else:
            starts = range(low, high - activity.duration_weeks + 1)
        for start in starts:
            if start + activity.duration_weeks > high:
                break
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
