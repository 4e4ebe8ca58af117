"""What a re-plan changed in a plan, and why, found when the new version is written.

Re-plans (the organisation re-plan, "re-plan from today", a manager's edit) write a new version
of someone's plan: a proposal beside the approved plan, or a draft re-generated in place. The
version's event records, against the version it replaces: the items added, removed and moved,
the readiness date before and after, and the reasons found in what changed since the old version
was planned (activities retired or no longer offered, items whose planned end passed without
them being done, activities completed since, levels that changed, the target role's required
levels, the plan's choices). Stored as JSON on the event, so the history keeps it as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from lti_pathing.models import ItemStatus, Plan
from lti_pathing.services.calendar import week_date
from lti_pathing.services.completions import behind_schedule
from lti_pathing.services.planning.request import BuiltRequest, Subject
from lti_pathing.services.planning.settings import PlanSettings

Change = dict[str, Any]


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _old_items(plan: Plan) -> dict[int, tuple[dt.date, dt.date]]:
    """Activity id -> (first day, last day) of the old version's open items."""
    if plan.starts_on is None:
        return {}
    return {
        item.activity_id: (
            week_date(plan, item.start_week),
            week_date(plan, item.end_week) - dt.timedelta(days=1),
        )
        for item in plan.items
        if item.status in (ItemStatus.planned, ItemStatus.in_progress)
    }


def _new_items(built: BuiltRequest, items: list[dict[str, Any]]) -> dict[int, tuple[dt.date, ...]]:
    ids = built.catalog.activity_ids
    return {
        ids[i["activity"]]: (
            built.calendar.start_date(i["start_week"]),
            built.calendar.last_day(i["end_week"]),
        )
        for i in items
    }


def _items_changed(
    old: Mapping[int, tuple[dt.date, ...]], new: Mapping[int, tuple[dt.date, ...]]
) -> Change:
    def span(days: tuple[dt.date, ...]) -> dict[str, str | None]:
        return {"starts_on": _day(days[0]), "ends_on": _day(days[1])}

    return {
        "added": [{"activity": a, **span(new[a])} for a in new if a not in old],
        "removed": [{"activity": a, **span(old[a])} for a in old if a not in new],
        "moved": [
            {"activity": a, "from": _day(old[a][0]), "to": _day(new[a][0])}
            for a in new
            if a in old and old[a][0] != new[a][0]
        ],
    }


def _ready_after(built: BuiltRequest, learner_plan: Mapping[str, Any]) -> dt.date | None:
    if learner_plan["closure"] != learner_plan["max_closure"]:
        return None
    return built.calendar.start_date(learner_plan["readiness_week"])


def _catalog_reasons(before: Plan, built: BuiltRequest, today: dt.date) -> list[dict[str, Any]]:
    """Retired, no longer offered and missed items of the old version."""
    reasons: list[dict[str, Any]] = []
    for item in before.items:
        if item.status not in (ItemStatus.planned, ItemStatus.in_progress):
            continue
        if not item.activity.active:
            reasons.append({"kind": "retired", "activity": item.activity_id})
        elif item.activity.external_id in built.catalog.unofferable:
            reasons.append({"kind": "unoffered", "activity": item.activity_id})
    told = {r["activity"] for r in reasons}  # a retired item is not also "not done"
    for item in behind_schedule(before, today):
        if item.activity_id in told:
            continue
        due = week_date(before, item.end_week) - dt.timedelta(days=1)
        reasons.append({"kind": "missed", "activity": item.activity_id, "due": _day(due)})
    return reasons


def _learner_reasons(before: Plan, built: BuiltRequest, subject: Subject) -> list[dict[str, Any]]:
    """Completions, levels and required levels that changed since the old version."""
    old = (before.request or {}).get("learner", {})
    new = next(lr for lr in built.data["learners"] if lr["id"] == subject.person.external_id)
    reasons: list[dict[str, Any]] = []
    ids, skills = built.catalog.activity_ids, built.catalog.skill_ids
    for ext in sorted(set(new.get("completed", [])) - set(old.get("completed", []))):
        if ext in ids:
            reasons.append({"kind": "completed", "activity": ids[ext]})
    target = new.get("target", {})
    was_needed = {k: v["level"] for k, v in old.get("target", {}).items()}
    now_needed = {k: v["level"] for k, v in target.items()}
    pairs = (("level", old.get("levels", {}), new.get("levels", {}), set(target)),
             ("target", was_needed, now_needed, set(was_needed) | set(now_needed)))  # fmt: skip
    for kind, was, now, relevant in pairs:
        for ext in sorted(relevant & set(skills)):
            if was.get(ext, 0) != now.get(ext, 0):
                reasons.append({"kind": kind, "skill": skills[ext],
                                "before": was.get(ext, 0), "after": now.get(ext, 0)})  # fmt: skip
    return reasons


def _choice_reasons(before: Plan, settings: PlanSettings) -> list[dict[str, Any]]:
    """The plan's own choices that changed (limits, target, kept and left-out activities)."""
    old = PlanSettings.from_json(before.settings or {})
    reasons: list[dict[str, Any]] = []
    for name in ("target_role_id", "hours_per_week", "deadline", "budget"):
        was, now = getattr(old, name), getattr(settings, name)
        if now is not None and was != now:
            reasons.append({"kind": "setting", "setting": name,
                            "before": _plain(was), "after": _plain(now)})  # fmt: skip
    old_pins, new_pins = {p.activity_id for p in old.pins}, {p.activity_id for p in settings.pins}
    for activity in sorted(new_pins - old_pins):
        reasons.append({"kind": "kept", "activity": activity})
    for activity in sorted(set(settings.excluded) - set(old.excluded)):
        reasons.append({"kind": "left_out", "activity": activity})
    for activity in sorted(set(old.excluded) - set(settings.excluded)):
        reasons.append({"kind": "allowed", "activity": activity})
    return reasons


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return None if value is None else str(value)


def plan_change(
    before: Plan,
    built: BuiltRequest,
    subject: Subject,
    learner_plan: Mapping[str, Any],
    today: dt.date,
) -> Change:
    """The change from `before` to the plan the planner just found, with the reasons."""
    new = _new_items(built, learner_plan["items"])
    return {
        "against": before.id,
        **_items_changed(_old_items(before), new),
        "ready_before": _day(before.ready_on),
        "ready_after": _day(_ready_after(built, learner_plan)),
        "reasons": [
            *_catalog_reasons(before, built, today),
            *_learner_reasons(before, built, subject),
            *_choice_reasons(before, subject.settings),
        ],
    }
