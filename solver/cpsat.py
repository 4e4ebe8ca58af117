"""The CP-SAT model of learners' plans: variables, then one function per constraint family.

Each learner contributes only the activities its `LearnerScope` kept. Learners in one model share
mentors and seats; capacity used by plans fixed outside the model arrives as a `Ledger`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.instance import Activity, PlanRequest
from solver.scope import LearnerScope, MentorFree
from solver.solution import PlanItem

Expr = cp_model.LinearExprT


@dataclass
class Ledger:
    """Capacity already taken by plans outside this model (team decomposition)."""

    mentor_load: dict[str, list[int]] = field(default_factory=dict)  # mentor -> mentees per week
    cohort_taken: dict[tuple[str, int], int] = field(
        default_factory=dict
    )  # (activity, start) -> seats
    active_taken: dict[str, list[int]] = field(
        default_factory=dict
    )  # activity -> learners per week

    def book(self, request: PlanRequest, item: PlanItem, sign: int = 1) -> None:
        """Count one more plan item against mentors and seats (`sign=-1` takes one back)."""
        activity = request.activity_by_id[item.activity]
        horizon = request.horizon_weeks
        for kind, key, week in item_resources(activity, item.start_week, item.mentor):
            if kind == "cohort":
                self.cohort_taken[(key, week)] = self.cohort_taken.get((key, week), 0) + sign
                continue
            rows = self.mentor_load if kind == "mentor" else self.active_taken
            rows.setdefault(key, [0] * horizon)[week] += sign


# ("mentor", mentor id, week), ("cohort", activity id, start week) or ("seat", activity id, week)
Resource = tuple[str, str, int]


def item_resources(activity: Activity, start: int, mentor: str | None) -> list[Resource]:
    """The shared capacity one plan item takes, a unit of each: mentor and seat weeks, a cohort."""
    weeks = range(start, start + activity.duration_weeks)
    out: list[Resource] = [("mentor", mentor, w) for w in weeks] if mentor is not None else []
    if activity.seats is not None:
        if activity.start_weeks is not None:
            out.append(("cohort", activity.id, start))
        else:
            out += [("seat", activity.id, w) for w in weeks]
    return out


@dataclass
class ActivityVars:
    """One learner's decision about one activity."""

    activity: Activity
    taken: cp_model.IntVar
    start: cp_model.IntVar
    interval: cp_model.IntervalVar
    mentors: dict[str, cp_model.IntVar] = field(default_factory=dict)
    mentor_intervals: dict[str, cp_model.IntervalVar] = field(default_factory=dict)

    @property
    def end(self) -> Expr:
        """The week the activity ends (start + duration)."""
        return self.start + self.activity.duration_weeks


@dataclass
class LearnerVars:
    """All of one learner's variables and objective terms."""

    scope: LearnerScope
    acts: dict[str, ActivityVars]
    readiness: cp_model.IntVar
    closure_terms: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)
    reached: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)


class PlanModel:
    """A CP-SAT model of the learners' plans with the four objective tiers as expressions."""

    def __init__(
        self,
        request: PlanRequest,
        scopes: Sequence[LearnerScope],
        ledger: Ledger | None = None,
        *,
        readiness: bool = True,
    ) -> None:
        """`readiness=False` leaves readiness unconstrained (a model that only settles closure)."""
        self.request = request
        self.with_readiness = readiness
        self.model = cp_model.CpModel()
        self.ledger = ledger or Ledger()
        self.learners: list[LearnerVars] = [self._learner(scope) for scope in scopes]
        add_mentor_capacity(self.model, request, self.learners, self.ledger)
        add_seats(self.model, request, self.learners, self.ledger)

    def _learner(self, scope: LearnerScope) -> LearnerVars:
        m = self.model
        lid = scope.learner.id
        acts = {a.id: add_placement(m, scope, a) for a in scope.candidates}
        readiness = m.new_int_var(0, scope.end_week, f"readiness[{lid}]")
        if self.with_readiness:
            for v in acts.values():
                m.add(readiness >= v.end).only_enforce_if(v.taken)
        lv = LearnerVars(scope, acts, readiness)
        add_weekly_hours(m, scope, acts)
        add_budget(m, scope, acts)
        add_activity_prerequisites(m, scope, acts)
        lv.closure_terms, lv.reached = add_skill_levels(
            m, scope, acts, readiness if self.with_readiness else None
        )
        return lv

    # The four tiers of the lexicographic objective, summed over learners.
    def closure(self) -> Expr:
        """Weighted gap closure in thousandths."""
        return sum(w * r for lv in self.learners for w, r in lv.closure_terms)

    def readiness(self) -> Expr:
        """Sum of learners' readiness weeks."""
        return sum(lv.readiness for lv in self.learners)

    def hours(self) -> Expr:
        """Total effort in quarter hours."""
        return sum(
            v.activity.quarter_hours * v.activity.duration_weeks * v.taken
            for lv in self.learners
            for v in lv.acts.values()
        )

    def cost(self) -> Expr:
        """Total cost in cents."""
        return sum(
            v.activity.cost_cents * v.taken for lv in self.learners for v in lv.acts.values()
        )

    def hint(self, plans: Mapping[str, Sequence[PlanItem]]) -> None:
        """Hint a complete assignment: the given items taken, everything else not."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for lv in self.learners:
            items = {i.activity: i for i in plans.get(lv.scope.learner.id, ())}
            self.model.add_hint(lv.readiness, max((i.end_week for i in items.values()), default=0))
            for aid, v in lv.acts.items():
                item = items.get(aid)
                self.model.add_hint(v.taken, item is not None)
                starts = lv.scope.starts[aid]
                start = item.start_week if item and item.start_week in starts else starts[0]
                self.model.add_hint(v.start, start)
                for mid, y in v.mentors.items():
                    self.model.add_hint(y, item is not None and item.mentor == mid)

    def extract(self, solver: cp_model.CpSolver) -> dict[str, list[PlanItem]]:
        """The plan items of the solver's current solution, per learner."""
        plans: dict[str, list[PlanItem]] = {}
        for lv in self.learners:
            items = []
            for aid, v in lv.acts.items():
                if solver.boolean_value(v.taken):
                    s = solver.value(v.start)
                    mentor = next(
                        (mid for mid, y in v.mentors.items() if solver.boolean_value(y)), None
                    )
                    items.append(PlanItem(aid, s, s + v.activity.duration_weeks, mentor))
            plans[lv.scope.learner.id] = items
        return plans


