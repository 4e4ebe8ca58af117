"""One learner's plan: closure by CP-SAT, readiness by tightening the deadline, then hours and cost.

Readiness is the tier CP-SAT finds hardest to prove as a min-max objective. Instead, each candidate
readiness week R, from the static lower bound up, becomes a deadline: the scope analysis re-run with
deadline R drops most of the catalog (and often proves R impossible with no search at all), and a
small feasibility model settles the rest. The first feasible R is optimal.
"""

from __future__ import annotations

import time
from dataclasses import replace

from solver.cpsat import Ledger, PlanModel
from solver.instance import Learner, PlanRequest
from solver.lexicographic import Plans, TieredResult, solve_tiers, solver_for, tier_values
from solver.scope import LearnerScope, MentorFree, build_scope
from solver.solution import PlanItem


def solve_learner(
    request: PlanRequest,
    learner: Learner,
    deadline: float,
    free: MentorFree,
    ledger: Ledger | None = None,
    hint: list[PlanItem] | None = None,
    shared: bool = False,
) -> tuple[TieredResult, LearnerScope]:
    """The lexicographically best plan for one learner, given capacity others already hold."""
    workers = request.options.workers
    scope = build_scope(request, learner, free, shared=shared)
    pm = PlanModel(request, [scope], ledger)
    hints: Plans | None = {learner.id: hint} if hint is not None else None
    bounds = {"closure": scope.closure_bound_milli}
    # A hint made without the ledger (another learner's capacity) may not fit it.
    trusted = ledger is None or not (
        ledger.mentor_load or ledger.cohort_taken or ledger.active_taken
    )
    first = solve_tiers(pm, deadline, workers, hints, bounds, ("closure",), trusted)
    if first.status != "optimal" or first.plans is None:
        return first, scope
    values = tier_values(request, first.plans)
    closure = values["closure"]
    best = first.plans
    ready = values["readiness"]
    lower = scope.readiness_bound if closure == scope.closure_bound_milli else 0
    phases = list(first.phases)
    # Narrow the catalog to this learner's candidates (plus completed items for initial levels).
    kept = {a.id for a in scope.candidates} | set(learner.completed)
    narrow = replace(request, activities=tuple(a for a in request.activities if a.id in kept))
    for week in range(lower, ready):
        started = time.monotonic()
        if started >= deadline:
            return TieredResult("feasible", best, phases), scope
        found = _feasible_by(narrow, _due(learner, week), closure, free, ledger, deadline, shared)
        phases.append(
            {
                "tier": "readiness",
                "deadline": week,
                "status": found[0],
                "wall_s": round(time.monotonic() - started, 3),
            }
        )
        if found[0] == "feasible":
            best, ready = found[1] or best, week
            break
        if found[0] == "unknown":
            return TieredResult("feasible", best, phases), scope
    final_scope = build_scope(narrow, _due(learner, ready), free, shared=shared)
    pm = PlanModel(narrow, [final_scope], ledger)
    pm.model.add(pm.closure() == closure)
    rest = solve_tiers(pm, deadline, workers, best, {}, tiers=("hours", "cost"))
    rest.phases = phases + rest.phases
    if rest.plans is None:  # ran out of time before improving: the readiness-optimal plan stands
        rest.plans, rest.status = best, "feasible"
    return rest, scope


def _due(learner: Learner, week: int) -> Learner:
    return replace(learner, deadline_week=week)


def _feasible_by(
    request: PlanRequest,
    learner: Learner,
    closure: int,
    free: MentorFree,
    ledger: Ledger | None,
    deadline: float,
    shared: bool,
) -> tuple[str, Plans | None]:
    """Can the learner reach `closure` with everything ended by their (tightened) deadline?"""
    scope = build_scope(request, learner, free, shared=shared)
    if scope.closure_bound_milli < closure:
        return "infeasible", None
    pm = PlanModel(request, [scope], ledger)
    pm.model.add(pm.closure() == closure)
    solver = solver_for(deadline - time.monotonic(), request.options.workers)
    status = solver.solve(pm.model)
    name = solver.status_name(status)
    if name in ("OPTIMAL", "FEASIBLE"):
        return "feasible", pm.extract(solver)
    return ("infeasible" if name == "INFEASIBLE" else "unknown"), None
