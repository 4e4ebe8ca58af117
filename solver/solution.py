"""The planning response as plain dataclasses, in the same exact units as `solver.instance`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("optimal", "feasible", "infeasible", "unknown")

# Why a gap stays open. Each has a what-if found by re-solving with that limit relaxed.
REASONS = (
    "no_activity",  # nothing (not excluded) teaches the skill to the required level
    "time",  # not enough weeks before the deadline or hours per week
    "prerequisites",  # a prerequisite chain that cannot be completed in time
    "capacity",  # mentors or seats are taken
    "budget",  # the cost budget runs out
)


@dataclass(frozen=True)
class PlanItem:
    """One scheduled activity: active in weeks start_week .. end_week-1."""

    activity: str
    start_week: int
    end_week: int
    mentor: str | None = None


@dataclass(frozen=True)
class Gap:
    """A target skill: where the learner starts, what is required, where the plan leaves them."""

    skill: str
    initial: int
    required: int
    final: int
    weight_milli: int


@dataclass(frozen=True)
class OpenGap:
    """A target the plan cannot fully close, why, and what would close it."""

    skill: str
    reason: str
    detail: str
    suggestion: str | None = None


@dataclass(frozen=True)
class LearnerPlan:
    """The plan for one learner and its measures."""

    learner: str
    items: tuple[PlanItem, ...]
    final_levels: dict[str, int]
    gaps: tuple[Gap, ...]
    closure_milli: int  # sum weight * (min(final, req) - min(initial, req)), weights in thousandths
    max_closure_milli: int
    readiness_week: int  # last end week of the plan (0 if empty)
    quarter_hours: int  # total effort over the plan, in quarter hours
    cost_cents: int
    open_gaps: tuple[OpenGap, ...] = ()


@dataclass(frozen=True)
class PlanResponse:
    """What a solve returns: status, one plan per learner, and solver statistics."""

    status: str
    plans: tuple[LearnerPlan, ...]
    stats: dict[str, Any] = field(default_factory=dict)
    version: int = 1
