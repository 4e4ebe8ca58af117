"""JSON forms of an organisation settle's group work and results (Celery tasks carry them).

A group's request is written in the planning contract's format (`solver.response.request_to_json`,
read back by `solver.request.parse_request`); plans as `[activity, start, end, mentor]` lists;
what others hold as `[kind, key, week, count]` places.
"""

from __future__ import annotations

from typing import Any

from solver.cpsat import Ledger
from solver.org import GroupSettled, GroupWork, Plans, held_places
from solver.request import parse_request
from solver.response import request_to_json
from solver.solution import PlanItem


def plans_to_json(plans: Plans) -> dict[str, list[list[Any]]]:
    """Plans as JSON lists of `[activity, start week, end week, mentor]`."""
    return {
        lid: [[i.activity, i.start_week, i.end_week, i.mentor] for i in items]
        for lid, items in plans.items()
    }


def plans_from_json(data: dict[str, list[list[Any]]]) -> Plans:
    """Plans read back from `plans_to_json`."""
    return {lid: [PlanItem(a, s, e, m) for a, s, e, m in items] for lid, items in data.items()}


def work_to_json(work: GroupWork) -> dict[str, Any]:
    """A group's work as JSON-ready data."""
    return {
        "request": request_to_json(work.request),
        "plans": plans_to_json(work.plans),
        "bounds": work.bounds,
        "base": [[k, key, w, n] for (k, key, w), n in held_places(work.base).items()],
        "weights": work.weights,
        "seconds": work.seconds,
    }


def work_from_json(data: dict[str, Any]) -> GroupWork:
    """A group's work read back from `work_to_json`."""
    request = parse_request(data["request"])
    base = Ledger()
    for kind, key, week, count in data["base"]:
        if kind == "cohort":
            base.cohort_taken[(key, week)] = count
            continue
        rows = base.mentor_load if kind == "mentor" else base.active_taken
        rows.setdefault(key, [0] * request.horizon_weeks)[week] = count
    return GroupWork(
        request,
        plans_from_json(data["plans"]),
        {k: int(v) for k, v in data["bounds"].items()},
        base,
        {k: int(v) for k, v in data["weights"].items()},
        float(data["seconds"]),
    )


def settled_to_json(settled: GroupSettled) -> dict[str, Any]:
    """A settled group as JSON-ready data."""
    return {
        "plans": plans_to_json(settled.plans),
        "bound_milli": settled.bound_milli,
        "stats": settled.stats,
    }


def settled_from_json(data: dict[str, Any]) -> GroupSettled:
    """A settled group read back from `settled_to_json`."""
    return GroupSettled(plans_from_json(data["plans"]), int(data["bound_milli"]), data["stats"])
