"""An independent checker of plan responses: every rule of the planning contract, without CP-SAT.

It deliberately shares no code with `solver.measure` (it runs its own level simulation), so a bug in
the measures or in the model cannot hide itself. Each rule family is one small function returning
readable messages; `check_response` runs them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from solver.instance import Activity, Learner, PlanRequest
from solver.solution import STATUSES, Gap, LearnerPlan, PlanItem, PlanResponse

# Statuses whose plans may be partial: they claim no feasible plan, so pins may be missing.
_PARTIAL_STATUSES = ("infeasible", "unknown")

Pair = tuple[Learner, LearnerPlan]


def check_response(request: PlanRequest, response: PlanResponse) -> list[str]:
    """Every rule the response breaks, one readable message each (empty when valid)."""
    problems = _check_status(response) + _check_plan_list(request, response)
    pairs = _pairs(request, response)
    for learner, plan in pairs:
        problems += _check_items(request, learner, plan)
        problems += _check_timing(request, learner, plan)
        problems += _check_hours(request, learner, plan)
        problems += _check_prerequisites(request, learner, plan)
        problems += _check_mentor_choice(request, learner, plan)
        problems += _check_budget(request, learner, plan)
        if response.status not in _PARTIAL_STATUSES:
            problems += _check_pins(learner, plan)
        problems += _check_measures(request, learner, plan)
    problems += _check_mentor_load(request, pairs)
    problems += _check_seats(request, pairs)
    return problems


def assert_valid(request: PlanRequest, response: PlanResponse) -> None:
    """Raise AssertionError listing every violation, if there is any."""
    problems = check_response(request, response)
    if problems:
        raise AssertionError("invalid plan response:\n  " + "\n  ".join(problems))


def _pairs(request: PlanRequest, response: PlanResponse) -> list[Pair]:
    """Each learner with the first plan that names them (learners without a plan are skipped)."""
    by_id: dict[str, LearnerPlan] = {}
    for plan in response.plans:
        by_id.setdefault(plan.learner, plan)
    return [(learner, by_id[learner.id]) for learner in request.learners if learner.id in by_id]


def _known(request: PlanRequest, plan: LearnerPlan) -> Iterator[tuple[PlanItem, Activity]]:
    """The plan's items whose activity exists, with that activity."""
    for item in plan.items:
        activity = request.activity_by_id.get(item.activity)
        if activity is not None:
            yield item, activity


def _weeks(item: PlanItem) -> range:
    """The weeks an item is active in."""
    return range(item.start_week, item.end_week)


def _check_status(response: PlanResponse) -> list[str]:
    """The status is one the format knows."""
    if response.status in STATUSES:
        return []
    return [f"status {response.status!r} is not one of {', '.join(STATUSES)}"]


def _check_plan_list(request: PlanRequest, response: PlanResponse) -> list[str]:
    """Exactly one plan per learner, in the request's order."""
    expected = [learner.id for learner in request.learners]
    actual = [plan.learner for plan in response.plans]
    if actual == expected:
        return []
    return [f"plans are for learners {actual}, expected one per learner in order {expected}"]


