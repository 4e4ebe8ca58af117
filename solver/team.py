"""Team mode for many learners: per-learner solves, shared capacity by price and branch, refinement.

1. Ideal: each learner solved alone with all mentors and seats free. Their sum bounds the team.
   Every learner's closure is settled first (a second pass gives the unproven ones the time the
   easy ones left); readiness, hours and cost follow while time is left.
2. Spare: a learner whose ideal plan uses a mentor or a seat but who reaches the same closure
   without any takes that plan instead; the others are ordered by the closure they would lose.
3. Share: the learners whose plans still take mentors or seats compete for them. Column
   generation (`solver.columns`) prices mentor-weeks and seats, finds each learner's plans that
   are worth their price, and picks one plan per learner within capacity. The prices also prove a
   bound on the team's closure, which replaces the sum of step 1 when it is lower.
4. Ledger: the plans are booked in the spare phase's order; a learner whose plan does not fit
   (only when the selection ran out of time) is re-solved against what is booked, and the losers
   are repaired jointly with the learners holding what they wanted.
5. Refine: learners one at a time (those below their ideal closure first) re-solved against
   everyone else's plans, keeping the better plan: readiness, hours and cost, and any closure that
   capacity left free allows.
If every ideal plan fits with the others the sum of ideal optima is attained: the plan is optimal.
The many small per-learner models use CP-SAT's light presolve (`solver_for(light=True)`).
The organisation re-plan (`settle` without a repair end) runs step 4 alone on its ideal plans.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from solver.columns import (
    BATCH_SHARE,
    PRICE_SHARE,
    Competitor,
    capacity,
    price_and_branch,
    usage,
)
from solver.cpsat import Ledger, Resource, mentor_free
from solver.greedy import greedy
from solver.instance import Learner, PlanRequest
from solver.lexicographic import Plans, TieredResult, closure_bound
from solver.measure import learner_plan, objective_key, prerequisites_met
from solver.scope import LearnerScope, build_scope
from solver.solution import PlanItem

REPAIR_MAX_LEARNERS = 12  # learners re-solved together in the repair model
# Shares of the time limit: the ideal phase; the spare phase; sharing contested capacity (price
# and branch). What is left refines learners against everyone else.
IDEAL_SHARE, SPARE_SHARE, COLUMNS_SHARE = 0.2, 0.1, 0.35
FALLBACK_SHARE = 0.05  # each, for the ledger's re-solves and the repair if the selection failed
# Of the time left when there was no time for price and branch: the ledger, then the repair.
LEDGER_SHARE, REPAIR_SHARE = 0.4, 0.15
FIRST_PASS_SHARE = 0.6  # of the closure time, for the first pass over every learner
CLOSURE_SHARE = 0.75  # of the ideal phase, for every learner's closure before any refinement


def solve_team(request: PlanRequest, deadline: float) -> tuple[TieredResult, dict[str, Any]]:
    """Plan a large team that shares mentors and seats."""
    started = time.monotonic()
    total = deadline - started
    hints = {p.learner: list(p.items) for p in greedy(request).plans}
    until = started + total * IDEAL_SHARE
    # The closure passes may take the whole phase (they come first); what they leave refines.
    if request.options.workers > 1 and len(request.learners) > 1:
        ideal = ideal_plans_parallel(request, until, hints, request.options.workers, 1.0)
    else:
        ideal = ideal_plans(request, until, hints, 1.0)
    marks = [time.monotonic()]
    spare = started + total * (IDEAL_SHARE + SPARE_SHARE)
    order = spare_shared(request, ideal, spare)
    marks.append(time.monotonic())
    shared_end = started + total * (IDEAL_SHARE + SPARE_SHARE + COLUMNS_SHARE)
    # Pricing a learner costs about what their closure solve did in the ideal phase.
    per_learner = (marks[0] - started) / len(request.learners)
    chosen, column_stats = share_contested(request, ideal, shared_end, solve_s=per_learner)
    now = time.monotonic()
    marks.append(now)
    if column_stats.get("contested") and not column_stats.get("priced"):
        # No time to price: the ledger re-solves who lost, the repair re-plans them together.
        ledger_end = now + (deadline - now) * LEDGER_SHARE
        repair_end = ledger_end + (deadline - now) * REPAIR_SHARE
    else:  # the ledger and the repair settle what the selection could not fit, or left out
        ledger_end = now + total * FALLBACK_SHARE
        repair_end = ledger_end + total * FALLBACK_SHARE
        first = [lid for lid in order if lid in chosen]
        order = first + [lid for lid in order if lid not in chosen]
    result, stats = settle(request, ideal, ledger_end, deadline, hints, repair_end, order, chosen)
    stats.update(column_stats)
    ends = [*marks, time.monotonic()]
    phases = ("ideal", "spare", "share", "settle")
    stats["seconds"] = {
        p: round(b - a, 2) for p, a, b in zip(phases, [started, *ends], ends, strict=False)
    }
    return result, stats


@dataclass
class Ideal:
    """Each learner's plan made alone with all capacity free, and what that proves."""

    plans: Plans
    bound_milli: int  # sum of the learners' closure bounds (the team's bound)
    proven: bool  # every ideal plan is proven optimal
    spared: set[str] = field(default_factory=set)  # plans replaced by `spare_shared` (unrefined)
    bounds: dict[str, int] = field(default_factory=dict)  # learner -> closure bound
    alone: Plans = field(default_factory=dict)  # best plan found without shared capacity
    # Each learner's scope with every mentor free and seats shared (not kept across processes).
    scopes: dict[str, LearnerScope] = field(default_factory=dict)


