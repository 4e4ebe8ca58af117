"""Write planning dataclasses back to the public JSON format (version 1).

`response_to_json` turns a `PlanResponse` into the documented response: hours, money and weights
as JSON numbers in their public units. `request_to_json` is the exact inverse of
`solver.request.parse_request`, used to save generated requests as files.
"""

from __future__ import annotations

from typing import Any

from solver.instance import (
    CENTS_PER_UNIT,
    MILLI_PER_WEIGHT,
    QUARTERS_PER_HOUR,
    Activity,
    Learner,
    Mentor,
    PlanRequest,
)
from solver.solution import LearnerPlan, OpenGap, PlanResponse


def response_to_json(response: PlanResponse) -> dict[str, Any]:
    """The response as JSON-ready data; statistics are passed through unchanged."""
    return {
        "version": response.version,
        "status": response.status,
        "plans": [_plan(plan) for plan in response.plans],
        "stats": dict(response.stats),
    }


def _plan(plan: LearnerPlan) -> dict[str, Any]:
    """One learner's plan: hours, cost and closure as floats in public units."""
    return {
        "learner": plan.learner,
        "items": [
            {
                "activity": item.activity,
                "start_week": item.start_week,
                "end_week": item.end_week,
                "mentor": item.mentor,
            }
            for item in plan.items
        ],
        "final_levels": dict(plan.final_levels),
        "gaps": [
            {
                "skill": gap.skill,
                "initial": gap.initial,
                "required": gap.required,
                "final": gap.final,
                "weight": gap.weight_milli / MILLI_PER_WEIGHT,
            }
            for gap in plan.gaps
        ],
        "closure": plan.closure_milli / MILLI_PER_WEIGHT,
        "max_closure": plan.max_closure_milli / MILLI_PER_WEIGHT,
        "readiness_week": plan.readiness_week,
        "hours": plan.quarter_hours / QUARTERS_PER_HOUR,
        "cost": round(plan.cost_cents / CENTS_PER_UNIT, 2),
        "open_gaps": [open_gap_to_json(gap) for gap in plan.open_gaps],
    }


def open_gap_to_json(gap: OpenGap) -> dict[str, Any]:
    """One open gap in the response format."""
    return {
        "skill": gap.skill,
        "reason": gap.reason,
        "detail": gap.detail,
        "suggestion": gap.suggestion,
    }


def _number(units: int, per_unit: int) -> int | float:
    """A count of 1/per_unit units as a JSON number: an int when whole, else the nearest float.

    The float's shortest repr is the exact decimal, so `solver.request` reads back the same count.
    """
    whole, rest = divmod(units, per_unit)
    return whole if rest == 0 else units / per_unit


def request_to_json(request: PlanRequest) -> dict[str, Any]:
    """The request as JSON-ready data that `parse_request` reads back into an equal request."""
    return {
        "version": request.version,
        "horizon_weeks": request.horizon_weeks,
        "skills": [{"id": s.id, "max_level": s.max_level} for s in request.skills],
        "activities": [_activity(a) for a in request.activities],
        "mentors": [_mentor(m) for m in request.mentors],
        "learners": [_learner(learner) for learner in request.learners],
        "options": {
            "time_limit_s": request.options.time_limit_s,
            "workers": request.options.workers,
            "explain": request.options.explain,
        },
    }


def _activity(activity: Activity) -> dict[str, Any]:
    """One activity; optional fields only when they differ from their defaults."""
    out: dict[str, Any] = {
        "id": activity.id,
        "kind": activity.kind,
        "duration_weeks": activity.duration_weeks,
        "hours_per_week": _number(activity.quarter_hours, QUARTERS_PER_HOUR),
        "cost": _number(activity.cost_cents, CENTS_PER_UNIT),
        "grants": dict(activity.grants),
    }
    requires: dict[str, Any] = {}
    if activity.requires_skills:
        requires["skills"] = dict(activity.requires_skills)
    if activity.requires_activities:
        requires["activities"] = list(activity.requires_activities)
    if requires:
        out["requires"] = requires
    if activity.start_weeks is not None:
        out["start_weeks"] = list(activity.start_weeks)
    window: dict[str, int] = {}
    if activity.earliest_start:
        window["earliest_start"] = activity.earliest_start
    if activity.latest_end is not None:
        window["latest_end"] = activity.latest_end
    if window:
        out["window"] = window
    if activity.seats is not None:
        out["seats"] = activity.seats
    if activity.mentors:
        out["mentors"] = list(activity.mentors)
    return out


def _mentor(mentor: Mentor) -> dict[str, Any]:
    """One mentor with their bookings."""
    out: dict[str, Any] = {"id": mentor.id, "capacity": mentor.capacity}
    if mentor.booked:
        out["booked"] = [
            {"from_week": b.from_week, "to_week": b.to_week, "mentees": b.mentees}
            for b in mentor.booked
        ]
    return out


def _learner(learner: Learner) -> dict[str, Any]:
    """One learner; sets are written sorted so the same request always gives the same file."""
    out: dict[str, Any] = {
        "id": learner.id,
        "levels": dict(learner.levels),
        "target": {
            skill: {"level": t.level, "weight": _number(t.weight_milli, MILLI_PER_WEIGHT)}
            for skill, t in learner.target.items()
        },
        "hours_per_week": _number(learner.quarter_hours, QUARTERS_PER_HOUR),
    }
    if learner.blackout_weeks:
        out["blackout_weeks"] = sorted(learner.blackout_weeks)
    if learner.deadline_week is not None:
        out["deadline_week"] = learner.deadline_week
    if learner.budget_cents is not None:
        out["budget"] = _number(learner.budget_cents, CENTS_PER_UNIT)
    if learner.completed:
        out["completed"] = sorted(learner.completed)
    if learner.pinned:
        out["pinned"] = [_pin(p.activity, p.start_week, p.mentor) for p in learner.pinned]
    if learner.excluded:
        out["excluded"] = sorted(learner.excluded)
    return out


def _pin(activity: str, start_week: int, mentor: str | None) -> dict[str, Any]:
    """One pinned item; the mentor only when fixed."""
    out: dict[str, Any] = {"activity": activity, "start_week": start_week}
    if mentor is not None:
        out["mentor"] = mentor
    return out
