"""Price and branch: share mentors and seats among the learners who compete for them.

Each competing learner (one whose closure needs a mentor or a seat) has a few candidate plans,
the columns: their ideal plan, their best plan without shared capacity, and plans found by pricing.
A linear program over the columns (GLOP) picks a fractional mix that respects every mentor's
weekly places, every cohort's seats and every seated activity's weekly seats; its dual values are
prices per mentor-week, cohort and seat-week. Pricing re-solves each learner alone for closure
less the price of what the plan takes (CP-SAT), which finds plans that use less contested
capacity; every plan that search finds on its way to the best becomes a column too (three times
the columns for the same solves, and half the benchmark team's distance to its bound). Each round
prices a batch of the learners furthest below their bound at the current prices; while the prices
stay the same, the next batch goes on with learners not yet priced at them. After the last round,
a CP-SAT model picks exactly one column per learner, within capacity, for the most closure.

The prices also give a bound (Lagrangian relaxation): for any prices p >= 0 and any team plan
within capacity, team closure <= sum over learners of max(closure - p . usage) + p . capacity.
Each learner's maximum is bounded by its pricing solve's proven bound (or its ideal bound when it
is not priced), so the bound holds whether or not a solve finished.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from solver.cpsat import PlanModel, Resource, item_resources
from solver.instance import Learner, PlanRequest
from solver.lexicographic import solver_for
from solver.measure import learner_plan, prerequisites_met
from solver.scope import LearnerScope
from solver.solution import PlanItem

SCALE = 100  # prices are in hundredths of a thousandth of closure
PRICE_SHARE = 0.8  # of the time, for pricing rounds; the rest picks one column per learner
BATCH_SHARE, BATCH_MIN = 0.25, 16  # learners priced per round: a share of the competitors


def usage(request: PlanRequest, items: Sequence[PlanItem]) -> dict[Resource, int]:
    """Mentor places per week, cohort seats and weekly seats the items take."""
    out: dict[Resource, int] = {}
    for item in items:
        for r in item_resources(
            request.activity_by_id[item.activity], item.start_week, item.mentor
        ):
            out[r] = out.get(r, 0) + 1
    return out


def capacity(request: PlanRequest, resource: Resource) -> int:
    """What one resource offers: a mentor's free places that week, else the activity's seats."""
    kind, key, week = resource
    if kind == "mentor":
        return request.mentor_by_id[key].free(week)
    return request.activity_by_id[key].seats or 0


@dataclass
class Column:
    """One candidate plan of one learner."""

    items: list[PlanItem]
    closure: int
    use: dict[Resource, int]

    def value(self, prices: Mapping[Resource, int], weight: int = 1) -> int:
        """Closure (weighted, scaled) less what the plan pays for its capacity at these prices."""
        paid = sum(prices.get(r, 0) * q for r, q in self.use.items())
        return self.closure * weight * SCALE - paid


@dataclass
class Competitor:
    """A learner whose closure depends on shared capacity, and their columns."""

    learner: Learner
    scope: LearnerScope  # made with `shared=True` and every mentor free
    bound: int  # proven upper bound on their closure (the ideal phase's)
    columns: list[Column] = field(default_factory=list)
    # How much their closure counts in the shared objective (a sharing policy; 1: total closure).
    weight: int = 1
    _seen: set[frozenset[PlanItem]] = field(default_factory=set)

    def add(self, request: PlanRequest, items: Sequence[PlanItem]) -> None:
        """Add a plan, trimmed of what adds no closure, as a column unless it is already one."""
        items = trimmed(request, self.learner, items)
        if frozenset(items) in self._seen:
            return
        self._seen.add(frozenset(items))
        closure = learner_plan(request, self.learner, items).closure_milli
        self.columns.append(Column(list(items), closure, usage(request, items)))


def trimmed(request: PlanRequest, learner: Learner, items: Sequence[PlanItem]) -> list[PlanItem]:
    """The plan without the items it reaches the same closure without (pins stay).

    Pricing settles closure, price and readiness only, so its plans may hold items that add
    nothing; each one dropped frees hours, money and often a mentor or a seat. Latest first, an
    item goes when the closure stays and every remaining item still has its prerequisites.
    """
    kept = sorted(items, key=lambda i: (i.start_week, i.activity))
    pinned = {p.activity for p in learner.pinned}
    closure = learner_plan(request, learner, kept).closure_milli
    for item in reversed(list(kept)):
        if item.activity in pinned:
            continue
        trial = [i for i in kept if i is not item]
        if learner_plan(request, learner, trial).closure_milli == closure and all(
            prerequisites_met(request, learner, trial, i) for i in trial
        ):
            kept = trial
    return kept


def room(request: PlanRequest, resource: Resource, base: Mapping[Resource, int] | None) -> int:
    """What one resource offers after `base` (capacity others outside the selection hold)."""
    return capacity(request, resource) - (base or {}).get(resource, 0)


@dataclass
class Selection:
    """What price and branch found: one plan per competitor, and the bound the prices prove."""

    plans: dict[str, list[PlanItem]]
    bound_milli: int | None  # the best Lagrangian bound on team closure, if any round ran
    rounds: int
    # Learners priced at least once, or with a column at their bound at some round's prices.
    covered: set[str]
    mix_milli: int  # the last master LP's value: the competitors' closure a fractional mix reaches
    columns: int
    prices: dict[Resource, int] = field(default_factory=dict)  # the prices of the best bound


def price_and_branch(
    request: PlanRequest,
    competitors: Sequence[Competitor],
    others_bound: int,
    until: float,
    batch_share: float = BATCH_SHARE,
    base: Mapping[Resource, int] | None = None,
    hint: Mapping[str, int] | None = None,
) -> Selection:
    """Rounds of master LP and pricing until `until`, then one column per competitor.

    Learners who do not compete take no shared capacity; `others_bound` bounds their closure.
    Every competitor needs at least one column; the result's plans fit within capacity whenever
    the final selection finds a solution (otherwise each keeps its first column, and the caller's
    ledger resolves what does not fit). `batch_share` of the competitors are priced per round;
    with 1.0 every round prices everyone, so that each round's bound counts. `base`: capacity
    held by learners outside the selection (their plans stay); the bound counts whole capacity,
    so it holds for everyone together. With weights (`Competitor.weight`) closure, the mix and the
    bound are weighted. `hint`: a column per learner known to fit together (the selection's start).
    """
    started = time.monotonic()
    price_until = started + (until - started) * PRICE_SHARE
    best_bound: int | None = None
    best_prices: dict[Resource, int] = {}
    rounds = mix = 0
    batch = max(BATCH_MIN, math.ceil(len(competitors) * batch_share))
    covered: set[str] = set()  # learners priced at least once, or at their bound at some prices
    at: dict[Resource, int] | None = None  # the prices the learners in `upper` were priced at
    upper: dict[str, int] = {}  # learner -> proven bound on closure less price, at `at`
    while time.monotonic() < price_until:
        prices, mix = _master_prices(request, competitors, base)
        if mix >= sum(c.bound * c.weight for c in competitors):
            covered = {c.learner.id for c in competitors}
            break  # the columns' mix gives everyone their bound: prices cannot find more
        if prices != at:
            at, upper = prices, {}
        values = _values(competitors, prices)
        covered |= {c.learner.id for c in competitors if values[c.learner.id] >= _top(c)}
        # Pricing can only help a learner whose best column at these prices is below their
        # bound; those furthest below go first, a batch per round, each learner once per prices.
        todo = sorted(
            (
                c
                for c in competitors
                if values[c.learner.id] < _top(c) and c.learner.id not in upper
            ),
            key=lambda c: values[c.learner.id] - _top(c),
        )[:batch]
        if not todo:
            break  # everyone was priced at these prices and the master LP did not move them
        for i, comp in enumerate(todo):
            now = time.monotonic()
            if now >= price_until:
                break
            share = now + max(0.05, (price_until - now) / (len(todo) - i))
            found, upper[comp.learner.id] = price(request, comp, prices, share)
            covered.add(comp.learner.id)
            for plan in found:
                comp.add(request, plan)
        rounds += 1
        # Lagrangian bound at these prices: a learner not priced at them counts with its bound.
        total = others_bound * SCALE + sum(p * capacity(request, r) for r, p in prices.items())
        for comp in competitors:
            lid = comp.learner.id
            total += min(upper.get(lid, _top(comp)), _top(comp))
        value = math.floor(total / SCALE)
        if best_bound is None or value < best_bound:
            best_bound, best_prices = value, dict(prices)
    plans = select(request, competitors, until, base, hint)
    count = sum(len(c.columns) for c in competitors)
    return Selection(plans, best_bound, rounds, covered, mix, count, best_prices)


def _top(comp: Competitor) -> int:
    """The most a competitor's column can be worth at any prices: its bound, weighted, scaled."""
    return comp.bound * comp.weight * SCALE


def _master_prices(
    request: PlanRequest,
    competitors: Sequence[Competitor],
    base: Mapping[Resource, int] | None = None,
) -> tuple[dict[Resource, int], int]:
    """Dual prices of the capacity rows in the master LP over the columns, and its value."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    objective = lp.Objective()
    objective.SetMaximization()
    rows: dict[Resource, pywraplp.Constraint] = {}
    for comp in competitors:
        convex = lp.Constraint(0, 1)
        for col in comp.columns:
            share = lp.NumVar(0, 1, "")
            convex.SetCoefficient(share, 1)
            objective.SetCoefficient(share, col.closure * comp.weight)
            for r, q in col.use.items():
                if r not in rows:
                    rows[r] = lp.Constraint(-lp.infinity(), room(request, r, base))
                rows[r].SetCoefficient(share, q)
    prices: dict[Resource, int] = {}
    mix = 0
    if lp.Solve() == pywraplp.Solver.OPTIMAL:
        mix = math.floor(objective.Value())
        for r, row in rows.items():
            dual = int(row.dual_value() * SCALE)
            if dual > 0:
                prices[r] = dual
    return prices, mix


def _values(competitors: Sequence[Competitor], prices: Mapping[Resource, int]) -> dict[str, int]:
    """Each learner's best column value at these prices: closure (scaled) less what it pays."""
    return {
        c.learner.id: max((col.value(prices, c.weight) for col in c.columns), default=0)
        for c in competitors
    }


class _Plans(cp_model.CpSolverSolutionCallback):
    """Every plan the search finds on its way to the best (each is a column worth having)."""

    def __init__(self, pm: PlanModel, learner: str) -> None:
        super().__init__()
        self.pm, self.learner = pm, learner
        self.found: list[list[PlanItem]] = []

    def on_solution_callback(self) -> None:
        """Record the solution's plan."""
        self.found.append(self.pm.extract(cast(cp_model.CpSolver, self))[self.learner])


def price(
    request: PlanRequest, comp: Competitor, prices: Mapping[Resource, int], until: float
) -> tuple[list[list[PlanItem]], int]:
    """The learner's plans with the most closure (scaled) less the price of what they take.

    Returns the plans the search found, the best last, and a proven upper bound on that value.
    """
    pm = PlanModel(request, [comp.scope], None)
    model, lv = pm.model, pm.learners[0]
    penalties = []
    for aid, v in lv.acts.items():
        a = v.activity
        if not (a.needs_mentor or a.seats is not None):
            continue
        options: list[tuple[str | None, cp_model.IntVar]] = (
            list(v.mentors.items()) if v.mentors else [(None, v.taken)]
        )
        starts = comp.scope.starts[aid]
        for mentor, chosen in options:
            table = [0] * (starts[-1] + 1)
            for s in starts:
                table[s] = sum(prices.get(r, 0) for r in item_resources(a, s, mentor))
            if max(table) == 0:
                continue
            cost = model.new_int_var(0, max(table), "")
            model.add_element(v.start, table, cost)
            paid = model.new_int_var(0, max(table), "")
            model.add(paid >= cost).only_enforce_if(chosen)
            penalties.append(paid)
    # Readiness (a week weighs one price unit, a hundredth of a thousandth of closure) breaks
    # ties toward early plans; the bound adds back the most it can take off (the end week).
    closure = cast(cp_model.LinearExpr, pm.closure())
    model.maximize(
        closure * (comp.weight * SCALE) - cp_model.LinearExpr.sum(penalties) - lv.readiness
    )
    best = max(comp.columns, key=lambda c: c.value(prices, comp.weight))
    pm.hint({comp.learner.id: best.items})
    solver = solver_for(until - time.monotonic(), request.options.workers, presolve=False)
    found = _Plans(pm, comp.learner.id)
    status = solver.solve(model, found)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], comp.bound * SCALE
    upper = math.ceil(solver.best_objective_bound - 1e-6) + comp.scope.end_week
    return found.found, upper


