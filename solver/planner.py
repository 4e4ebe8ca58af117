"""`solve(request)`: the planning engine's entry point.

Small groups are solved in one CP-SAT model; larger teams are decomposed (`solver.team`). Open
gaps are then explained by re-solving relaxed (`solver.explain`).
"""

from __future__ import annotations

import time

from solver.bounds import energy_bound
from solver.cpsat import Ledger, PlanModel, mentor_free
from solver.greedy import greedy
from solver.instance import PlanRequest
from solver.lexicographic import Plans, TieredResult, closure_bound, solve_tiers
from solver.measure import learner_plan
from solver.scope import build_scope
from solver.single import solve_learner
from solver.solution import LearnerPlan, PlanResponse

JOINT_MAX_LEARNERS = 6  # above this, teams are decomposed
EXPLAIN_SHARE = 0.15


def solve(request: PlanRequest) -> PlanResponse:
    """Plan every learner of the request; deterministic for a solve that ends within its limit."""
    started = time.monotonic()
    limit = request.options.time_limit_s
    # Explanations re-solve relaxed; they get the last part of the time limit.
    deadline = started + (limit * (1 - EXPLAIN_SHARE) if request.options.explain else limit)
    if len(request.learners) > JOINT_MAX_LEARNERS:
        from solver.team import solve_team

        result, stats = solve_team(request, deadline)
    else:
        result, stats = solve_joint(request, deadline)
    plans = _plans(request, result)
    if request.options.explain and result.plans is not None:
        from solver.explain import explain_open_gaps

        plans = explain_open_gaps(request, plans, result.plans, started + limit)
    stats["wall_s"] = round(time.monotonic() - started, 3)
    return PlanResponse(status=result.status, plans=plans, stats=stats)


def solve_joint(
    request: PlanRequest,
    deadline: float,
    ledger: Ledger | None = None,
    learner_ids: set[str] | None = None,
    hint: Plans | None = None,
) -> tuple[TieredResult, dict[str, object]]:
    """One CP-SAT model over the chosen learners (all by default), hinted by the greedy plan."""
    learners = [lr for lr in request.learners if learner_ids is None or lr.id in learner_ids]
    free = mentor_free(request, ledger)
    shared = len(request.learners) > 1
    if hint is None:
        ids = {lr.id for lr in learners}
        hint = {p.learner: list(p.items) for p in greedy(request).plans if p.learner in ids}
    if len(learners) == 1:
        one, scope = solve_learner(
            request, learners[0], deadline, free, ledger, hint.get(learners[0].id), shared
        )
        return one, {
            "mode": "single",
            "closure_bound": closure_bound(one, scope.closure_bound_milli) / 1000,
            "candidates": {scope.learner.id: len(scope.candidates)},
            "phases": one.phases,
        }
    scopes = [build_scope(request, lr, free, shared=shared) for lr in learners]
    pm = PlanModel(request, scopes, ledger)
    bounds = {
        "closure": sum(s.closure_bound_milli for s in scopes),
        "readiness": sum(energy_bound(s) for s in scopes),
    }
    result = solve_tiers(pm, deadline, request.options.workers, hint, bounds)
    stats: dict[str, object] = {
        "mode": "joint",
        "closure_bound": closure_bound(result, bounds["closure"]) / 1000,
        "candidates": {s.learner.id: len(s.candidates) for s in scopes},
        "phases": result.phases,
    }
    return result, stats


def _plans(request: PlanRequest, result: TieredResult) -> tuple[LearnerPlan, ...]:
    found = result.plans or {}
    return tuple(learner_plan(request, lr, found.get(lr.id, ())) for lr in request.learners)
