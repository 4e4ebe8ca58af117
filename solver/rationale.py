"""Why a plan holds each item, and why the other activities that teach a target skill are not
in it: structured reason codes with their parameters, found without another solve.

Each reason is a code and a dict of parameters in the planner's ids and weeks (activity and
skill ids, week numbers, cents); the tool names them and turns them into words. Codes:

- item, what it is for: `closes` (skill, before, after, required); `unlocks` (activity): a later
  item needs it; `pinned`: the learner kept it at its date.
- item, why then: `starts_now`; `after_activity` (activity, week): a prerequisite ends then;
  `after_skill` (skill, level, week): a skill it requires reaches the level then; `cohort`
  (week); `window` (week): it cannot start sooner; `blackout` (week): the weeks before are
  blocked; `hours` (week): the weekly hours before it are taken; `mentor` (week): no mentor had
  room sooner.
- not chosen: `excluded`; `completed`; `does_not_fit`; `prerequisites`; `dominated` (other);
  `covered` (others) with `cheaper` (cost, other_cost) or `shorter` (hours, other_hours) when the
  plan's choice costs less or takes fewer hours; and `capacity`, `budget` or `time` from an open
  gap of the skill it teaches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from solver.instance import Activity, Learner, PlanRequest
from solver.scope import build_scope
from solver.solution import OpenGap, PlanItem

Params = dict[str, Any]
CODES = (
    "closes", "unlocks", "pinned",
    "starts_now", "after_activity", "after_skill", "cohort", "window", "blackout", "hours",
    "mentor",
    "excluded", "completed", "does_not_fit", "prerequisites", "dominated", "covered", "cheaper",
    "shorter", "capacity", "budget", "time",
)  # fmt: skip


@dataclass(frozen=True)
class Reason:
    """One reason: a code and its parameters (ids, weeks, cents)."""

    code: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class ItemRationale:
    """Why an item is in the plan (`purpose`) and why it starts when it does (`timing`)."""

    item: PlanItem
    purpose: tuple[Reason, ...]
    timing: tuple[Reason, ...]


@dataclass(frozen=True)
class NotChosen:
    """An activity teaching a target skill that the plan does not hold, and why."""

    activity: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Rationale:
    """The reasons of one learner's plan."""

    items: tuple[ItemRationale, ...]
    not_chosen: tuple[NotChosen, ...]


def rationale(
    request: PlanRequest, learner: Learner, items: Sequence[PlanItem],
    open_gaps: Sequence[OpenGap] = (),
) -> Rationale:  # fmt: skip
    """The reasons of `items`, the learner's plan in `request`."""
    ordered = sorted(items, key=lambda i: (i.start_week, i.activity))
    levels = _levels_over_time(request, learner, ordered)
    out = tuple(
        ItemRationale(
            i, _purpose(request, learner, i, ordered, levels), _timing(request, learner, i, ordered)
        )
        for i in ordered
    )
    return Rationale(out, _not_chosen(request, learner, ordered, open_gaps))


def _levels_over_time(
    request: PlanRequest, learner: Learner, items: Sequence[PlanItem]
) -> list[tuple[int, dict[str, int]]]:
    """(week, levels at that week) after each end week, starting from the initial levels."""
    levels = request.initial_levels(learner)
    out = [(0, dict(levels))]
    for end in sorted({i.end_week for i in items}):
        for item in items:
            if item.end_week == end:
                for skill, level in request.activity_by_id[item.activity].grants.items():
                    levels[skill] = max(levels.get(skill, 0), level)
        out.append((end, dict(levels)))
    return out


def _at(levels: list[tuple[int, dict[str, int]]], week: int) -> dict[str, int]:
    return next(lv for w, lv in reversed(levels) if w <= week)


def _purpose(
    request: PlanRequest, learner: Learner, item: PlanItem, items: Sequence[PlanItem],
    levels: list[tuple[int, dict[str, int]]],
) -> tuple[Reason, ...]:  # fmt: skip
    activity = request.activity_by_id[item.activity]
    before = _at(levels, item.start_week)
    out = []
    if any(p.activity == item.activity for p in learner.pinned):
        out.append(Reason("pinned"))
    for skill, granted in sorted(activity.grants.items()):
        target = learner.target.get(skill)
        if target is None:
            continue
        start, after = before.get(skill, 0), min(granted, target.level)
        if after > start:
            out.append(Reason("closes", {"skill": skill, "before": start, "after": after,
                                         "required": target.level}))  # fmt: skip
    for later in items:
        other = request.activity_by_id[later.activity]
        if later.start_week >= item.end_week and _needs(
            other, activity, _at(levels, item.start_week)
        ):
            out.append(Reason("unlocks", {"activity": later.activity}))
    return tuple(out)


def _needs(later: Activity, earlier: Activity, before: Mapping[str, int]) -> bool:
    """Does `later` need `earlier`: as a named prerequisite, or for a skill level it requires?"""
    if earlier.id in later.requires_activities:
        return True
    return any(
        before.get(s, 0) < lvl <= earlier.grants.get(s, 0)
        for s, lvl in later.requires_skills.items()
    )


