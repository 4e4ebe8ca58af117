"""Measures of a learner's plan (levels reached, closure, hours, cost), from its items alone.

Used to build every response the same way: by the CP-SAT model, the greedy baseline and the
exhaustive search. The validator (`solver.validate`) deliberately does not use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from solver.instance import Learner, PlanRequest
from solver.solution import Gap, LearnerPlan, OpenGap, PlanItem


def final_levels(
    request: PlanRequest, learner: Learner, items: Iterable[PlanItem]
) -> dict[str, int]:
    """Initial levels raised by every item's grants."""
    levels = request.initial_levels(learner)
    for item in items:
        for skill, level in request.activity_by_id[item.activity].grants.items():
            levels[skill] = max(levels.get(skill, 0), level)
    return levels


def gaps(request: PlanRequest, learner: Learner, final: dict[str, int]) -> tuple[Gap, ...]:
    """One gap record per target skill, in the target's order."""
    initial = request.initial_levels(learner)
    return tuple(
        Gap(skill, initial.get(skill, 0), t.level, final.get(skill, 0), t.weight_milli)
        for skill, t in learner.target.items()
    )


def closure_milli(gap_list: Iterable[Gap]) -> int:
    """Weighted gap closure: what the plan adds up to the required level."""
    return sum(
        g.weight_milli * (min(g.final, g.required) - min(g.initial, g.required)) for g in gap_list
    )


def max_closure_milli(gap_list: Iterable[Gap]) -> int:
    """Weighted closure if every target were reached."""
    return sum(g.weight_milli * (g.required - min(g.initial, g.required)) for g in gap_list)


def learner_plan(
    request: PlanRequest,
    learner: Learner,
    items: Iterable[PlanItem],
    open_gaps: tuple[OpenGap, ...] = (),
) -> LearnerPlan:
    """The full plan record for a learner's items, sorted by start week then activity id."""
    ordered = tuple(sorted(items, key=lambda i: (i.start_week, i.activity)))
    final = final_levels(request, learner, ordered)
    gap_list = gaps(request, learner, final)
    acts = request.activity_by_id
    return LearnerPlan(
        learner=learner.id,
        items=ordered,
        final_levels=final,
        gaps=gap_list,
        closure_milli=closure_milli(gap_list),
        max_closure_milli=max_closure_milli(gap_list),
        readiness_week=max((i.end_week for i in ordered), default=0),
        quarter_hours=sum(
            acts[i.activity].quarter_hours * acts[i.activity].duration_weeks for i in ordered
        ),
        cost_cents=sum(acts[i.activity].cost_cents for i in ordered),
        open_gaps=open_gaps,
    )


def objective_key(plan: LearnerPlan) -> tuple[int, int, int, int]:
    """The lexicographic objective as a tuple where larger is better."""
    return (plan.closure_milli, -plan.readiness_week, -plan.quarter_hours, -plan.cost_cents)


def prerequisites_met(
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