def select(
    request: PlanRequest,
    competitors: Sequence[Competitor],
    until: float,
    base: Mapping[Resource, int] | None = None,
    hint: Mapping[str, int] | None = None,
) -> dict[str, list[PlanItem]]:
    """One column per learner within capacity: most (weighted) closure, then earliest readiness.

    The hint is each learner's first column that fits greedily (request order), so the search
    starts from a valid selection whenever one exists.
    """
    model = cp_model.CpModel()
    rows: dict[Resource, list[tuple[int, cp_model.IntVar]]] = {}
    closure, ready = [], []
    choice: dict[str, list[cp_model.IntVar]] = {}
    taken: dict[Resource, int] = {}
    for comp in competitors:
        picks = [model.new_bool_var("") for _ in comp.columns]
        choice[comp.learner.id] = picks
        model.add_exactly_one(picks)
        ranked = sorted(range(len(comp.columns)), key=lambda k: -comp.columns[k].closure)
        given = (hint or {}).get(comp.learner.id)
        hinted = (
            given
            if given is not None
            else next(
                (
                    k
                    for k in ranked
                    if all(
                        taken.get(r, 0) + q <= room(request, r, base)
                        for r, q in comp.columns[k].use.items()
                    )
                ),
                ranked[-1],
            )
        )
        for r, q in comp.columns[hinted].use.items():
            taken[r] = taken.get(r, 0) + q
        for k, (col, pick) in enumerate(zip(comp.columns, picks, strict=True)):
            model.add_hint(pick, k == hinted)
            closure.append(col.closure * comp.weight * pick)
            ready.append(max((i.end_week for i in col.items), default=0) * pick)
            for r, q in col.use.items():
                rows.setdefault(r, []).append((q, pick))
    for r, terms in rows.items():
        left = room(request, r, base)
        if sum(q for q, _ in terms) > left:
            model.add(sum(q * pick for q, pick in terms) <= left)
    weight = request.horizon_weeks * len(competitors) + 1  # closure first, then readiness
    model.maximize(weight * sum(closure) - sum(ready))
    solver = solver_for(until - time.monotonic(), request.options.workers)
    status = solver.solve(model)
    chosen: dict[str, list[PlanItem]] = {}
    for comp in competitors:
        picks = choice[comp.learner.id]
        k = 0
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            k = next(k for k, pick in enumerate(picks) if solver.boolean_value(pick))
        chosen[comp.learner.id] = comp.columns[k].items
    return chosen