def ideal_plans(
    request: PlanRequest,
    until: float,
    hints: dict[str, list[PlanItem]] | None = None,
    closure_share: float = CLOSURE_SHARE,
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
    closure_until = time.monotonic() + (until - time.monotonic()) * closure_share
    # Two passes: everyone with a share of 60 % of the closure time, then those left unproven
    # with what is left (an equal share would cut the few hard learners short).
    first_until = time.monotonic() + (closure_until - time.monotonic()) * FIRST_PASS_SHARE
    proven: dict[str, int] = {}  # learner -> proven closure optimum
    bounds: dict[str, int] = {}
    for until_pass in (first_until, closure_until):
        todo = [lr for lr in learners if lr.id not in proven]
        for i, lr in enumerate(todo):
            share = _share(until_pass, len(todo) - i)
            res, scope = solve_learner(
                request,
                lr,
                share,
                free,
                None,
                ideal.plans.get(lr.id, hints[lr.id]),
                shared=True,
                closure_only=True,
                light=True,
            )
            bound = closure_bound(res, scope.closure_bound_milli)
            ideal.scopes.setdefault(lr.id, scope)
            bounds[lr.id] = min(bound, bounds.get(lr.id, bound))
            plan = (res.plans or {}).get(lr.id)
            if plan is not None or lr.id not in ideal.plans:
                ideal.plans[lr.id] = plan or hints[lr.id]
            if res.status == "optimal":
                proven[lr.id] = bound
    ideal.bound_milli = sum(bounds.values())
    ideal.bounds = bounds
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
            request,
            lr,
            share,
            free,
            None,
            plan,
            shared=True,
            best_closure=proven[lr.id],
            light=True,
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
    request: PlanRequest,
    until: float,
    hints: dict[str, list[PlanItem]],
    processes: int,
    closure_share: float = CLOSURE_SHARE,
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
            pool.submit(_ideal_part, replace(one, learners=part), until, hints, closure_share)
            for part in parts
        ]
        found = [job.result() for job in jobs]
    plans, bounds = {}, {}
    for part in found:
        plans.update(part.plans)
        bounds.update(part.bounds)
    ordered = {lr.id: plans[lr.id] for lr in request.learners}
    proven = all(p.proven for p in found)
    return Ideal(ordered, sum(p.bound_milli for p in found), proven, bounds=bounds)


def _ideal_part(
    request: PlanRequest, until: float, hints: dict[str, list[PlanItem]], closure_share: float
) -> Ideal:
    """`ideal_plans` in a worker process, without the scopes (cheaper to rebuild than to send)."""
    ideal = ideal_plans(request, until, hints, closure_share)
    ideal.scopes.clear()
    return ideal