def add_placement(m: cp_model.CpModel, scope: LearnerScope, a: Activity) -> ActivityVars:
    """Taken flag, start (allowed weeks only: cohorts, window, deadline, blackouts) and interval."""
    lid = scope.learner.id
    taken = m.new_bool_var(f"taken[{lid},{a.id}]")
    weeks = scope.starts[a.id]
    start = m.new_int_var_from_domain(cp_model.Domain.from_values(weeks), f"start[{lid},{a.id}]")
    interval = m.new_optional_fixed_size_interval_var(
        start, a.duration_weeks, taken, f"active[{lid},{a.id}]"
    )
    if any(p.activity == a.id for p in scope.learner.pinned):
        m.add(taken == 1)
    v = ActivityVars(a, taken, start, interval)
    if a.needs_mentor:
        pin = next((p for p in scope.learner.pinned if p.activity == a.id), None)
        eligible = [pin.mentor] if pin is not None and pin.mentor else list(a.mentors)
        for mid in eligible:
            y = m.new_bool_var(f"mentor[{lid},{a.id},{mid}]")
            v.mentors[mid] = y
            v.mentor_intervals[mid] = m.new_optional_fixed_size_interval_var(
                start, a.duration_weeks, y, f"mentoring[{lid},{a.id},{mid}]"
            )
        m.add(sum(v.mentors.values()) == taken)
    return v


def add_weekly_hours(
    m: cp_model.CpModel, scope: LearnerScope, acts: dict[str, ActivityVars]
) -> None:
    """Active items' hours stay within the weekly budget (blackouts are cut from start domains)."""
    busy = [v for v in acts.values() if v.activity.quarter_hours > 0]
    if sum(v.activity.quarter_hours for v in busy) <= scope.learner.quarter_hours:
        return
    m.add_cumulative(
        [v.interval for v in busy],
        [v.activity.quarter_hours for v in busy],
        scope.learner.quarter_hours,
    )


def add_budget(m: cp_model.CpModel, scope: LearnerScope, acts: dict[str, ActivityVars]) -> None:
    """Total cost within the learner's budget, when one is set."""
    budget = scope.learner.budget_cents
    if budget is not None:
        m.add(sum(v.activity.cost_cents * v.taken for v in acts.values()) <= budget)


def add_activity_prerequisites(
    m: cp_model.CpModel, scope: LearnerScope, acts: dict[str, ActivityVars]
) -> None:
    """A required activity is taken and has ended before the start (unless already completed)."""
    for v in acts.values():
        for req in v.activity.requires_activities:
            if req in scope.learner.completed:
                continue
            if req not in acts:
                m.add(v.taken == 0)
                continue
            m.add_implication(v.taken, acts[req].taken)
            m.add(v.start >= acts[req].end).only_enforce_if(v.taken)


def add_skill_levels(
    m: cp_model.CpModel,
    scope: LearnerScope,
    acts: dict[str, ActivityVars],
    readiness: cp_model.IntVar | None,
) -> tuple[list[tuple[int, cp_model.IntVar]], dict[tuple[str, int], cp_model.IntVar]]:
    """Levels reached and skill prerequisites; returns the weighted closure terms and levels."""
    lid = scope.learner.id
    reached: dict[tuple[str, int], cp_model.IntVar] = {}
    for (s, lvl), providers in scope.needed.items():
        r = m.new_bool_var(f"reached[{lid},{s},{lvl}]")
        m.add_bool_or([acts[b].taken for b in providers]).only_enforce_if(r)
        if not providers:
            m.add(r == 0)
        reached[(s, lvl)] = r
    for (s, lvl), r in reached.items():
        if (s, lvl - 1) in reached:
            m.add_implication(r, reached[(s, lvl - 1)])
    _add_skill_prerequisites(m, scope, acts)
    terms = []
    for s, lvl in scope.target_levels:
        r = reached[(s, lvl)]
        terms.append((scope.learner.target[s].weight_milli, r))
        if readiness is None:
            continue
        earliest = min((scope.earliest_end[b] for b in scope.needed[(s, lvl)]), default=0)
        m.add(readiness >= earliest).only_enforce_if(r)  # redundant; tightens the LP
    return terms, reached


