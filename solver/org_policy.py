"""Sharing policies of an organisation settle, and who lost what to sharing.

A policy is the settle step's objective: each learner's closure counts with a weight (1 for
everyone under `total`), in the selection of plans and in the prices. `losses` says, for every
learner whose shared plan closes less than their plan made alone, which places they wanted and
who holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solver.columns import usage
from solver.instance import PlanRequest
from solver.measure import learner_plan
from solver.solution import PlanItem

Plans = dict[str, list[PlanItem]]
WEIGHT_SPREAD = 4  # under a protecting policy the most protected learner's closure counts 1 + this
POLICIES = {
    "total": "maximise total readiness: places go where they close the most skill gap",
    "furthest": "protect the learners furthest from ready: their closure counts up to 5 times",
    "deadline": "by deadline: closure of learners with earlier deadlines counts up to 5 times",
}


def policy_weights(request: PlanRequest, policy: str) -> dict[str, int]:
    """How much each learner's closure counts under a sharing policy (1 for everyone: total)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown sharing policy {policy!r}; one of {', '.join(POLICIES)}")
    if policy == "total":
        return {lr.id: 1 for lr in request.learners}
    if policy == "furthest":
        far = {lr.id: learner_plan(request, lr, ()).max_closure_milli for lr in request.learners}
    else:  # the sooner the deadline, the more urgent
        far = {lr.id: request.horizon_weeks - request.end_week(lr) for lr in request.learners}
    top = max(far.values(), default=0)
    return {lid: 1 + (WEIGHT_SPREAD * v + top // 2) // top if top else 1 for lid, v in far.items()}


@dataclass(frozen=True)
class Loss:
    """A learner whose shared plan closes less than their plan made alone, and why."""

    learner: str
    closure_lost: float  # weighted gap closure, as in the plans
    places: tuple[str, ...]  # mentors and activities their plan alone took that they did not get
    holders: tuple[str, ...]  # learners who hold those places in the shared plans (first 5)
    why: str  # the sharing policy that decided

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "learner": self.learner,
            "closure_lost": self.closure_lost,
            "places": list(self.places),
            "holders": list(self.holders),
            "why": self.why,
        }


def losses(
    request: PlanRequest,
    alone_plans: Plans,
    final: Plans,
    closure: dict[str, int],
    alone: dict[str, int],
    policy: str,
) -> list[Loss]:
    """Who closes less than alone, which places they did not get, and who holds them."""
    holders: dict[tuple[str, str], list[str]] = {}
    for lr in request.learners:
        for kind, key, _ in usage(request, final[lr.id]):
            who = holders.setdefault((kind, key), [])
            if not who or who[-1] != lr.id:
                who.append(lr.id)
    out = []
    for lr in request.learners:
        lost = alone[lr.id] - closure[lr.id]
        if lost <= 0:
            continue
        mine = {(k, key) for k, key, _ in usage(request, final[lr.id])}
        wanted = sorted({(k, key) for k, key, _ in usage(request, alone_plans[lr.id])} - mine)
        held = [h for place in wanted for h in holders.get(place, []) if h != lr.id]
        out.append(
            Loss(
                lr.id,
                lost / 1000,
                tuple(f"{k} {key}" for k, key in wanted),
                tuple(dict.fromkeys(held))[:5],
                POLICIES[policy],
            )
        )
    return out
