"""Team mode for many learners: per-learner solves, a capacity ledger, then a joint repair.

1. Ideal: each learner solved alone with all mentors and seats free. Their sum bounds the team.
   Every learner's closure is settled first; readiness, hours and cost follow while time is left.
2. Ledger: in request order, each ideal plan is booked if it still fits; otherwise that learner is
   re-solved against what earlier learners hold.
3. Repair: the learners who lost something, with the learners holding what they wanted, are
   re-solved together in one model while everyone else stays fixed.
If no learner lost anything the sum of ideal optima is attained, so the team plan is optimal.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from solver.cpsat import Ledger, mentor_free
from solver.greedy import greedy
from solver.instance import Learner, PlanRequest
from solver.lexicographic import Plans, TieredResult, closure_bound
from solver.measure import final_levels, learner_plan, objective_key
from solver.solution import PlanItem

REPAIR_MAX_LEARNERS = 12  # learners re-solved together in the repair model
IDEAL_SHARE, LEDGER_SHARE = 0.7, 0.15  # of the time limit; the repair gets the rest
CLOSURE_SHARE = 0.75  # of the ideal phase, for every learner's closure before any refinement


def solve_team(request: PlanRequest, deadline: float) -> tuple[TieredResult, dict[str, Any]]:
    """Plan a large team that shares mentors and seats."""
    started = time.monotonic()
    total = deadline - started
    hints = {p.learner: list(p.items) for p in greedy(request).plans}
    until = started + total * IDEAL_SHARE
    if request.options.workers > 1 and len(request.learners) > 1:
        ideal = ideal_plans_parallel(request, until, hints, request.options.workers)
    else:
        ideal = ideal_plans(request, until, hints)
    ledger_end = started + total * (IDEAL_SHARE + LEDGER_SHARE)
    return settle(request, ideal, ledger_end, deadline, hints)


@dataclass
class Ideal:
    """Each learner's plan made alone with all capacity free, and what that proves."""

    plans: Plans
    bound_milli: int  # sum of the learners' closure bounds (the team's bound)
    proven: bool  # every ideal plan is proven optimal


def ideal_plans(
    request: PlanRequest, until: float, hints: dict[str, list[PlanItem]] | None = None
) -> Ideal:
    """Phase 1, one learner at a time (independent: callers may split learners across workers).

    First every learner's closure optimum (their sum is the team's bound, so it comes before any
    refinement), then, while time is left, readiness, hours and cost in request order.
    """
    from solver.single import solve_learner

    if hints is None:
        hints = {p.learner: list(p.items) for p in greedy(request).plans}
    free = mentor_free(request, None)
    ideal = Ideal({}, 0, True)
    learners = request.learners
    closure_until = time.monotonic() + (until - time.monotonic()) * CLOSURE_SHARE
    proven: dict[str, int] = {}  # learner -> proven closure optimum
    for i, lr in enumerate(learners):
        share = _share(closure_until, len(learners) - i)
        res, scope = solve_learner(
            request, lr, share, free, None, hints[lr.id], shared=True, closure_only=True
        )
        ideal.bound_milli += closure_bound(res, scope.closure_bound_milli)
        ideal.plans[lr.id] = (res.plans or {}).get(lr.id, hints[lr.id])
        if res.status == "optimal":
            proven[lr.id] = closure_bound(res, scope.closure_bound_milli)
    ideal.proven = len(proven) == len(learners)
    for i, lr in enumerate(learners):
        if time.monotonic() >= until or lr.id not in proven:
            ideal.proven = False
            # Unrefined: the closure solve's plan ignores readiness, hours and cost; the greedy
            # plan (valid on its own too) may beat it on them at the same closure.
            ideal.plans[lr.id] = _better(request, lr, ideal.plans[lr.id], hints[lr.id])
            continue
        share = _share(until, len(learners) - i)
        plan = ideal.plans[lr.id]
        res, _ = solve_learner(
            request, lr, share, free, None, plan, shared=True, best_closure=proven[lr.id]
        )
        ideal.plans[lr.id] = (res.plans or {}).get(lr.id, plan)
        ideal.proven = ideal.proven and res.status == "optimal"
    return ideal


def _better(
    request: PlanRequest, learner: Learner, one: list[PlanItem], other: list[PlanItem]
) -> list[PlanItem]:
    """The lexicographically better of two plans for one learner (the first on a tie)."""
    key_one = objective_key(learner_plan(request, learner, one))
    return other if objective_key(learner_plan(request, learner, other)) > key_one else one


def ideal_plans_parallel(
    request: PlanRequest, until: float, hints: dict[str, list[PlanItem]], processes: int
) -> Ideal:
    """Phase 1 split over worker processes, each solving every `processes`-th learner alone.

    The split and the merge follow request order, so it depends only on the request and the
    number of processes; each CP-SAT solve runs on one worker. Deadlines are `time.monotonic()`
    values, which child processes share on the same machine.
    """
    one = replace(request, options=replace(request.options, workers=1))
    parts = [one.learners[i::processes] for i in range(processes)]
    parts = [part for part in parts if part]
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(len(parts), mp_context=context) as pool:
        jobs = [
            pool.submit(ideal_plans, replace(one, learners=part), until, hints) for part in parts
        ]
        found = [job.result() for job in jobs]
    plans = {}
    for part in found:
        plans.update(part.plans)
    ordered = {lr.id: plans[lr.id] for lr in request.learners}
    return Ideal(ordered, sum(p.bound_milli for p in found), all(p.proven for p in found))