def _add_skill_prerequisites(
    m: cp_model.CpModel, scope: LearnerScope, acts: dict[str, ActivityVars]
) -> None:
    """A required level must be granted by an activity that ended by the start."""
    lid = scope.learner.id
    requiring: dict[tuple[str, int], list[ActivityVars]] = {}
    for v in acts.values():
        for s, lvl in v.activity.requires_skills.items():
            if lvl > scope.initial.get(s, 0):
                requiring.setdefault((s, lvl), []).append(v)
    for (s, lvl), users in requiring.items():
        providers = [acts[b] for b in scope.needed.get((s, lvl), ())]
        avail = m.new_int_var(0, scope.end_week, f"available[{lid},{s},{lvl}]")
        chosen = []
        for p in providers:
            c = m.new_bool_var(f"unlocks[{lid},{s},{lvl},{p.activity.id}]")
            m.add_implication(c, p.taken)
            m.add(p.end <= avail).only_enforce_if(c)
            chosen.append(c)
        for v in users:
            m.add_bool_or(chosen).only_enforce_if(v.taken)
            m.add(v.start >= avail).only_enforce_if(v.taken)


def add_mentor_capacity(
    m: cp_model.CpModel, request: PlanRequest, learners: Sequence[LearnerVars], ledger: Ledger
) -> None:
    """Mentees active with a mentor never exceed capacity less bookings and ledger usage."""
    for mentor in request.mentors:
        uses = [
            v.mentor_intervals[mentor.id]
            for lv in learners
            for v in lv.acts.values()
            if mentor.id in v.mentor_intervals
        ]
        if not uses:
            continue
        load = _padded(ledger.mentor_load.get(mentor.id, []), request.horizon_weeks)
        taken = [
            mentor.capacity - max(0, mentor.free(w) - load[w]) for w in range(request.horizon_weeks)
        ]
        _cumulative_with_blockers(m, uses, mentor.capacity, taken, f"mentor[{mentor.id}]")


def add_seats(
    m: cp_model.CpModel, request: PlanRequest, learners: Sequence[LearnerVars], ledger: Ledger
) -> None:
    """Seats: per cohort for cohort activities, otherwise learners active in the same week."""
    for a in request.activities:
        if a.seats is None:
            continue
        takers = [lv.acts[a.id] for lv in learners if a.id in lv.acts]
        if not takers:
            continue
        if a.start_weeks is not None:
            _cohort_seats(m, a, takers, ledger)
        else:
            taken = _padded(ledger.active_taken.get(a.id, []), request.horizon_weeks)
            if len(takers) + max(taken) > a.seats:
                uses = [v.interval for v in takers]
                _cumulative_with_blockers(m, uses, a.seats, taken, f"seats[{a.id}]")


def _cohort_seats(
    m: cp_model.CpModel, a: Activity, takers: list[ActivityVars], ledger: Ledger
) -> None:
    assert a.start_weeks is not None and a.seats is not None
    for week in a.start_weeks:
        room = a.seats - ledger.cohort_taken.get((a.id, week), 0)
        if len(takers) <= room:
            continue
        joins = []
        for v in takers:
            j = m.new_bool_var(f"joins[{v.taken.name},{week}]")
            m.add(v.start != week).only_enforce_if([~j, v.taken])  # a taker starting then joins
            joins.append(j)
        m.add(sum(joins) <= max(0, room))


def _padded(row: list[int], length: int) -> list[int]:
    return (row + [0] * length)[:length]


def _cumulative_with_blockers(
    m: cp_model.CpModel,
    uses: list[cp_model.IntervalVar],
    capacity: int,
    taken: list[int],
    name: str,
) -> None:
    """Cumulative of unit demands, with fixed intervals standing for capacity already taken."""
    intervals, demands = list(uses), [1] * len(uses)
    w = 0
    while w < len(taken):
        if taken[w] <= 0:
            w += 1
            continue
        end = w
        while end < len(taken) and taken[end] == taken[w]:
            end += 1
        intervals.append(m.new_fixed_size_interval_var(w, end - w, f"{name}.taken[{w}]"))
        demands.append(min(taken[w], capacity))
        w = end
    m.add_cumulative(intervals, demands, capacity)


def mentor_free(request: PlanRequest, ledger: Ledger | None) -> MentorFree:
    """Mentor places free per week after bookings and the ledger's usage."""
    free = MentorFree(request.mentors, request.horizon_weeks)
    if ledger is not None:
        for mid, load in ledger.mentor_load.items():
            row = free.free[mid]
            for w, used in enumerate(load[: len(row)]):
                row[w] = max(0, row[w] - used)
    return free
