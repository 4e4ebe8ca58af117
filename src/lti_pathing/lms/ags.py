"""AGS score passback: a learner's plan progress as an LTI Assignment and Grade Services score.

Pure functions: the LTI side sends the payload to the line item's `/scores` endpoint with its
own service token (pylti1p3). Progress is the share of the plan's effort that is done: each
item weighs its planned hours (weeks x hours per week); dropped items do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lti_pathing.models import ItemStatus, Plan

SCORE_MAXIMUM = 100


@dataclass(frozen=True)
class ItemWeight:
    """One plan item as progress sees it."""

    hours: Decimal
    done: bool


def progress_of(items: Iterable[ItemWeight]) -> float:
    """Done weight over total weight, in 0..1 (0 for an empty plan)."""
    total = done = Decimal(0)
    for item in items:
        total += item.hours
        done += item.hours if item.done else 0
    return float(done / total) if total > 0 else 0.0


def plan_progress(plan: Plan) -> float:
    """The share of a plan's planned hours that is completed (dropped items left out)."""
    return progress_of(
        ItemWeight(
            Decimal(item.activity.duration_weeks) * item.activity.hours_per_week,
            item.status == ItemStatus.completed,
        )
        for item in plan.items
        if item.status != ItemStatus.dropped
    )


def activity_progress(progress: float) -> str:
    """The AGS `activityProgress` for a progress share."""
    if progress <= 0:
        return "Initialized"
    return "Completed" if progress >= 1 else "InProgress"


def score_payload(
    user_id: str, progress: float, at: dt.datetime, comment: str | None = None
) -> dict[str, Any]:
    """The AGS score for the learner (`user_id` is the LTI `sub`, not an LMS user id)."""
    if at.tzinfo is None:
        raise ValueError("naive timestamp; pass an aware UTC datetime")
    if not 0 <= progress <= 1:
        raise ValueError(f"progress must be within 0..1, got {progress}")
    payload: dict[str, Any] = {
        "userId": user_id,
        "scoreGiven": round(progress * SCORE_MAXIMUM, 2),
        "scoreMaximum": SCORE_MAXIMUM,
        "activityProgress": activity_progress(progress),
        # Always final: the score is the plan's current state; gradebooks ignore other values.
        "gradingProgress": "FullyGraded",
        "timestamp": at.astimezone(dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    if comment:
        payload["comment"] = comment
    return payload