def settle(
    request: PlanRequest,
    ideal: Ideal,
    ledger_end: float,
    deadline: float,
    hints: dict[str, list[PlanItem]] | None = None,
    repair_end: float | None = None,
    order: list[str] | None = None,
    chosen: Plans | None = None,
    base: Ledger | None = None,
) -> tuple[TieredResult, dict[str, Any]]:
    """Phases 2 to 4: book ideal plans, re-solve who lost, repair jointly, refine one by one.

    The repair runs until `repair_end`; what is left refines learners against everyone else's
    plans (`_refine`). Without `repair_end` the repair runs until the deadline and nothing is
    refined. `order` (all learner ids) is the ledger's order; by default the request's.
    `chosen` replaces some learners' ideal plans in the ledger (`share_contested`'s selection).
    `base` holds what learners outside `request` (an organisation's other groups) take: every
    plan settled here fits with it.
    """
    from solver.planner import solve_joint

    if hints is None:
        hints = {p.learner: list(p.items) for p in greedy(request).plans}
    ledger, final, losers = copy_ledger(base), {}, []
    # First every ideal plan that still fits, in `order`; then the learners whose plan did
    # not fit, each re-solved against everything booked so far. Booking a re-solved plan can no
    # longer push a later learner's ideal plan out, and the re-solves share the ledger's time.
    by_id = {lr.id: lr for lr in request.learners}
    refine_later = repair_end is not None  # re-solve for closure only, refine at the end
    chosen = chosen or {}
    for lid in order or [lr.id for lr in request.learners]:
        lr = by_id[lid]
        plan = chosen.get(lid, ideal.plans[lid])
        if fits(request, ledger, plan):
            for item in plan:
                ledger.book(request, item)
            final[lr.id] = plan
        else:
            losers.append(lr.id)
    for i, lid in enumerate(losers):
        lr = by_id[lid]
        # What still fits of the ideal plan or of the greedy one: a valid start for the
        # re-solve, and the plan kept if it runs out of time.
        start = _better(
            request,
            lr,
            _greedy_fit(request, ledger, lr.id, ideal.plans),
            _greedy_fit(request, ledger, lr.id, hints),
        )
        until = _share(ledger_end, len(losers) - i)
        plan = _resolve(request, lr, ledger, until, start, closure_only=refine_later)
        for item in plan:
            ledger.book(request, item)
        final[lr.id] = plan
    final = {lr.id: final[lr.id] for lr in request.learners}
    until = deadline if repair_end is None else repair_end
    repaired = (
        _repair(request, final, ideal.plans, losers, until, solve_joint, base) if losers else 0
    )
    # Without a repair end the repair has all the time (and the result does not depend on how
    # far refinement got). With every learner at their own optimum there is nothing to gain.
    unsettled = set(losers) | {lid for lid, plan in chosen.items() if plan != ideal.plans[lid]}
    done = repair_end is None or (ideal.proven and not unsettled)
    refined = 0 if done else _refine(request, final, deadline, ideal, unsettled, base)
    status = "optimal" if ideal.proven and not unsettled else "feasible"
    stats = {
        "mode": "decomposed",
        "closure_bound": ideal.bound_milli / 1000,
        "learners_resolved_against_ledger": len(losers),
        "repair_group": repaired,
        "refined": refined,
    }
    return TieredResult(status, final), stats


def _refine(
    request: PlanRequest,
    final: Plans,
    deadline: float,
    ideal: Ideal,
    unsettled: set[str],
    base: Ledger | None = None,
) -> int:
    """Re-solve learners one at a time against everyone else's plans; keep what is better.

    Each re-solve may raise the learner's closure (capacity freed by the ledger and the repair)
    and settles readiness, hours and cost; the plan in hand is its hint and stays if it is not
    beaten, so the team's objective never gets worse. Learners whose closure is below their
    ideal plan's go first, then those whose plan `spare_shared` or `share_contested` replaced or
    the ledger re-solved (for closure only), then the others, each group in request order.
    Returns how many were re-solved.
    """

    ledger = copy_ledger(base)
    for items in final.values():
        for item in items:
            ledger.book(request, item)
    done = 0

    def short(lr: Learner) -> bool:
        now = learner_plan(request, lr, final[lr.id]).closure_milli
        return now < learner_plan(request, lr, ideal.plans[lr.id]).closure_milli

    behind = [lr for lr in request.learners if short(lr)]
    unsettled = ideal.spared | unsettled
    spared = [lr for lr in request.learners if lr.id in unsettled and lr not in behind]
    learners = behind + spared
    learners += [lr for lr in request.learners if lr not in learners]
    for i, lr in enumerate(learners):
        if time.monotonic() >= deadline:
            break
        plan = final[lr.id]
        for item in plan:
            ledger.book(request, item, -1)
        plan = _resolve(request, lr, ledger, _share(deadline, len(learners) - i), plan)
        for item in plan:
            ledger.book(request, item)
        final[lr.id] = plan
        done += 1
    return done