def settle(
    request: PlanRequest,
    ideal: Ideal,
    ledger_end: float,
    deadline: float,
    hints: dict[str, list[PlanItem]] | None = None,
) -> tuple[TieredResult, dict[str, Any]]:
    """Phases 2 and 3: book ideal plans in request order, re-solve who lost, repair jointly."""
    from solver.planner import solve_joint
    from solver.single import solve_learner

    if hints is None:
        hints = {p.learner: list(p.items) for p in greedy(request).plans}
    ledger, final, losers = Ledger(), {}, []
    for i, lr in enumerate(request.learners):
        plan = ideal.plans[lr.id]
        if not fits(request, ledger, plan):
            # What still fits of the ideal plan or of the greedy one: a valid start for the
            # re-solve, and the plan kept if it runs out of time.
            start = _better(
                request,
                lr,
                _greedy_fit(request, ledger, lr.id, ideal.plans),
                _greedy_fit(request, ledger, lr.id, hints),
            )
            until = _share(ledger_end, len(request.learners) - i)
            res, _ = solve_learner(
                request,
                lr,
                until,
                mentor_free(request, ledger),
                ledger,
                start,
                shared=True,
                hint_fits=True,
            )
            plan = _better(request, lr, start, (res.plans or {}).get(lr.id) or start)
            losers.append(lr.id)
        for item in plan:
            ledger.book(request, item)
        final[lr.id] = plan
    repaired = _repair(request, final, ideal.plans, losers, deadline, solve_joint) if losers else 0
    status = "optimal" if ideal.proven and not losers else "feasible"
    stats = {
        "mode": "decomposed",
        "closure_bound": ideal.bound_milli / 1000,
        "learners_resolved_against_ledger": len(losers),
        "repair_group": repaired,
    }
    return TieredResult(status, final), stats


def _share(until: float, left: int) -> float:
    now = time.monotonic()
    return now + max(0.05, (until - now) / max(1, left))


def fits(request: PlanRequest, ledger: Ledger, items: list[PlanItem]) -> bool:
    """True when the items fit in what mentors and seats have left after the ledger."""
    trial = Ledger(
        {k: list(v) for k, v in ledger.mentor_load.items()},
        dict(ledger.cohort_taken),
        {k: list(v) for k, v in ledger.active_taken.items()},
    )
    for item in items:
        trial.book(request, item)
    for mid, load in trial.mentor_load.items():
        mentor = request.mentor_by_id[mid]
        if any(used > mentor.free(w) for w, used in enumerate(load)):
            return False
    acts = request.activity_by_id
    if any(n > (acts[a].seats or 0) for (a, _), n in trial.cohort_taken.items()):
        return False
    return all(max(row) <= (acts[a].seats or 0) for a, row in trial.active_taken.items())


def _greedy_fit(
    request: PlanRequest, ledger: Ledger, learner: str, hints: dict[str, list[PlanItem]]
) -> list[PlanItem]:
    """The learner's hinted items that still fit, in start order (a valid plan to start from).

    An item whose prerequisites were among the dropped ones is dropped too.
    """
    person = next(lr for lr in request.learners if lr.id == learner)
    kept: list[PlanItem] = []
    for item in sorted(hints[learner], key=lambda i: i.start_week):
        if _prerequisites_met(request, person, kept, item) and fits(request, ledger, [*kept, item]):
            kept.append(item)
    return kept


def _prerequisites_met(
    request: PlanRequest, learner: Learner, kept: list[PlanItem], item: PlanItem
) -> bool:
    """True when the kept items ended by the item's start give it every level and activity."""
    before = [i for i in kept if i.end_week <= item.start_week]
    levels = final_levels(request, learner, before)
    activity = request.activity_by_id[item.activity]
    done = learner.completed | {i.activity for i in before}
    return all(levels.get(s, 0) >= lvl for s, lvl in activity.requires_skills.items()) and all(
        a in done for a in activity.requires_activities
    )


def _repair(
    request: PlanRequest,
    final: Plans,
    ideal: Plans,
    losers: list[str],
    deadline: float,
    solve_joint: Any,
) -> int:
    """Re-solve the losers with the holders of what they wanted; keep it if the team gains."""
    wanted = {(i.activity, i.mentor) for lid in losers for i in ideal[lid]}
    holders = [
        lid
        for lid, items in final.items()
        if lid not in losers and any((i.activity, i.mentor) in wanted for i in items)
    ]
    group = (losers + holders)[:REPAIR_MAX_LEARNERS]
    ledger = Ledger()
    for lid, items in final.items():
        if lid not in group:
            for item in items:
                ledger.book(request, item)
    if time.monotonic() >= deadline:
        return 0
    hint = {lid: final[lid] for lid in group}
    result, _ = solve_joint(request, deadline, ledger, set(group), hint)
    if result.plans is None:
        return 0
    by_id = {lr.id: lr for lr in request.learners}
    if _team_key(request, result.plans, by_id) > _team_key(request, hint, by_id):
        final.update(result.plans)
    return len(group)


def _team_key(request: PlanRequest, plans: Plans, by_id: dict[str, Any]) -> tuple[int, ...]:
    keys = [objective_key(learner_plan(request, by_id[lid], items)) for lid, items in plans.items()]
    return tuple(sum(k[i] for k in keys) for i in range(4))
