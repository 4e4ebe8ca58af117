"""Organisation planning: settle thousands of plans made alone into plans that share capacity.

The public team-planning API for an organisation (the planning contract's team mode at scale):
every learner has a plan made alone (all mentors and seats free) and a proven bound on its
closure. `settle_organisation` turns them into plans that fit together:

1. `contention_groups`: a learner whose plan takes no over-booked mentor-week, cohort or
   seat-week is settled already. The others fall into groups: connected components of learners
   linked by the over-booked places they share. Places are per week, so learners who want the
   same mentor in weeks that do not overlap fall into different groups.
2. `settle_group`, one group at a time and independently (`map_fn` runs them: in this process,
   a process pool, or Celery tasks): price and branch (`solver.columns`) under a sharing policy,
   then the ledger and refinement (`solver.team.settle`), against the plans of everyone outside
   the group. Prices prove a Lagrangian bound for the group.
3. `merge`: the groups' plans booked in group order; a plan that no longer fits (two groups took
   the same place nobody's plan made alone held) is re-solved against what is booked.

The organisation's bound is the settled learners' bounds plus each group's best bound; the price
of sharing is measured against it and against the learners planned alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from solver.columns import Competitor, capacity, price_and_branch, usage
from solver.cpsat import Ledger, Resource, mentor_free
from solver.instance import Learner, PlanRequest
from solver.measure import learner_plan
from solver.org_policy import Loss, losses, policy_weights
from solver.scope import build_scope
from solver.solution import PlanItem
from solver.team import Ideal, _resolve, _without_shared, fits, ideal_plans, settle

Plans = dict[str, list[PlanItem]]
# Of a group's time: the ledger's re-solves, then its joint repair; the rest prices and selects.
LEDGER_SHARE, REPAIR_SHARE = 0.4, 0.1


@dataclass(frozen=True)
class Group:
    """Learners who contend for the same over-booked places, and those places."""

    learners: tuple[str, ...]  # in request order
    places: frozenset[Resource]


def over_booked(request: PlanRequest, plans: Plans) -> dict[Resource, int]:
    """Places the plans together take more of than there is: place -> how many they take."""
    total: dict[Resource, int] = {}
    for items in plans.values():
        for place, count in usage(request, items).items():
            total[place] = total.get(place, 0) + count
    return {r: n for r, n in total.items() if n > capacity(request, r)}


def contention_groups(request: PlanRequest, plans: Plans) -> tuple[tuple[str, ...], list[Group]]:
    """(learners settled already, groups of learners who contend), both in request order."""
    over = over_booked(request, plans)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    wants: dict[str, set[Resource]] = {}
    for lr in request.learners:
        mine = {r for r in usage(request, plans[lr.id]) if r in over}
        wants[lr.id] = mine
        for place in mine:  # a learner joins the component of every place they want
            parent[root(_node(place))] = root(lr.id)
    members: dict[str, list[str]] = {}
    settled = []
    for lr in request.learners:
        if wants[lr.id]:
            members.setdefault(root(lr.id), []).append(lr.id)
        else:
            settled.append(lr.id)
    groups = [
        Group(tuple(ids), frozenset(r for lid in ids for r in wants[lid]))
        for ids in members.values()
    ]
    return tuple(settled), groups


def _node(place: Resource) -> str:
    kind, key, week = place
    return f"\0{kind}\0{key}\0{week}"  # never a learner id (ids are printable)


@dataclass(frozen=True)
class GroupWork:
    """One group to settle: its learners' request, plans made alone and what others hold."""

    request: PlanRequest  # the group's learners only
    plans: Plans  # made alone
    bounds: dict[str, int]  # proven closure bound per learner
    base: Ledger  # what everyone outside the group takes (their plans made alone)
    weights: dict[str, int]
    seconds: float


@dataclass
class GroupSettled:
    """A group's plans within capacity and the bound its prices prove on its (weighted) closure."""

    plans: Plans
    bound_milli: int
    stats: dict[str, Any] = field(default_factory=dict)


