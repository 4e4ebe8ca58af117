"""What planning a team together cost each learner, and which mentors and seats they contended for.

Each learner is planned alone against the same request (other people's bookings still count,
their teammates' plans do not) and compared with their plan in the team's answer: closure and
readiness alone and together. A mentor, cohort or seated activity is *contended* in the weeks
where the plans made alone would together take more places than it has free; the report names
who wanted it (their plan alone took it) and who holds it in the team's plans.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from solver.columns import capacity, usage
from solver.cpsat import Resource
from solver.instance import PlanRequest
from solver.solution import LearnerPlan, PlanResponse

MIN_SOLVE_S = 0.2  # each learner's solve alone gets at least this long


@dataclass(frozen=True)
class LearnerCost:
    """One learner's plan alone and together: closure (weighted) and readiness week."""

    learner: str
    closure_alone: float
    closure_together: float
    max_closure: float
    readiness_alone: int
    readiness_together: int
    status_alone: str

    @property
    def closure_lost(self) -> float:
        """Closure the team plan gives up against the plan made alone (never negative)."""
        return max(0.0, round(self.closure_alone - self.closure_together, 3))

    @property
    def weeks_later(self) -> int:
        """Weeks later ready together than alone, when both plans close the same."""
        return max(0, self.readiness_together - self.readiness_alone)


@dataclass(frozen=True)
class Contention:
    """A mentor, cohort or seated activity the plans made alone would over-book."""

    kind: str  # "mentor", "cohort" (one dated run) or "seat" (an activity's seats per week)
    key: str  # the mentor's or the activity's id
    from_week: int
    to_week: int  # exclusive; a cohort: its start week + 1
    places: int  # the fewest places free in those weeks
    wanted_by: tuple[str, ...]  # learners whose plan alone takes it in those weeks
    holders: tuple[str, ...]  # learners whose team plan takes it in those weeks, first come first


@dataclass(frozen=True)
class SharingReport:
    """The price of planning together, per learner, and the contended capacity."""

    learners: tuple[LearnerCost, ...]
    contended: tuple[Contention, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (stored with the team-planning job's result)."""
        return {
            "learners": [
                {
                    "learner": c.learner,
                    "closure_alone": c.closure_alone,
                    "closure_together": c.closure_together,
                    "max_closure": c.max_closure,
                    "readiness_alone": c.readiness_alone,
                    "readiness_together": c.readiness_together,
                    "status_alone": c.status_alone,
                    "closure_lost": c.closure_lost,
                    "weeks_later": c.weeks_later,
                }
                for c in self.learners
            ],
            "contended": [
                {
                    "kind": c.kind,
                    "key": c.key,
                    "from_week": c.from_week,
                    "to_week": c.to_week,
                    "places": c.places,
                    "wanted_by": list(c.wanted_by),
                    "holders": list(c.holders),
                }
                for c in self.contended
            ],
        }


def sharing_report(
    request: PlanRequest, together: PlanResponse, time_limit_s: float
) -> SharingReport:
    """Plan every learner alone within `time_limit_s` in all, and compare with `together`."""
    from solver.planner import solve

    deadline = time.monotonic() + time_limit_s
    alone: dict[str, LearnerPlan] = {}
    statuses: dict[str, str] = {}
    for index, learner in enumerate(request.learners):
        left = max(MIN_SOLVE_S, (deadline - time.monotonic()) / (len(request.learners) - index))
        options = replace(request.options, time_limit_s=left, explain=False)
        answer = solve(replace(request, learners=(learner,), options=options))
        alone[learner.id] = answer.plans[0]
        statuses[learner.id] = answer.status
    team = {plan.learner: plan for plan in together.plans}
    costs = tuple(_cost(alone[lr.id], team[lr.id], statuses[lr.id]) for lr in request.learners)
    return SharingReport(costs, contended(request, alone, team))


def _cost(alone: LearnerPlan, together: LearnerPlan, status: str) -> LearnerCost:
    return LearnerCost(
        learner=alone.learner,
        closure_alone=alone.closure_milli / 1000,
        closure_together=together.closure_milli / 1000,
        max_closure=together.max_closure_milli / 1000,
        readiness_alone=alone.readiness_week,
        readiness_together=together.readiness_week,
        status_alone=status,
    )


def contended(
    request: PlanRequest, alone: dict[str, LearnerPlan], team: dict[str, LearnerPlan]
) -> tuple[Contention, ...]:
    """Resources the plans made alone over-book, in runs of consecutive weeks."""
    wanted: dict[Resource, list[str]] = {}
    for learner, plan in alone.items():
        for resource, count in usage(request, plan.items).items():
            wanted.setdefault(resource, []).extend([learner] * count)
    held: dict[Resource, set[str]] = {}
    for learner, plan in team.items():
        for resource in usage(request, plan.items):
            held.setdefault(resource, set()).add(learner)
    over = sorted(r for r, who in wanted.items() if len(who) > capacity(request, r))
    return tuple(_runs(request, over, wanted, held))


def _runs(
    request: PlanRequest,
    over: Sequence[Resource],
    wanted: dict[Resource, list[str]],
    held: dict[Resource, set[str]],
) -> list[Contention]:
    """Group over-booked weeks of one resource into runs (a cohort is a run of its own)."""
    out: list[Contention] = []
    run: list[Resource] = []
    for resource in over:
        kind, key, week = resource
        if run and (kind, key) == run[-1][:2] and week == run[-1][2] + 1 and kind != "cohort":
            run.append(resource)
            continue
        if run:
            out.append(_contention(request, run, wanted, held))
        run = [resource]
    if run:
        out.append(_contention(request, run, wanted, held))
    return out


def _contention(
    request: PlanRequest,
    run: Sequence[Resource],
    wanted: dict[Resource, list[str]],
    held: dict[Resource, set[str]],
) -> Contention:
    kind, key, first = run[0]
    order = [lr.id for lr in request.learners]
    wanters = {who for r in run for who in wanted[r]}
    since: dict[str, int] = {}  # holder -> the first week of the run they hold it
    for resource in run:
        for who in held.get(resource, ()):
            since.setdefault(who, resource[2])
    return Contention(
        kind=kind,
        key=key,
        from_week=first,
        to_week=run[-1][2] + 1,
        places=min(capacity(request, r) for r in run),
        wanted_by=tuple(lid for lid in order if lid in wanters),
        holders=tuple(sorted(since, key=lambda lid: (since[lid], order.index(lid)))),
    )
