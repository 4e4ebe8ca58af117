"""What an audit record of a plan generation holds: the request's hash and the inputs that
matter, the planner's versions, each objective tier's value and proof, and the explanations.

The whole request (catalog included) is not copied: its SHA-256 identifies it, the learner's own
inputs (levels, targets, limits, pins) are kept as they were, and the catalog is summed up by
its own hash and size. The learner's employee id is left out (the record names the plan, and
through it the person), so that an erasure has one place less to reach.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import metadata
from typing import Any

CATALOG_KEYS = ("skills", "activities", "mentors")
TIER_FIELDS = ("tier", "status", "objective", "bound")


def digest(data: Any) -> str:
    """SHA-256 of the canonical JSON of `data` (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def versions() -> dict[str, str]:
    """The versions that made a plan: this tool (planner included) and OR-Tools."""
    return {
        "lti_pathing": _version("lti-pathing"),
        "ortools": _version("ortools"),
        "plan_format": "1",
    }


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # a source checkout run without installing it
        return "unknown"


def generation_facts(
    request: Mapping[str, Any],
    learner_id: str,
    status: str,
    learner_plan: Mapping[str, Any],
    stats: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The generation part of a plan's audit record (JSON-ready)."""
    learner = next(lr for lr in request["learners"] if lr["id"] == learner_id)
    catalog = {key: request.get(key, []) for key in CATALOG_KEYS}
    return {
        "request_sha256": digest(request),
        "inputs": {
            "learner": {k: v for k, v in learner.items() if k != "id"},
            "learners_in_request": len(request["learners"]),
            "horizon_weeks": request["horizon_weeks"],
            "options": dict(request.get("options", {})),
            "catalog": {
                "sha256": digest(catalog),
                **{key: len(value) for key, value in catalog.items()},
            },
        },
        "versions": versions(),
        "status": status,
        "tiers": tiers(status, learner_plan, stats or {}),
        "explanations": [dict(gap) for gap in learner_plan.get("open_gaps", [])],
    }


def tiers(
    status: str, learner_plan: Mapping[str, Any], stats: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each objective tier's value, bound and proof status, as the planner reported them.

    A decomposed team solve reports no phases: its closure tier is the whole answer's status
    with the team's bound.
    """
    phases: Sequence[Mapping[str, Any]] = stats.get("phases") or ()
    if phases:
        return [{k: p.get(k) for k in TIER_FIELDS} for p in phases]
    return [{
        "tier": "closure",
        "status": status,
        "objective": learner_plan.get("closure"),
        "bound": stats.get("closure_bound"),
    }]  # fmt: skip
