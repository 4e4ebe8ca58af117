"""The exhaustive search: known optima of hand-made tiny cases, valid, never beaten by greedy."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings

from solver.exhaustive import exhaustive
from solver.greedy import greedy
from solver.instance import Activity, Learner, Mentor, Pin, PlanRequest, Skill, Target
from solver.measure import objective_key
from solver.solution import PlanItem, PlanResponse
from solver.validate import assert_valid
from tests.solver.strategies import tiny_requests

SKILLS = (Skill("sql", 3), Skill("go", 3))
SQL_2 = {"sql": 2}
ANA = Learner("ana", {}, {"sql": Target(2, 1000)}, quarter_hours=8)


def solve(
    *activities: Activity, learners: tuple[Learner, ...] = (ANA,), mentors: tuple[Mentor, ...] = ()
) -> PlanResponse:
    """The exhaustive optimum of a request over `activities`, checked by the validator."""
    request = PlanRequest(8, SKILLS, activities, mentors, learners)
    response = exhaustive(request)
    assert_valid(request, response)
    return response


def team_key(response: PlanResponse) -> tuple[int, ...]:
    keys = [objective_key(p) for p in response.plans]
    return tuple(sum(k[i] for k in keys) for i in range(4))


def course(name: str, weeks: int, quarter_hours: int, cost: int = 0, **kw: Any) -> Activity:
    return Activity(name, "course", weeks, quarter_hours, cost * 100, **kw)


def test_closure_comes_before_readiness() -> None:
    quick = course("quick", 1, 4, grants={"sql": 1})
    deep = course("deep", 4, 4, grants={"sql": 2})
    plan = solve(quick, deep).plans[0]
    assert plan.items == (PlanItem("deep", 0, 4),)
    assert plan.closure_milli == 2000


@pytest.mark.parametrize(
    ("first", "second", "winner"),
    [
        (course("slow", 3, 4, grants=SQL_2), course("fast", 1, 8, 100, grants=SQL_2), "fast"),
        (course("heavy", 1, 8, grants=SQL_2), course("light", 1, 4, 500, grants=SQL_2), "light"),
        (
            course("dear", 1, 4, 200, grants=SQL_2),
            course("cheap", 1, 4, 100, grants=SQL_2),
            "cheap",
        ),
    ],
    ids=["readiness", "hours", "cost"],
)
def test_ties_break_on_readiness_then_hours_then_cost(
    first: Activity, second: Activity, winner: str
) -> None:
    assert [i.activity for i in solve(first, second).plans[0].items] == [winner]


def test_hours_and_a_blackout_week_force_a_sequence() -> None:
    tired = replace(ANA, target={"sql": Target(1, 1000), "go": Target(1, 1000)}, quarter_hours=4)
    tired = replace(tired, blackout_weeks=frozenset({2}))
    plan = solve(
        course("sql-1", 2, 4, grants={"sql": 1}),
        course("go-1", 2, 4, grants={"go": 1}),
        learners=(tired,),
    ).plans[0]
    assert plan.readiness_week == 5
    assert {i.start_week for i in plan.items} == {0, 3}


def test_a_prerequisite_chain_that_does_not_fit_closes_what_it_can() -> None:
    short = replace(ANA, deadline_week=3)
    plan = solve(
        course("sql-1", 2, 4, grants={"sql": 1}),
        course("sql-2", 2, 4, grants={"sql": 2}, requires_skills={"sql": 1}),
        learners=(short,),
    ).plans[0]
    assert plan.items == (PlanItem("sql-1", 0, 2),)


def test_two_learners_take_turns_with_one_mentor() -> None:
    coaching = Activity("coaching", "mentorship", 2, 4, 0, grants={"sql": 2}, mentors=("mia",))
    ben = replace(ANA, id="ben")
    response = solve(coaching, learners=(ANA, ben), mentors=(Mentor("mia", 1),))
    assert sorted(p.items[0].start_week for p in response.plans) == [0, 2]
    assert team_key(response) == (4000, -6, -16, 0)


def test_two_learners_take_the_two_cohorts_of_a_one_seat_course() -> None:
    cohort = course("cohort", 1, 4, grants={"sql": 2}, start_weeks=(0, 3), seats=1)
    ben = replace(ANA, id="ben")
    response = solve(cohort, learners=(ANA, ben))
    assert sorted(p.items[0].start_week for p in response.plans) == [0, 3]


def test_a_pin_is_kept_even_when_it_delays_readiness() -> None:
    pinned = replace(ANA, pinned=(Pin("sql-2", 5),))
    plan = solve(course("sql-2", 2, 4, grants={"sql": 2}), learners=(pinned,)).plans[0]
    assert plan.items == (PlanItem("sql-2", 5, 7),)


def test_a_pin_that_cannot_fit_makes_the_request_infeasible() -> None:
    pinned = replace(ANA, pinned=(Pin("sql-2", 1),), blackout_weeks=frozenset({2}))
    response = solve(course("sql-2", 2, 4, grants={"sql": 2}), learners=(pinned,))
    assert response.status == "infeasible"
    assert response.plans[0].items == ()


def test_requests_too_big_are_refused() -> None:
    many = tuple(course(f"c{i}", 1, 1, grants={"sql": 1}) for i in range(7))
    with pytest.raises(ValueError, match="activities 7 > 6"):
        exhaustive(PlanRequest(8, SKILLS, many, learners=(ANA,)))


@settings(deadline=None, max_examples=100)
@given(request=tiny_requests())
def test_the_optimum_is_valid_and_never_worse_than_greedy(request: PlanRequest) -> None:
    best = exhaustive(request)
    assert_valid(request, best)
    baseline = greedy(request)
    if baseline.status == "feasible":
        assert best.status == "optimal"
        assert team_key(best) >= team_key(baseline)