def _check_items(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """Known activities, at most once, not excluded or completed, with true end weeks."""
    problems: list[str] = []
    seen: set[str] = set()
    for item in plan.items:
        name = f"{learner.id}: {item.activity}"
        activity = request.activity_by_id.get(item.activity)
        if activity is None:
            problems.append(f"{name} is not an activity of the catalog")
            continue
        if item.activity in seen:
            problems.append(f"{name} appears more than once")
        seen.add(item.activity)
        if item.activity in learner.excluded:
            problems.append(f"{name} is excluded for this learner")
        if item.activity in learner.completed:
            problems.append(f"{name} is already completed")
        if item.start_week < 0:
            problems.append(f"{name} starts at week {item.start_week}, before week 0")
        if item.end_week != item.start_week + activity.duration_weeks:
            problems.append(
                f"{name} ends at week {item.end_week}, but starts at {item.start_week} "
                f"and lasts {activity.duration_weeks} weeks"
            )
    return problems


def _check_timing(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """Deadline, availability window and cohort start weeks."""
    problems: list[str] = []
    deadline = request.end_week(learner)
    for item, activity in _known(request, plan):
        name = f"{learner.id}: {item.activity}"
        if item.end_week > deadline:
            problems.append(f"{name} ends at week {item.end_week}, after the deadline {deadline}")
        if item.start_week < activity.earliest_start:
            problems.append(
                f"{name} starts at week {item.start_week}, "
                f"before its window opens at {activity.earliest_start}"
            )
        if activity.latest_end is not None and item.end_week > activity.latest_end:
            problems.append(
                f"{name} ends at week {item.end_week}, "
                f"after its window closes at {activity.latest_end}"
            )
        if activity.start_weeks is not None and item.start_week not in activity.start_weeks:
            problems.append(
                f"{name} starts at week {item.start_week}, "
                f"not a cohort start {list(activity.start_weeks)}"
            )
    return problems


def _check_hours(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """In every week the learner's items fit their weekly hours (zero in blackout weeks)."""
    load: dict[int, int] = defaultdict(int)
    for item, activity in _known(request, plan):
        for week in _weeks(item):
            load[week] += activity.quarter_hours
    return [
        f"{learner.id}: week {week} holds {used} quarter hours, "
        f"more than the {learner.capacity(week)} available"
        for week, used in sorted(load.items())
        if used > learner.capacity(week)
    ]


def _initial_levels(request: PlanRequest, learner: Learner) -> dict[str, int]:
    """Stated levels raised by what completed activities grant."""
    levels = {skill.id: 0 for skill in request.skills}
    for skill, level in learner.levels.items():
        levels[skill] = max(levels.get(skill, 0), level)
    for done in learner.completed:
        activity = request.activity_by_id.get(done)
        for skill, level in (activity.grants if activity else {}).items():
            levels[skill] = max(levels.get(skill, 0), level)
    return levels


def _levels_at(
    request: PlanRequest, learner: Learner, plan: LearnerPlan, week: int
) -> dict[str, int]:
    """Levels at the start of `week`: initial, raised by every item that ended by then."""
    levels = _initial_levels(request, learner)
    for item, activity in _known(request, plan):
        if item.end_week <= week:
            for skill, level in activity.grants.items():
                levels[skill] = max(levels.get(skill, 0), level)
    return levels


def _check_prerequisites(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """Skill levels and prerequisite activities hold when each item starts."""
    problems: list[str] = []
    ends: dict[str, int] = {}
    for item in plan.items:
        ends[item.activity] = min(item.end_week, ends.get(item.activity, item.end_week))
    for item, activity in _known(request, plan):
        name = f"{learner.id}: {item.activity} (week {item.start_week})"
        levels = _levels_at(request, learner, plan, item.start_week)
        for skill, needed in activity.requires_skills.items():
            if levels.get(skill, 0) < needed:
                problems.append(
                    f"{name} needs {skill} at level {needed}, "
                    f"but the learner is at {levels.get(skill, 0)}"
                )
        for before in activity.requires_activities:
            if before in learner.completed:
                continue
            if before not in ends:
                problems.append(f"{name} needs {before}, which is neither planned nor completed")
            elif ends[before] > item.start_week:
                problems.append(f"{name} needs {before}, which only ends at week {ends[before]}")
    return problems


def _check_mentor_choice(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """Mentored activities name one known, eligible mentor; all others name none."""
    problems: list[str] = []
    for item, activity in _known(request, plan):
        name = f"{learner.id}: {item.activity}"
        if not activity.needs_mentor:
            if item.mentor is not None:
                problems.append(f"{name} takes no mentor, but names {item.mentor}")
        elif item.mentor is None:
            problems.append(f"{name} needs a mentor and names none")
        elif item.mentor not in request.mentor_by_id:
            problems.append(f"{name} names {item.mentor}, who is not a known mentor")
        elif item.mentor not in activity.mentors:
            problems.append(f"{name} names {item.mentor}, who does not mentor it")
    return problems


def _check_mentor_load(request: PlanRequest, pairs: list[Pair]) -> list[str]:
    """Each mentor's mentees in any week, over all learners, stay within what is free."""
    load: dict[tuple[str, int], int] = defaultdict(int)
    for _, plan in pairs:
        for item in plan.items:
            if item.mentor in request.mentor_by_id:
                for week in _weeks(item):
                    load[item.mentor, week] += 1
    problems: list[str] = []
    for (mentor_id, week), mentees in sorted(load.items()):
        free = request.mentor_by_id[mentor_id].free(week)
        if mentees > free:
            problems.append(
                f"mentor {mentor_id} has {mentees} mentees in week {week}, free: {free}"
            )
    return problems


def _check_seats(request: PlanRequest, pairs: list[Pair]) -> list[str]:
    """Seats per cohort start (cohort activities) or per active week (all others), all learners."""
    taken: dict[tuple[str, int], int] = defaultdict(int)
    for _, plan in pairs:
        for item, activity in _known(request, plan):
            if activity.seats is None:
                continue
            if activity.start_weeks is not None:
                taken[item.activity, item.start_week] += 1
            else:
                for week in _weeks(item):
                    taken[item.activity, week] += 1
    problems: list[str] = []
    for (activity_id, week), learners in sorted(taken.items()):
        activity = request.activity_by_id[activity_id]
        seats = activity.seats or 0
        if learners > seats:
            what = "cohort starting" if activity.start_weeks is not None else "week"
            problems.append(
                f"{activity_id} has {learners} learners in the {what} {week}, seats: {seats}"
            )
    return problems


def _check_budget(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """The plan's cost stays within the learner's budget."""
    if learner.budget_cents is None:
        return []
    cost = sum(activity.cost_cents for _, activity in _known(request, plan))
    if cost <= learner.budget_cents:
        return []
    return [f"{learner.id}: the plan costs {cost} cents, over the budget {learner.budget_cents}"]


def _check_pins(learner: Learner, plan: LearnerPlan) -> list[str]:
    """Every pinned item is in the plan at its start week (and with its mentor, if pinned)."""
    problems: list[str] = []
    by_activity = {item.activity: item for item in plan.items}
    for pin in learner.pinned:
        name = f"{learner.id}: pinned {pin.activity}"
        item = by_activity.get(pin.activity)
        if item is None:
            problems.append(f"{name} is missing from the plan")
        elif item.start_week != pin.start_week:
            problems.append(f"{name} starts at week {item.start_week}, not {pin.start_week}")
        elif pin.mentor is not None and item.mentor != pin.mentor:
            problems.append(f"{name} has mentor {item.mentor}, not {pin.mentor}")
    return problems


def _check_measures(request: PlanRequest, learner: Learner, plan: LearnerPlan) -> list[str]:
    """The levels, gaps, closure, readiness, hours and cost the plan claims are right."""
    known = list(_known(request, plan))
    readiness = max((i.end_week for i in plan.items), default=0)
    final = _levels_at(request, learner, plan, week=readiness)
    initial = _initial_levels(request, learner)
    gaps = tuple(
        Gap(skill, initial.get(skill, 0), t.level, final.get(skill, 0), t.weight_milli)
        for skill, t in learner.target.items()
    )
    expected = {
        "final_levels": final,
        "gaps": gaps,
        "closure_milli": sum(
            g.weight_milli * (min(g.final, g.required) - min(g.initial, g.required)) for g in gaps
        ),
        "max_closure_milli": sum(
            g.weight_milli * (g.required - min(g.initial, g.required)) for g in gaps
        ),
        "readiness_week": readiness,
        "quarter_hours": sum(a.quarter_hours * a.duration_weeks for _, a in known),
        "cost_cents": sum(a.cost_cents for _, a in known),
    }
    return [
        f"{learner.id}: {field} is {getattr(plan, field)!r}, expected {value!r}"
        for field, value in expected.items()
        if getattr(plan, field) != value
    ]
