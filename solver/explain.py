"""Why a gap stays open, and what would close it, found by re-solving with one limit relaxed.

For each open gap the static scope analysis first tells the cases no search is needed for (nothing
teaches the level; nothing teaching it fits; its prerequisite chain cannot finish in time). For the
rest, small feasibility models ask: with a bigger budget / free mentors and seats / more hours per
week / a later deadline, can this skill reach its required level? The smallest step that works
becomes the suggestion.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from solver.cpsat import Ledger, PlanModel, mentor_free
from solver.instance import Learner, PlanRequest
from solver.lexicographic import Plans, solver_for
from solver.measure import final_levels, learner_plan
from solver.scope import build_scope
from solver.solution import LearnerPlan, OpenGap, PlanItem

HOUR_STEPS = (1, 2, 3, 4, 6, 8, 12, 16, 20)  # extra hours per week
WEEK_STEPS = (2, 4, 6, 8, 13, 26, 52)  # extra weeks before the deadline
CHECK_LIMIT_S = 1.0  # one relaxed feasibility check
MIN_EXPLAIN_S = 0.5  # explanations get at least this much even when the solve used its limit

Check = Callable[[PlanRequest, Learner, bool], bool]


@dataclass
class _Context:
    request: PlanRequest
    ledger: Ledger  # capacity held by the other learners' plans
    deadline: float
    closure: int = 0  # what the plan closes now; a what-if must keep it and close one gap more


def explain_open_gaps(
    request: PlanRequest, plans: Sequence[LearnerPlan], found: Plans, deadline: float
) -> tuple[LearnerPlan, ...]:
    """Attach an explanation and a what-if to every target a plan leaves open."""
    deadline = max(deadline, time.monotonic() + MIN_EXPLAIN_S)
    out = []
    for lr, plan in zip(request.learners, plans, strict=True):
        open_skills = [g for g in plan.gaps if g.final < g.required]
        if not open_skills:
            out.append(plan)
            continue
        ctx = _Context(request, _others(request, found, lr.id), deadline)
        gaps = []
        for g in open_skills:
            ctx.closure = plan.closure_milli + g.weight_milli * (
                g.required - max(g.final, g.initial)
            )
            gaps.append(_explain(ctx, lr, g.skill, g.final + 1, g.required))
        out.append(learner_plan(request, lr, plan.items, tuple(gaps)))
    return tuple(out)


def _others(request: PlanRequest, found: Plans, learner: str) -> Ledger:
    ledger = Ledger()
    for lid, items in found.items():
        if lid != learner:
            for item in items:
                ledger.book(request, item)
    return ledger


def _explain(ctx: _Context, learner: Learner, skill: str, level: int, required: int) -> OpenGap:
    request = ctx.request
    scope = build_scope(
        request, learner, mentor_free(request, ctx.ledger), shared=len(request.learners) > 1
    )
    teachers = [a for a in request.activities if a.grants.get(skill, 0) >= level]
    if (skill, level) not in scope.taught:
        excluded = [a.id for a in teachers if a.id in learner.excluded]
        if excluded:
            return OpenGap(
                skill,
                "no_activity",
                f"only excluded activities teach {skill} to level {level}",
                f"allow {excluded[0]}",
            )
        return OpenGap(
            skill,
            "no_activity",
            f"no activity in the catalog teaches {skill} to level {level}",
            f"add an activity that teaches {skill} to level {required}",
        )
    reason, detail = _static_reason(scope.dropped, teachers, skill, level, learner)
    what_if = _what_if(ctx, learner, skill, required)
    if what_if is None:
        return OpenGap(skill, reason or "time", detail or _time_detail(skill, required), None)
    kind, suggestion = what_if
    if reason is None or kind != "time":  # a budget or capacity relaxation alone names the cause
        reason = kind
        detail = {
            "budget": f"the budget runs out before {skill} reaches level {required}",
            "capacity": f"the mentors or seats needed for {skill} are taken in the weeks available",
            "time": _time_detail(skill, required),
        }[kind]
    return OpenGap(skill, reason, detail or "", suggestion)


def _time_detail(skill: str, required: int) -> str:
    return f"not enough weeks or hours per week to bring {skill} to level {required}"


def _static_reason(
    dropped: dict[str, str], teachers: Sequence[object], skill: str, level: int, learner: Learner
) -> tuple[str | None, str | None]:
    """Cases the scope analysis already settles: nothing fits, or prerequisite chains too long."""
    ids = [getattr(a, "id", "") for a in teachers if getattr(a, "id", "") not in learner.excluded]
    why = [dropped.get(i) for i in ids]
    chain = "its prerequisites cannot be met in time"
    if ids and all(w == chain for w in why):
        return (
            "prerequisites",
            f"{ids[0]} teaches {skill} to level {level}, but its prerequisites cannot be "
            "completed before the deadline",
        )
    if ids and all(w in ("does not fit in time", chain) for w in why):
        return "time", f"no activity teaching {skill} to level {level} fits before the deadline"
    return None, None


def _what_if(ctx: _Context, learner: Learner, skill: str, required: int) -> tuple[str, str] | None:
    """The first relaxation (budget, capacity, hours, deadline) that closes the gap."""
    request = ctx.request
    if learner.budget_cents is not None and _reaches(
        ctx, request, replace(learner, budget_cents=None), skill, required, False
    ):
        extra = _extra_budget(ctx, learner, skill, required)
        if extra is not None:
            return "budget", f"budget +{_money(extra)}"
    limited = request.mentors or any(a.seats for a in request.activities)
    if limited and _reaches(ctx, _roomy(request), learner, skill, required, True):
        return "capacity", "one more mentor place or seat (the plan would then close it)"
    hours = _smallest(
        HOUR_STEPS,
        lambda h: _reaches(
            ctx,
            request,
            replace(learner, quarter_hours=learner.quarter_hours + 4 * h),
            skill,
            required,
            False,
        ),
    )
    weeks = _smallest(
        WEEK_STEPS, lambda w: _reaches(ctx, *_later(request, learner, w), skill, required, False)
    )
    options = []
    if hours is not None:
        options.append(f"+{hours} h/week")
    if weeks is not None:
        options.append(f"deadline +{weeks} weeks")
    return ("time", " or ".join(options)) if options else None


def _smallest(steps: Sequence[int], works: Callable[[int], bool]) -> int | None:
    """Binary search for the smallest step that works (steps ascending; success is monotone)."""
    if not works(steps[-1]):
        return None
    lo, hi = 0, len(steps) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if works(steps[mid]):
            hi = mid
        else:
            lo = mid + 1
    return steps[lo]


def _later(request: PlanRequest, learner: Learner, weeks: int) -> tuple[PlanRequest, Learner]:
    due = request.end_week(learner) + weeks
    wider = replace(request, horizon_weeks=max(request.horizon_weeks, due))
    return wider, replace(learner, deadline_week=due)


def _roomy(request: PlanRequest) -> PlanRequest:
    """The request with mentor bookings and seat limits lifted."""
    mentors = tuple(
        replace(m, capacity=max(m.capacity, 1) + len(request.learners), booked=())
        for m in request.mentors
    )
    acts = tuple(replace(a, seats=None) for a in request.activities)
    return replace(request, mentors=mentors, activities=acts)


def _model_for(
    ctx: _Context,
    request: PlanRequest,
    learner: Learner,
    skill: str,
    required: int,
    ignore_ledger: bool,
) -> PlanModel | None:
    """A one-learner model that must close the gap and keep what the plan already closes."""
    ledger = Ledger() if ignore_ledger else ctx.ledger
    scope = build_scope(
        request, learner, mentor_free(request, ledger), shared=len(request.learners) > 1
    )
    if not scope.needed.get((skill, required)) or scope.closure_bound_milli < ctx.closure:
        return None
    pm = PlanModel(request, [scope], ledger)
    pm.model.add(pm.learners[0].reached[(skill, required)] == 1)
    pm.model.add(pm.closure() >= ctx.closure)
    return pm


def _reaches(
    ctx: _Context,
    request: PlanRequest,
    learner: Learner,
    skill: str,
    required: int,
    ignore_ledger: bool,
) -> bool:
    """Is there a plan (keeping pins) that brings the skill to the required level?"""
    remaining = ctx.deadline - time.monotonic()
    if remaining <= 0:
        return False
    pm = _model_for(ctx, request, learner, skill, required, ignore_ledger)
    if pm is None:
        return False
    solver = solver_for(min(CHECK_LIMIT_S, remaining), request.options.workers)
    return solver.status_name(solver.solve(pm.model)) in ("OPTIMAL", "FEASIBLE")


def _extra_budget(ctx: _Context, learner: Learner, skill: str, required: int) -> int | None:
    """How much more money the cheapest plan that closes the gap needs."""
    remaining = ctx.deadline - time.monotonic()
    pm = _model_for(ctx, ctx.request, replace(learner, budget_cents=None), skill, required, False)
    if pm is None or remaining <= 0:
        return None
    pm.model.minimize(pm.cost())
    solver = solver_for(min(CHECK_LIMIT_S, remaining), ctx.request.options.workers)
    if solver.status_name(solver.solve(pm.model)) not in ("OPTIMAL", "FEASIBLE"):
        return None
    return max(0, round(solver.objective_value) - (learner.budget_cents or 0))


def _money(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"


def explain_alone(
    request: PlanRequest, learner: Learner, items: Sequence[PlanItem], deadline: float
) -> tuple[OpenGap, ...]:
    """The open gaps of one learner's plan made alone (every mentor and seat free), explained.

    An organisation re-plan explains each learner in its parallel phase, where everyone is
    planned alone; `explain_shared` then adapts the explanations to the settled plan.
    """
    one = replace(request, learners=(learner,))
    plan = learner_plan(one, learner, tuple(items))
    return explain_open_gaps(one, (plan,), {learner.id: list(items)}, deadline)[0].open_gaps


def explain_shared(
    request: PlanRequest,
    learner: Learner,
    items: Sequence[PlanItem],
    alone_items: Sequence[PlanItem],
    alone_gaps: Sequence[OpenGap],
) -> tuple[OpenGap, ...]:
    """The open gaps of a plan settled against other learners, without another solve.

    A gap the plan made alone closes further was lost to the mentors and seats other learners'
    plans hold: its reason is capacity, and the plan made alone shows how far it would get with
    one more place. Any other open gap is open alone too, for the reason found alone.
    """
    alone = final_levels(request, learner, list(alone_items))
    known = {g.skill: g for g in alone_gaps}
    out = []
    for gap in learner_plan(request, learner, tuple(items)).gaps:
        if gap.final >= gap.required:
            continue
        reach = alone.get(gap.skill, 0)
        if reach > gap.final or gap.skill not in known:
            then = "close it" if reach >= gap.required else f"bring it to level {reach}"
            out.append(
                OpenGap(
                    gap.skill,
                    "capacity",
                    f"the mentors or seats needed for {gap.skill} are taken by other learners' "
                    "plans in the weeks available",
                    f"one more mentor place or seat (the plan would then {then})",
                )
            )
        else:
            out.append(known[gap.skill])
    return tuple(out)