def _timing(
    request: PlanRequest, learner: Learner, item: PlanItem, items: Sequence[PlanItem]
) -> tuple[Reason, ...]:
    activity = request.activity_by_id[item.activity]
    week = item.start_week
    if week == 0:
        return (Reason("starts_now"),)
    out = []
    for other in items:
        done = request.activity_by_id[other.activity]
        if other.end_week == week and other.activity in activity.requires_activities:
            out.append(Reason("after_activity", {"activity": other.activity, "week": week}))
        elif other.end_week == week:
            for skill, level in sorted(activity.requires_skills.items()):
                if done.grants.get(skill, 0) >= level:
                    out.append(
                        Reason("after_skill", {"skill": skill, "level": level, "week": week})
                    )
    if activity.start_weeks is not None:
        out.append(Reason("cohort", {"week": week}))
    if activity.earliest_start == week:
        out.append(Reason("window", {"week": week}))
    if week - 1 in learner.blackout_weeks:
        out.append(Reason("blackout", {"week": week}))
    elif _hours_taken(request, learner, item, items):
        out.append(Reason("hours", {"week": week}))
    if item.mentor is not None and _mentor_busy(request, item, week - 1):
        out.append(Reason("mentor", {"week": week}))
    return tuple(out)


def _hours_taken(
    request: PlanRequest, learner: Learner, item: PlanItem, items: Sequence[PlanItem]
) -> bool:
    """Would the item have overrun the weekly hours in the week before it starts?"""
    week = item.start_week - 1
    used = sum(request.activity_by_id[o.activity].quarter_hours for o in items
               if o.start_week <= week < o.end_week)  # fmt: skip
    return used > 0 and used + request.activity_by_id[
        item.activity
    ].quarter_hours > learner.capacity(week)


def _mentor_busy(request: PlanRequest, item: PlanItem, week: int) -> bool:
    mentor = request.mentor_by_id.get(item.mentor or "")
    return mentor is not None and mentor.free(week) == 0


def _not_chosen(
    request: PlanRequest, learner: Learner, items: Sequence[PlanItem], open_gaps: Sequence[OpenGap]
) -> tuple[NotChosen, ...]:
    """Activities teaching a missing target level, not in the plan, each with why."""
    initial = request.initial_levels(learner)
    chosen = {i.activity for i in items}
    scope = build_scope(request, learner, shared=len(request.learners) > 1)
    gaps = {g.skill: g for g in open_gaps}
    out = []
    for activity in request.activities:
        useful = [s for s, lvl in activity.grants.items()
                  if s in learner.target and lvl > initial.get(s, 0)]  # fmt: skip
        if activity.id in chosen or not useful:
            continue
        reasons = _why_not(request, activity, useful, learner, items, scope.dropped, gaps)
        out.append(NotChosen(activity.id, reasons))
    return tuple(out)


def _why_not(
    request: PlanRequest, activity: Activity, skills: Sequence[str], learner: Learner,
    items: Sequence[PlanItem], dropped: Mapping[str, str], gaps: Mapping[str, OpenGap],
) -> tuple[Reason, ...]:  # fmt: skip
    if activity.id in learner.excluded:
        return (Reason("excluded"),)
    if activity.id in learner.completed:
        return (Reason("completed"),)
    cut = dropped.get(activity.id, "")
    if cut.startswith("dominated by "):
        return (Reason("dominated", {"other": cut.removeprefix("dominated by ")}),)
    if cut == "does not fit in time":
        return (Reason("does_not_fit"),)
    if cut:
        return (Reason("prerequisites"),)
    open_reasons = {gaps[s].reason for s in skills if s in gaps}
    for code in ("capacity", "budget", "time"):
        if code in open_reasons:
            return (Reason(code),)
    return _covered(request, activity, skills, items)


def _covered(
    request: PlanRequest, activity: Activity, skills: Sequence[str], items: Sequence[PlanItem]
) -> tuple[Reason, ...]:
    """The plan reaches what the activity teaches with other items: which, and how they compare."""
    grants = request.activity_by_id
    others = sorted(
        {i.activity for i in items if any(grants[i.activity].grants.get(s, 0) for s in skills)}
    )
    reasons = [Reason("covered", {"others": others})]
    if not others:
        return tuple(reasons)
    chosen = [request.activity_by_id[a] for a in others]
    cost = sum(a.cost_cents for a in chosen)
    hours = sum(a.quarter_hours * a.duration_weeks for a in chosen)
    if activity.cost_cents > cost:
        reasons.append(Reason("cheaper", {"cost": activity.cost_cents, "other_cost": cost}))
    if activity.quarter_hours * activity.duration_weeks > hours:
        reasons.append(Reason("shorter", {"hours": activity.quarter_hours * activity.duration_weeks,
                                          "other_hours": hours}))  # fmt: skip
    return tuple(reasons)