def settle_group(work: GroupWork) -> GroupSettled:
    """Share the group's places under its weights: the ledger, then price and branch.

    The ledger (plans made alone booked, who lost re-solved against what is left, a joint
    repair) gives plans that fit; they join each learner's columns (with the plan made alone and
    the one without shared places), pricing adds more while time is left, and one column per
    learner is selected for the most weighted closure, starting from the ledger's. The ledger's
    plans stay unless the selection beats them on the weighted closure.
    """
    request, started = work.request, time.monotonic()
    deadline = started + work.seconds
    started_columns = started
    ideal = Ideal(dict(work.plans), sum(work.bounds.values()), False, bounds=dict(work.bounds))
    order = sorted(work.plans, key=lambda lid: -work.weights[lid])  # stable: request order
    ledger_end = started + work.seconds * LEDGER_SHARE
    repair_end = ledger_end + work.seconds * REPAIR_SHARE
    result, stats = settle(request, ideal, ledger_end, repair_end, order=order, base=work.base)
    kept: Plans = result.plans or dict(work.plans)
    free = mentor_free(request, None)
    competitors: list[Competitor] = []
    weighted = sum(work.bounds[lid] * w for lid, w in work.weights.items())
    for i, lr in enumerate(request.learners):
        now = time.monotonic()
        # Each learner's columns take a scope analysis: when they would use up more than half
        # of the time left, the ledger's plans stand and the bound is the learners' own.
        if i and (now - started_columns) / i * (len(request.learners) - i) > (deadline - now) / 2:
            stats.update(priced=0, pricing_rounds=0, columns=0)
            return GroupSettled(kept, weighted, stats)
        if not i:
            started_columns = now
        comp = Competitor(lr, build_scope(request, lr, free, shared=True), work.bounds[lr.id])
        comp.weight = work.weights[lr.id]
        for plan in (kept[lr.id], work.plans[lr.id]):
            comp.add(request, plan)
        comp.add(request, _without_shared(request, lr, work.plans[lr.id]))
        competitors.append(comp)
    hint = {lr.id: 0 for lr in request.learners}  # each one's ledger plan (trimmed) fits
    found = price_and_branch(
        request, competitors, 0, deadline, base=held_places(work.base), hint=hint
    )
    bound = weighted if found.bound_milli is None else min(weighted, found.bound_milli)
    if _weighted(request, found.plans, work.weights) > _weighted(request, kept, work.weights):
        kept = {lr.id: found.plans[lr.id] for lr in request.learners}
    stats.update(priced=len(found.covered), pricing_rounds=found.rounds, columns=found.columns)
    return GroupSettled(kept, bound, stats)


def _weighted(request: PlanRequest, plans: Plans, weights: dict[str, int]) -> int:
    """Weighted closure of the plans (the sharing policy's objective)."""
    return sum(
        weights[lr.id] * learner_plan(request, lr, plans[lr.id]).closure_milli
        for lr in request.learners
    )


def held_places(ledger: Ledger) -> dict[Resource, int]:
    """What a ledger holds, place by place."""
    out: dict[Resource, int] = {}
    for mid, row in ledger.mentor_load.items():
        out.update({("mentor", mid, w): n for w, n in enumerate(row) if n})
    for (aid, start), n in ledger.cohort_taken.items():
        if n:
            out[("cohort", aid, start)] = n
    for aid, row in ledger.active_taken.items():
        out.update({("seat", aid, w): n for w, n in enumerate(row) if n})
    return out


@dataclass
class OrgSettled:
    """The organisation's plans within capacity, the bounds, and who lost what to sharing."""

    plans: Plans
    status: str  # optimal (every plan made alone fits and was proven) or feasible
    closure_milli: int
    alone_milli: int  # every learner's plan made alone: what nobody sharing would reach
    bound_milli: int  # the organisation's bound: Lagrangian where groups were priced
    objective_bound_milli: int  # the same for the policy's weighted closure (= bound under total)
    losses: list[Loss]
    stats: dict[str, Any]
    policy: str = "total"


MapFn = Callable[[Callable[[GroupWork], GroupSettled], Iterable[GroupWork]], Iterable[GroupSettled]]


def group_work(
    request: PlanRequest,
    plans: Plans,
    bounds: dict[str, int],
    groups: Sequence[Group],
    seconds_per_learner: float,
    policy: str,
) -> list[GroupWork]:
    """Each group's self-contained work (picklable; `solver.response` can write its request)."""
    weights = policy_weights(request, policy)
    by_id = {lr.id: lr for lr in request.learners}
    out = []
    for group in groups:
        inside = set(group.learners)
        base = Ledger()
        for lid, items in plans.items():
            if lid not in inside:
                for item in items:
                    base.book(request, item)
        sub = replace(request, learners=tuple(by_id[lid] for lid in group.learners))
        out.append(
            GroupWork(
                sub,
                {lid: plans[lid] for lid in group.learners},
                {lid: bounds[lid] for lid in group.learners},
                base,
                {lid: weights[lid] for lid in group.learners},
                max(1.0, seconds_per_learner * len(group.learners)),
            )
        )
    return out


