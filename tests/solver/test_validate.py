"""The independent validator: a valid team plan passes; each way of breaking a rule is caught."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from solver.instance import (
    Activity,
    Booking,
    Learner,
    Mentor,
    Pin,
    PlanRequest,
    Skill,
    Target,
)
from solver.measure import learner_plan
from solver.solution import LearnerPlan, PlanItem, PlanResponse
from solver.validate import assert_valid, check_response

ACTIVITIES = (
    Activity("basics", "course", 1, 4, 0, grants={"python": 1}),
    Activity("banned", "course", 1, 4, 0, grants={"sql": 1}),
    Activity("intro", "course", 2, 8, 100_00, grants={"python": 2}),
    Activity(
        "advanced",
        "course",
        2,
        8,
        150_00,
        grants={"python": 3},
        requires_skills={"python": 2},
        requires_activities=("intro",),
    ),
    Activity("cohort", "course", 1, 4, 0, grants={"sql": 2}, start_weeks=(0, 4), seats=1),
    Activity("mentoring", "mentorship", 2, 4, 0, grants={"sql": 3}, mentors=("m1", "m2")),
    Activity("stretch", "stretch", 2, 4, 0, grants={"sql": 1}, seats=1),
    Activity(
        "windowed", "shadowing", 1, 4, 0, grants={"python": 1}, earliest_start=2, latest_end=6
    ),
    Activity("reading", "course", 1, 8, 0, grants={"sql": 1}),
)
ANA = Learner(
    id="ana",
    levels={"sql": 1},
    target={"python": Target(3, 2000), "sql": Target(3, 1000)},
    quarter_hours=12,
    blackout_weeks=frozenset({9}),
    deadline_week=10,
    budget_cents=500_00,
    completed=frozenset({"basics"}),
    excluded=frozenset({"banned"}),
)
BEN = Learner(id="ben", levels={}, target={"sql": Target(2, 1000)}, quarter_hours=16)
REQUEST = PlanRequest(
    horizon_weeks=12,
    skills=(Skill("python", 5), Skill("sql", 5)),
    activities=ACTIVITIES,
    mentors=(Mentor("m1", 1), Mentor("m2", 1, (Booking(0, 12, 1),)), Mentor("m3", 1)),
    learners=(ANA, BEN),
)
# Valid: ana's week 0 is exactly full (8 + 4 of 12 quarter hours); ben takes the other cohort,
# the stretch seat before ana could, and mentor m1 after ana.
PLANS = {
    "ana": [
        PlanItem("intro", 0, 2),
        PlanItem("cohort", 0, 1),
        PlanItem("advanced", 2, 4),
        PlanItem("mentoring", 4, 6, "m1"),
    ],
    "ben": [PlanItem("stretch", 0, 2), PlanItem("cohort", 4, 5), PlanItem("mentoring", 6, 8, "m1")],
}


def respond(
    request: PlanRequest = REQUEST,
    status: str = "feasible",
    **changes: list[PlanItem],
) -> PlanResponse:
    """A response with correct measures for the valid plans, some learners' items replaced."""
    items = {**PLANS, **changes}
    plans = tuple(learner_plan(request, learner, items[learner.id]) for learner in request.learners)
    return PlanResponse(status, plans)


def problems(response: PlanResponse, request: PlanRequest = REQUEST) -> list[str]:
    return check_response(request, response)


def with_learner(**changes: Any) -> PlanRequest:
    """The request with ana changed."""
    return replace(REQUEST, learners=(replace(ANA, **changes), BEN))


def swap(learner: str, old: str, new: PlanItem) -> list[PlanItem]:
    """The learner's valid items with one replaced."""
    return [new if item.activity == old else item for item in PLANS[learner]]


def test_the_valid_team_plan_passes() -> None:
    assert problems(respond()) == []
    assert_valid(REQUEST, respond())


def test_assert_valid_lists_every_violation() -> None:
    broken = respond(ana=[*PLANS["ana"], PlanItem("banned", 6, 7), PlanItem("basics", 7, 8)])
    with pytest.raises(AssertionError, match=r"(?s)excluded.*already completed"):
        assert_valid(REQUEST, broken)


# -- the plan list and status ------------------------------------------------------------------