def spare_shared(request: PlanRequest, ideal: Ideal, until: float) -> list[str]:
    """Let learners who reach the same closure without mentors and seats give them up.

    For each learner whose ideal plan uses a mentor or a seat (request order), their closure is
    solved again with every mentored or seated activity they have not pinned left out. If it
    matches their ideal plan's closure, that plan replaces the ideal one (readiness, hours and cost
    are refined at the end, against everyone's plans). Returns the order for the ledger: learners
    by how much closure they would lose without shared capacity, most first (a learner not solved
    in time counts as losing everything it could), ties in request order. When every ideal plan
    fits with all the others, nobody competes: nothing changes and the order is the request's.
    """
    from solver.single import solve_learner

    ids = [lr.id for lr in request.learners]
    if fits(request, Ledger(), [i for lid in ids for i in ideal.plans[lid]]):
        return ids
    shared = frozenset(a.id for a in request.activities if a.needs_mentor or a.seats is not None)
    free = mentor_free(request, None)
    need: dict[str, int] = {}
    using = [
        lr for lr in request.learners if any(item.activity in shared for item in ideal.plans[lr.id])
    ]
    for i, lr in enumerate(using):
        have = learner_plan(request, lr, ideal.plans[lr.id]).closure_milli
        need[lr.id] = have
        if time.monotonic() >= until:
            continue
        pinned = {p.activity for p in lr.pinned}
        alone = replace(lr, excluded=lr.excluded | (shared - pinned))
        res, _ = solve_learner(
            request,
            alone,
            _share(until, len(using) - i),
            free,
            None,
            None,
            shared=True,
            closure_only=True,
            light=True,
        )
        plan = (res.plans or {}).get(lr.id)
        if plan is None:
            continue
        without = learner_plan(request, lr, plan).closure_milli
        need[lr.id] = max(0, have - without)
        ideal.alone[lr.id] = plan
        if without >= have:
            ideal.plans[lr.id] = plan
            ideal.spared.add(lr.id)
            ideal.proven = False  # the new plan's readiness, hours and cost are not settled
    return sorted(ids, key=lambda lid: -need.get(lid, 0))


def share_contested(
    request: PlanRequest,
    ideal: Ideal,
    until: float,
    batch_share: float = BATCH_SHARE,
    solve_s: float = 0.0,
) -> tuple[Plans, dict[str, Any]]:
    """Share mentors and seats among the learners whose ideal plans take them (price and branch).

    Returns a plan for each such learner, together within capacity when the selection succeeds
    (`solver.columns`), and the Lagrangian bound it proved, which replaces the team's bound when
    lower. Learners whose ideal plans all fit together keep them: nobody competes. When the time
    did not suffice to price every competing learner once, those never priced get no plan: the
    ledger shares better for them than a selection among plans made alone. With `solve_s`, the
    expected seconds of one pricing solve, nobody is priced when pricing every competing learner
    once would not fit in the time.
    `batch_share`: see `solver.columns.price_and_branch`.
    """
    ids = [lr.id for lr in request.learners]
    if time.monotonic() >= until or fits(
        request, Ledger(), [i for lid in ids for i in ideal.plans[lid]]
    ):
        return {}, {}
    free = mentor_free(request, None)
    competitors, others = [], 0
    for lr in request.learners:
        plan = ideal.plans[lr.id]
        bound = ideal.bounds[lr.id]
        if not usage(request, plan):
            others += bound
            continue
        scope = ideal.scopes.get(lr.id) or build_scope(request, lr, free, shared=True)
        comp = Competitor(lr, scope, bound)
        comp.add(request, plan)
        comp.add(request, ideal.alone.get(lr.id) or _without_shared(request, lr, plan))
        competitors.append(comp)
    if len(competitors) * solve_s > (until - time.monotonic()) * PRICE_SHARE:
        return {}, {"contested": len(competitors), "priced": 0}
    found = price_and_branch(request, competitors, others, until, batch_share)
    # A learner never priced has only their plan made alone and the one without shared capacity;
    # they keep their ideal plan for the ledger, which re-solves them against what is left if it
    # does not fit (selecting for them too: a price of sharing of 28 % against the ledger's 4 %
    # for 1,000 learners given 50 s).
    plans = {lid: p for lid, p in found.plans.items() if lid in found.covered}
    if found.bound_milli is not None and found.bound_milli < ideal.bound_milli:
        ideal.bound_milli = found.bound_milli
    stats = {
        "contested": len(competitors),
        "priced": len(found.covered),
        "pricing_rounds": found.rounds,
        "columns": found.columns,
        "column_mix": found.mix_milli / 1000,
        "lagrangian_bound": None if found.bound_milli is None else found.bound_milli / 1000,
    }
    return plans, stats


