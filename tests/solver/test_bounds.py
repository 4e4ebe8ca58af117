"""The hours-and-budget readiness bound: it bites where weekly hours or money run short, and it
never cuts off the optimum found by exhaustive search."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import generate
from solver.bounds import energy_bound
from solver.exhaustive import exhaustive
from solver.instance import Activity, Learner, PlanRequest, Skill, Target
from solver.scope import build_scope

SKILLS = (Skill("sql", 3), Skill("go", 3))
BOTH = {"sql": Target(1, 1000), "go": Target(1, 1000)}
ANA = Learner("ana", {}, BOTH, quarter_hours=4)


def course(name: str, weeks: int, quarter_hours: int, cost: int = 0, **kw: Any) -> Activity:
    return Activity(name, "course", weeks, quarter_hours, cost * 100, **kw)


def bound_and_optimum(learner: Learner, *activities: Activity) -> tuple[int, int, int]:
    """The static bound, the energy bound and the exhaustive optimum's readiness."""
    request = PlanRequest(8, SKILLS, activities, learners=(learner,))
    scope = build_scope(request, learner)
    best = exhaustive(request).plans[0]
    assert best.closure_milli == scope.closure_bound_milli
    return scope.readiness_bound, energy_bound(scope), best.readiness_week


def test_two_skills_that_cannot_share_a_week_of_hours_take_turns() -> None:
    acts = course("sql-1", 2, 4, grants={"sql": 1}), course("go-1", 2, 4, grants={"go": 1})
    assert bound_and_optimum(ANA, *acts) == (2, 4, 4)


def test_a_blackout_week_gives_no_hours() -> None:
    away = replace(ANA, quarter_hours=8, blackout_weeks=frozenset({1}))
    acts = course("sql-1", 1, 8, grants={"sql": 1}), course("go-1", 1, 8, grants={"go": 1})
    assert bound_and_optimum(away, *acts) == (1, 3, 3)


def test_one_activity_raising_both_skills_is_not_counted_twice() -> None:
    both = course("data-1", 2, 4, grants={"sql": 1, "go": 1})
    assert bound_and_optimum(ANA, both) == (2, 2, 2)


def test_a_budget_that_affords_only_the_slow_course() -> None:
    tight = replace(ANA, target={"sql": Target(1, 1000)}, budget_cents=100_00, quarter_hours=8)
    fast = course("fast", 1, 8, 300, grants={"sql": 1})
    slow = course("slow", 5, 4, 100, grants={"sql": 1})
    assert bound_and_optimum(tight, fast, slow) == (1, 5, 5)


def test_a_prerequisite_chain_in_the_same_skill_adds_its_hours() -> None:
    deep = replace(ANA, target={"sql": Target(2, 1000), "go": Target(1, 1000)})
    acts = (
        course("sql-1", 1, 4, grants={"sql": 1}),
        course("sql-2", 1, 4, grants={"sql": 2}, requires_skills={"sql": 1}),
        course("go-1", 1, 4, grants={"go": 1}),
    )
    assert bound_and_optimum(deep, *acts) == (2, 3, 3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), learners=st.sampled_from([1, 2]))
def test_the_bound_never_exceeds_the_readiness_of_an_optimal_plan(seed: int, learners: int) -> None:
    request = generate.tiny_request(seed, learners)
    best = exhaustive(request)
    if best.status != "optimal":
        return
    for learner, plan in zip(request.learners, best.plans, strict=True):
        scope = build_scope(request, learner, shared=learners > 1)
        # Capacity the other learner holds only delays this one: the bound still holds.
        if plan.closure_milli == scope.closure_bound_milli:
            assert energy_bound(scope) <= plan.readiness_week
