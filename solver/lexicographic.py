"""Solve a `PlanModel` tier by tier: closure, then readiness, then hours, then cost.

Each tier is optimised with the earlier tiers fixed at their optimum and the previous solution as a
complete hint. A tier already at a known bound is fixed without a search. Hours and cost, the last
two tiers, are optimised in one search as `hours * M + cost`, M exceeding any plan's total cost: the
same lexicographic optimum, in about half the time of two searches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from solver.cpsat import Expr, PlanModel
from solver.instance import PlanRequest
from solver.measure import learner_plan
from solver.solution import PlanItem

Plans = dict[str, list[PlanItem]]
TIERS = ("closure", "readiness", "hours", "cost")
SAFE_OBJECTIVE = 2**50  # a combined objective stays well inside what CP-SAT handles exactly


@dataclass
class TieredResult:
    """What the tiered solve found: status, plans, and per-tier statistics."""

    status: str  # optimal | feasible | infeasible | unknown
    plans: Plans | None
    phases: list[dict[str, Any]] = field(default_factory=list)


def tier_values(request: PlanRequest, plans: Plans) -> dict[str, int]:
    """The four objective tiers of a set of plans (summed over learners)."""
    totals = dict.fromkeys(TIERS, 0)
    by_id = {lr.id: lr for lr in request.learners}
    for lid, items in plans.items():
        p = learner_plan(request, by_id[lid], items)
        totals["closure"] += p.closure_milli
        totals["readiness"] += p.readiness_week
        totals["hours"] += p.quarter_hours
        totals["cost"] += p.cost_cents
    return totals


def solver_for(
    time_limit: float, workers: int, light: bool = False, presolve: bool = True
) -> cp_model.CpSolver:
    """A CP-SAT solver with the project's deterministic settings.

    `light` cuts presolve to one pass with light probing and no symmetry detection: for the many
    small models of a team's learners, where the default presolve takes most of a solve's time.
    (Probing level 0 was faster still, but CP-SAT 9.15 then called a feasible model infeasible.)
    `presolve=False` skips presolve: for the pricing models of `solver.columns`, which it made
    half as fast with the same optima and bounds.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, time_limit)
    params.num_workers = workers
    params.random_seed = 0
    params.interleave_search = workers > 1  # deterministic schedule across workers
    if light:
        params.max_presolve_iterations = 1
        params.cp_model_probing_level = 1
        params.symmetry_level = 0
    params.cp_model_presolve = presolve
    return solver


def solve_tiers(
    pm: PlanModel,
    deadline: float,
    workers: int,
    hint: Plans | None = None,
    bounds: dict[str, int] | None = None,
    tiers: Sequence[str] = TIERS,
    trusted_hint: bool = True,
    light: bool = False,
) -> TieredResult:
    """Optimise the tiers in order; stop at the first tier that is not proven optimal.

    A tier the hint already attains a bound for is fixed without a search, but only when the hint
    is known to be a feasible plan (`trusted_hint`); otherwise it is only a starting point.
    `light` selects the light presolve (`solver_for`).
    """
    request = pm.request
    bounds = bounds or {}
    exprs: dict[str, tuple[Expr, bool]] = {
        "closure": (pm.closure(), True),
        "readiness": (pm.readiness(), False),
        "hours": (pm.hours(), False),
        "cost": (pm.cost(), False),
    }
    best = hint if trusted_hint else None  # an untrusted hint is never returned as a plan
    result = TieredResult("optimal", best)
    fixed: dict[str, int] = {}
    merged = _merge_hours_and_cost(pm, tiers)
    if merged is not None:
        exprs["hours+cost"] = (merged[0], False)
        tiers = [t for t in tiers if t != "cost"]
        tiers = ["hours+cost" if t == "hours" else t for t in tiers]
    for tier in tiers:
        expr, maximise = exprs[tier]
        known = _known(request, best, tier, merged)
        bound = bounds.get(tier)
        if tier == "readiness" and fixed.get("closure") != bounds.get("closure"):
            bound = None  # the readiness bound assumes every reachable level is reached
        if trusted_hint and known is not None and bound == known and _hint_in_model(pm, best):
            fixed[tier] = known
            pm.model.add(expr == known)
            result.phases.append({"tier": tier, "status": "at_bound", "objective": known})
            continue
        if best is not None or hint is not None:
            pm.hint(best if best is not None else hint or {})
        if maximise:
            pm.model.maximize(expr)
        else:
            pm.model.minimize(expr)
        started = time.monotonic()
        solver = solver_for(deadline - started, workers, light)
        status = solver.solve(pm.model)
        phase = {
            "tier": tier,
            "status": solver.status_name(status).lower(),
            "wall_s": round(time.monotonic() - started, 3),
        }
        result.phases.append(phase)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = pm.extract(solver)
            value = round(solver.objective_value)
            phase.update(objective=value, bound=round(solver.best_objective_bound))
            if status == cp_model.FEASIBLE:
                result.status = "feasible"
                break
            pm.model.add(expr == value)
            fixed[tier] = value
            if merged is not None and tier == "hours+cost":
                phase.update(hours=value // merged[1], cost=value % merged[1])
        elif status == cp_model.INFEASIBLE:
            result.status, best = "infeasible", None
            break
        else:
            result.status = "feasible" if best is not None else "unknown"
            break
        if deadline - time.monotonic() <= 0 and tier != tiers[-1]:
            result.status = "feasible"
            break
    result.plans = best
    return result


def _merge_hours_and_cost(pm: PlanModel, tiers: Sequence[str]) -> tuple[Expr, int] | None:
    """`hours * M + cost` and M, when hours and cost are the last two tiers and it stays exact."""
    if list(tiers[-2:]) != ["hours", "cost"]:
        return None
    taken = [v for lv in pm.learners for v in lv.acts.values()]
    most_cost = sum(v.activity.cost_cents for v in taken)
    most_hours = sum(v.activity.quarter_hours * v.activity.duration_weeks for v in taken)
    scale = most_cost + 1  # any two plans' costs differ by less than this
    if (most_hours + 1) * scale >= SAFE_OBJECTIVE:
        return None
    coefs = [
        v.activity.quarter_hours * v.activity.duration_weeks * scale + v.activity.cost_cents
        for v in taken
    ]
    return cp_model.LinearExpr.weighted_sum([v.taken for v in taken], coefs), scale


def _known(
    request: PlanRequest, best: Plans | None, tier: str, merged: tuple[Expr, int] | None
) -> int | None:
    """The value the current best plans give the tier (None without plans)."""
    if best is None:
        return None
    values = tier_values(request, best)
    if tier == "hours+cost" and merged is not None:
        return values["hours"] * merged[1] + values["cost"]
    return values[tier]


def closure_bound(result: TieredResult, static_bound: int) -> int:
    """The best proven upper bound on closure: the closure phase's bound, else the static one."""
    for phase in result.phases:
        if phase["tier"] == "closure":
            return int(phase.get("bound", phase.get("objective", static_bound)))
    return static_bound


def _hint_in_model(pm: PlanModel, plans: Plans | None) -> bool:
    """True when every hinted item is a candidate at an allowed start (so fixing a tier is safe)."""
    if plans is None:
        return False
    for lv in pm.learners:
        for item in plans.get(lv.scope.learner.id, ()):
            if item.activity not in lv.acts or item.start_week not in lv.scope.start_set(
                item.activity
            ):
                return False
    return True