def _without_shared(request: PlanRequest, learner: Learner, plan: list[PlanItem]) -> list[PlanItem]:
    """The plan without its mentored and seated items (pins stay), and what builds on them."""
    pinned = {p.activity for p in learner.pinned}
    kept: list[PlanItem] = []
    for item in sorted(plan, key=lambda i: i.start_week):
        activity = request.activity_by_id[item.activity]
        shared = activity.needs_mentor or activity.seats is not None
        if (item.activity in pinned or not shared) and prerequisites_met(
            request, learner, kept, item
        ):
            kept.append(item)
    return kept


def _resolve(
    request: PlanRequest,
    learner: Learner,
    ledger: Ledger,
    until: float,
    start: list[PlanItem],
    closure_only: bool = False,
) -> list[PlanItem]:
    """The learner re-solved against what the ledger holds, from `start` (kept if no better)."""
    from solver.single import solve_learner

    res, _ = solve_learner(
        request,
        learner,
        until,
        mentor_free(request, ledger),
        ledger,
        start,
        shared=True,
        closure_only=closure_only,
        hint_fits=True,
        light=True,
    )
    return _better(request, learner, start, (res.plans or {}).get(learner.id) or start)


def _share(until: float, left: int) -> float:
    now = time.monotonic()
    return now + max(0.05, (until - now) / max(1, left))


def fits(request: PlanRequest, ledger: Ledger, items: list[PlanItem]) -> bool:
    """True when the items fit in what mentors and seats have left after the ledger.

    Only the places the items take are checked (the ledger is within capacity everywhere else):
    the organisation's ledger books thousands of plans, each checked in time of its own size.
    """
    return all(
        held(ledger, resource) + count <= capacity(request, resource)
        for resource, count in usage(request, items).items()
    )


def held(ledger: Ledger, resource: Resource) -> int:
    """What the ledger holds of one resource (mentor places, cohort seats or weekly seats)."""
    kind, key, week = resource
    if kind == "cohort":
        return ledger.cohort_taken.get((key, week), 0)
    row = (ledger.mentor_load if kind == "mentor" else ledger.active_taken).get(key)
    return row[week] if row is not None and week < len(row) else 0


def copy_ledger(ledger: Ledger | None) -> Ledger:
    """A copy of the ledger (an empty one for None) that can be booked without changing it."""
    if ledger is None:
        return Ledger()
    return Ledger(
        {k: list(v) for k, v in ledger.mentor_load.items()},
        dict(ledger.cohort_taken),
        {k: list(v) for k, v in ledger.active_taken.items()},
    )


def _greedy_fit(
    request: PlanRequest, ledger: Ledger, learner: str, hints: dict[str, list[PlanItem]]
) -> list[PlanItem]:
    """The learner's hinted items that still fit, in start order (a valid plan to start from).

    An item whose prerequisites were among the dropped ones is dropped too.
    """
    person = next(lr for lr in request.learners if lr.id == learner)
    kept: list[PlanItem] = []
    for item in sorted(hints[learner], key=lambda i: i.start_week):
        if prerequisites_met(request, person, kept, item) and fits(request, ledger, [*kept, item]):
            kept.append(item)
    return kept


def _repair(
    request: PlanRequest,
    final: Plans,
    ideal: Plans,
    losers: list[str],
    deadline: float,
    solve_joint: Any,
    base: Ledger | None = None,
) -> int:
    """Re-solve the losers with the holders of what they wanted; keep it if the team gains."""
    wanted = {(i.activity, i.mentor) for lid in losers for i in ideal[lid]}
    holders = [
        lid
        for lid, items in final.items()
        if lid not in losers and any((i.activity, i.mentor) in wanted for i in items)
    ]
    group = (losers + holders)[:REPAIR_MAX_LEARNERS]
    ledger = copy_ledger(base)
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