@dataclass(frozen=True)
class Alone:
    """Every learner's plan made alone (all mentors and seats free) and its closure bound."""

    plans: Plans
    bounds: dict[str, int]
    proven: bool  # every plan proven optimal alone


def plan_alone(request: PlanRequest, seconds: float) -> Alone:
    """Each learner planned alone within `seconds` in all; a solve stops once it is proven."""
    ideal = ideal_plans(request, time.monotonic() + seconds)
    return Alone(ideal.plans, ideal.bounds, ideal.proven)


def open_gap(request: PlanRequest, learner: Learner, items: Sequence[PlanItem]) -> bool:
    """True when the plan leaves some of the learner's gap open (only then is it explained)."""
    plan = learner_plan(request, learner, items)
    return plan.closure_milli < plan.max_closure_milli


def split_organisation(
    request: PlanRequest,
    plans: Plans,
    bounds: dict[str, int],
    seconds_per_learner: float,
    policy: str = "total",
) -> tuple[tuple[str, ...], list[GroupWork]]:
    """Learners settled already, and each group's work (the same for the same input)."""
    settled, groups = contention_groups(request, plans)
    return settled, group_work(request, plans, bounds, groups, seconds_per_learner, policy)


def settle_organisation(
    request: PlanRequest,
    plans: Plans,
    bounds: dict[str, int],
    seconds_per_learner: float,
    policy: str = "total",
    map_fn: MapFn = map,
    proven: bool = False,
) -> OrgSettled:
    """Plans made alone (and their bounds) settled into plans that share capacity.

    `map_fn` runs `settle_group` over the groups' work (the builtin `map`, a process pool's
    `map`); a caller that spreads groups over machines calls `split_organisation`, settles each
    group where it likes and gives the results to `merge`.
    """
    settled, works = split_organisation(request, plans, bounds, seconds_per_learner, policy)
    done = list(map_fn(settle_group, works))
    return merge(request, plans, bounds, settled, works, done, policy, proven)


def merge(
    request: PlanRequest,
    plans: Plans,
    bounds: dict[str, int],
    settled: Sequence[str],
    works: Sequence[GroupWork],
    done: Sequence[GroupSettled],
    policy: str,
    proven: bool = False,
) -> OrgSettled:
    """Book the settled learners, then each group's plans; re-solve any plan that does not fit."""
    final: Plans = {lid: plans[lid] for lid in settled}
    ledger = Ledger()
    for items in final.values():
        for item in items:
            ledger.book(request, item)
    by_id = {lr.id: lr for lr in request.learners}
    resolved = 0
    for group in done:
        for lid, items in group.plans.items():
            if not fits(request, ledger, items):  # two groups took the same free place
                items = _resolve(request, by_id[lid], ledger, time.monotonic() + 1.0, [])
                resolved += 1
            for item in items:
                ledger.book(request, item)
            final[lid] = items
    final = {lr.id: final[lr.id] for lr in request.learners}
    closure = {
        lr.id: learner_plan(request, lr, final[lr.id]).closure_milli for lr in request.learners
    }
    alone = {
        lr.id: learner_plan(request, lr, plans[lr.id]).closure_milli for lr in request.learners
    }
    outside = sum(bounds[lid] for lid in settled)
    weights = policy_weights(request, policy)
    objective = sum(bounds[lid] * weights[lid] for lid in settled) + sum(
        g.bound_milli for g in done
    )
    # Under the total policy the groups' bounds are on closure itself; otherwise on their
    # weighted closure, and the closure bound is what each learner could reach alone.
    groups_bound = (
        sum(g.bound_milli for g in done)
        if policy == "total"
        else sum(bounds[lid] for w in works for lid in w.plans)
    )
    stats = {
        "groups": len(works),
        "largest_group": max((len(w.plans) for w in works), default=0),
        "settled_alone": len(settled),
        "merge_resolved": resolved,
        "priced": sum(int(g.stats.get("priced", 0)) for g in done),
    }
    status = "optimal" if proven and not works else "feasible"
    return OrgSettled(
        final,
        status,
        sum(closure.values()),
        sum(alone.values()),
        outside + groups_bound,
        objective,
        losses(request, plans, final, closure, alone, policy),
        stats,
        policy,
    )