def test_a_missing_or_misordered_plan_is_caught() -> None:
    ana, ben = respond().plans
    assert problems(PlanResponse("feasible", (ana,))) == [
        "plans are for learners ['ana'], expected one per learner in order ['ana', 'ben']"
    ]
    assert len(problems(PlanResponse("feasible", (ben, ana)))) == 1


def test_an_unknown_status_is_caught() -> None:
    assert problems(replace(respond(), status="done")) == [
        "status 'done' is not one of optimal, feasible, infeasible, unknown"
    ]


# -- items ---------------------------------------------------------------------------------------


def test_an_unknown_activity_is_caught() -> None:
    ana = respond().plans[0]
    ghost = replace(ana, items=(*ana.items, PlanItem("ghost", 0, 1)))
    assert problems(replace(respond(), plans=(ghost, respond().plans[1]))) == [
        "ana: ghost is not an activity of the catalog"
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (PlanItem("intro", 6, 8), "ana: intro appears more than once"),
        (PlanItem("banned", 6, 7), "ana: banned is excluded for this learner"),
        (PlanItem("basics", 6, 7), "ana: basics is already completed"),
    ],
)
def test_duplicate_excluded_and_completed_items_are_caught(extra: PlanItem, message: str) -> None:
    assert problems(respond(ana=[*PLANS["ana"], extra])) == [message]


def test_a_wrong_end_week_is_caught() -> None:
    ana = respond().plans[0]
    stretched = tuple(replace(i, end_week=2) if i.activity == "cohort" else i for i in ana.items)
    broken = replace(respond(), plans=(replace(ana, items=stretched), respond().plans[1]))
    assert problems(broken) == ["ana: cohort ends at week 2, but starts at 0 and lasts 1 weeks"]


# -- deadline, window, cohorts -------------------------------------------------------------------


def test_an_item_after_the_deadline_is_caught() -> None:
    request = with_learner(deadline_week=5)
    assert problems(respond(request), request) == [
        "ana: mentoring ends at week 6, after the deadline 5"
    ]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (1, "ana: windowed starts at week 1, before its window opens at 2"),
        (6, "ana: windowed ends at week 7, after its window closes at 6"),
    ],
)
def test_an_item_outside_its_window_is_caught(start: int, message: str) -> None:
    items = [*PLANS["ana"], PlanItem("windowed", start, start + 1)]
    assert problems(respond(ana=items)) == [message]


def test_a_start_off_the_cohort_weeks_is_caught() -> None:
    assert problems(respond(ana=swap("ana", "cohort", PlanItem("cohort", 1, 2)))) == [
        "ana: cohort starts at week 1, not a cohort start [0, 4]"
    ]


# -- hours ---------------------------------------------------------------------------------------


def test_an_overfull_week_is_caught() -> None:
    assert problems(respond(ana=[*PLANS["ana"], PlanItem("reading", 3, 4)])) == [
        "ana: week 3 holds 16 quarter hours, more than the 12 available"
    ]


def test_work_in_a_blackout_week_is_caught() -> None:
    assert problems(respond(ana=[*PLANS["ana"], PlanItem("reading", 9, 10)])) == [
        "ana: week 9 holds 8 quarter hours, more than the 0 available"
    ]


# -- prerequisites -------------------------------------------------------------------------------


def test_a_skill_not_yet_reached_is_caught() -> None:
    swapped = [
        PlanItem("advanced", 0, 2),
        PlanItem("cohort", 0, 1),
        PlanItem("intro", 2, 4),
        PlanItem("mentoring", 4, 6, "m1"),
    ]
    assert problems(respond(ana=swapped)) == [
        "ana: advanced (week 0) needs python at level 2, but the learner is at 1",
        "ana: advanced (week 0) needs intro, which only ends at week 4",
    ]


def test_a_prerequisite_activity_never_taken_is_caught() -> None:
    request = with_learner(levels={"sql": 1, "python": 2})
    items = [i for i in PLANS["ana"] if i.activity != "intro"]
    assert problems(respond(request, ana=items), request) == [
        "ana: advanced (week 2) needs intro, which is neither planned nor completed"
    ]


def test_a_prerequisite_activity_already_completed_counts() -> None:
    request = with_learner(levels={"sql": 1, "python": 2}, completed=frozenset({"basics", "intro"}))
    items = [i for i in PLANS["ana"] if i.activity != "intro"]
    assert problems(respond(request, ana=items), request) == []


