"""One learner's plan: closure by CP-SAT, readiness by tightening the deadline, then hours and cost.

Readiness is the tier CP-SAT finds hardest to prove as a min-max objective. Instead, each candidate
readiness week R, from the static lower bound up, becomes a deadline: the scope analysis re-run with
deadline R drops most of the catalog (and often proves R impossible with no search at all), and a
small model settles the rest. The first feasible R is optimal, and its model minimises hours and
cost straight away (no separate model for the last tiers).
"""

from __future__ import annotations

import time
from dataclasses import replace

from solver.bounds import energy_bound
from solver.cpsat import Ledger, PlanModel
from solver.instance import Learner, PlanRequest
from solver.lexicographic import Plans, TieredResult, solve_tiers, tier_values
from solver.scope import LearnerScope, MentorFree, build_scope, scope_by
from solver.solution import PlanItem


def solve_learner(
    request: PlanRequest,
    learner: Learner,
    deadline: float,
    free: MentorFree,
    ledger: Ledger | None = None,
    hint: list[PlanItem] | None = None,
    shared: bool = False,
    *,
    closure_only: bool = False,
    best_closure: int | None = None,
    hint_fits: bool = False,
    light: bool = False,
) -> tuple[TieredResult, LearnerScope]:
    """The lexicographically best plan for one learner, given capacity others already hold.

    `closure_only` stops after the closure tier; `best_closure`, a closure already proven optimal,
    lets a hint that attains it skip that tier's search. `hint_fits` says the hint was made
    against the ledger, so it is a valid plan even when the ledger holds capacity. `light`: the
    light presolve for every solve (`solver.lexicographic.solver_for`).
    """
    workers = request.options.workers
    scope = build_scope(request, learner, free, shared=shared)
    pm = PlanModel(request, [scope], ledger, readiness=False)  # only closure is solved here
    hints: Plans | None = {learner.id: hint} if hint is not None else None
    bounds = {"closure": scope.closure_bound_milli if best_closure is None else best_closure}
    # A hint made without the ledger (another learner's capacity) may not fit it.
    trusted = (
        hint_fits
        or ledger is None
        or not (ledger.mentor_load or ledger.cohort_taken or ledger.active_taken)
    )
    first = solve_tiers(pm, deadline, workers, hints, bounds, ("closure",), trusted, light)
    if first.status != "optimal" or first.plans is None or closure_only:
        return first, scope
    values = tier_values(request, first.plans)
    closure = values["closure"]
    best = first.plans
    ready = values["readiness"]
    lower = energy_bound(scope) if closure == scope.closure_bound_milli else 0
    phases = list(first.phases)
    # Narrow the catalog to this learner's candidates (plus completed items for initial levels).
    kept = {a.id for a in scope.candidates} | set(learner.completed)
    narrow = replace(request, activities=tuple(a for a in request.activities if a.id in kept))
    for week in range(lower, ready + 1):
        started = time.monotonic()
        if started >= deadline:
            return TieredResult("feasible", best, phases), scope
        # The first deadline that can be met is the readiness optimum: its model also minimises
        # hours then cost. The last one is met by the plan in hand, the hint.
        hinted = best if week == ready else None
        found = _best_by(narrow, scope_by(scope, week), closure, ledger, deadline, hinted, light)
        found.phases[0].update(deadline=week, wall_s=round(time.monotonic() - started, 3))
        phases += found.phases
        if found.status == "infeasible" and week < ready:
            continue
        if found.plans is None:  # out of time (or the hint did not fit): the plan in hand stands
            return TieredResult("feasible", best, phases), scope
        found.phases = phases
        return found, scope
    return TieredResult("feasible", best, phases), scope


def _best_by(
    request: PlanRequest,
    scope: LearnerScope,
    closure: int,
    ledger: Ledger | None,
    deadline: float,
    hint: Plans | None,
    light: bool = False,
) -> TieredResult:
    """The fewest hours, then cost, reaching `closure` with everything ended by the scope's end."""
    if scope.closure_bound_milli < closure:
        return TieredResult("infeasible", None, [{"tier": "readiness", "status": "infeasible"}])
    pm = PlanModel(request, [scope], ledger)
    pm.model.add(pm.closure() == closure)
    workers = request.options.workers
    result = solve_tiers(pm, deadline, workers, hint, {}, ("hours", "cost"), light=light)
    result.phases[0]["tier"] = "readiness"
    return result