# -- mentors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "mentor", "message"),
    [
        ("mentoring", None, "ana: mentoring needs a mentor and names none"),
        ("mentoring", "m3", "ana: mentoring names m3, who does not mentor it"),
        ("mentoring", "zed", "ana: mentoring names zed, who is not a known mentor"),
        ("intro", "m3", "ana: intro takes no mentor, but names m3"),
    ],
)
def test_a_wrong_mentor_choice_is_caught(activity: str, mentor: str | None, message: str) -> None:
    items = [replace(i, mentor=mentor) if i.activity == activity else i for i in PLANS["ana"]]
    assert problems(respond(ana=items)) == [message]


def test_a_mentor_with_too_many_mentees_is_caught() -> None:
    ben = swap("ben", "mentoring", PlanItem("mentoring", 5, 7, "m1"))
    assert problems(respond(ben=ben)) == ["mentor m1 has 2 mentees in week 5, free: 1"]


def test_a_mentor_booked_already_is_caught() -> None:
    ana = swap("ana", "mentoring", PlanItem("mentoring", 4, 6, "m2"))
    assert problems(respond(ana=ana)) == [
        "mentor m2 has 1 mentees in week 4, free: 0",
        "mentor m2 has 1 mentees in week 5, free: 0",
    ]


# -- seats ---------------------------------------------------------------------------------------


def test_a_full_cohort_is_caught() -> None:
    ben = swap("ben", "cohort", PlanItem("cohort", 0, 1))
    assert problems(respond(ben=ben)) == [
        "cohort has 2 learners in the cohort starting 0, seats: 1"
    ]


def test_seats_taken_in_the_same_week_are_caught() -> None:
    ana = [*PLANS["ana"], PlanItem("stretch", 1, 3)]
    assert problems(respond(ana=ana)) == ["stretch has 2 learners in the week 1, seats: 1"]


# -- budget --------------------------------------------------------------------------------------


def test_a_plan_over_budget_is_caught() -> None:
    request = with_learner(budget_cents=200_00)
    assert problems(respond(request), request) == [
        "ana: the plan costs 25000 cents, over the budget 20000"
    ]


# -- pins ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        (Pin("intro", 0), None),
        (Pin("mentoring", 4, "m1"), None),
        (Pin("intro", 1), "ana: pinned intro starts at week 0, not 1"),
        (Pin("reading", 6), "ana: pinned reading is missing from the plan"),
        (Pin("mentoring", 4, "m3"), "ana: pinned mentoring has mentor m1, not m3"),
    ],
)
def test_pins_are_kept(pin: Pin, message: str | None) -> None:
    request = with_learner(pinned=(pin,))
    assert problems(respond(request), request) == ([message] if message else [])


def test_an_infeasible_response_may_leave_pins_out() -> None:
    request = with_learner(pinned=(Pin("reading", 6),))
    assert problems(respond(request, status="infeasible"), request) == []


# -- measures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "final_levels",
        "gaps",
        "closure_milli",
        "max_closure_milli",
        "readiness_week",
        "quarter_hours",
        "cost_cents",
    ],
)
def test_wrong_measures_are_caught(field: str) -> None:
    ana, ben = respond().plans
    wrong: dict[str, Any] = {
        "final_levels": {**ana.final_levels, "sql": 2},
        "gaps": ana.gaps[:1],
        "closure_milli": ana.closure_milli + 1,
        "max_closure_milli": ana.max_closure_milli - 1,
        "readiness_week": 5,
        "quarter_hours": ana.quarter_hours * 2,
        "cost_cents": 0,
    }
    broken: LearnerPlan = replace(ana, **{field: wrong[field]})
    found = problems(PlanResponse("feasible", (broken, ben)))
    assert len(found) == 1
    assert found[0].startswith(f"ana: {field} is ")


def test_the_measures_follow_the_contract() -> None:
    ana = respond().plans[0]
    # python 0 -> 3 (weight 2) and sql 1 -> 3 (weight 1); completed basics gives python 1 at start
    assert [(g.skill, g.initial, g.final) for g in ana.gaps] == [("python", 1, 3), ("sql", 1, 3)]
    assert (ana.closure_milli, ana.max_closure_milli) == (2000 * 2 + 1000 * 2, 2000 * 2 + 1000 * 2)
    assert (ana.readiness_week, ana.quarter_hours, ana.cost_cents) == (6, 16 + 4 + 16 + 8, 250_00)
