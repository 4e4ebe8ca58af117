"""The greedy baseline: always valid, keeps pins, and makes the choices it documents."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from solver import generate
from solver.greedy import greedy
from solver.instance import Activity, Booking, Learner, Mentor, Pin, PlanRequest, Skill, Target
from solver.solution import PlanItem
from solver.validate import assert_valid, check_response
from tests.solver.strategies import tiny_requests

LADDER = (
    Activity("sql-1", "course", 2, 4, 0, grants={"sql": 1}),
    Activity("sql-1-long", "course", 4, 4, 0, grants={"sql": 1}),
    Activity("sql-2", "course", 2, 8, 200_00, grants={"sql": 2}, requires_skills={"sql": 1}),
    Activity(
        "sql-3",
        "mentorship",
        2,
        4,
        0,
        grants={"sql": 3},
        requires_skills={"sql": 2},
        mentors=("mia", "max"),
    ),
)
MENTORS = (Mentor("mia", 1, (Booking(0, 6, 1),)), Mentor("max", 1))
ANA = Learner("ana", {}, {"sql": Target(3, 1000)}, quarter_hours=8, blackout_weeks=frozenset({2}))


def ladder(*learners: Learner) -> PlanRequest:
    """A three-rung sql ladder; its last rung is a mentorship whose first mentor is booked early."""
    return PlanRequest(12, (Skill("sql", 3),), LADDER, MENTORS, learners or (ANA,))


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(), size=st.sampled_from([20, 80, 300]))
def test_single_learner_plans_are_valid(seed: int, size: int) -> None:
    request = generate.single_learner_request(size, seed=seed)
    response = greedy(request)
    assert response.status == "feasible"
    assert_valid(request, response)


@settings(deadline=None, max_examples=20)
@given(seed=st.integers())
def test_team_plans_share_mentors_and_seats_validly(seed: int) -> None:
    request = generate.team_request(4, 80, seed=seed, mentors=2, seated_stretch=0.3)
    assert_valid(request, greedy(request))


@settings(deadline=None, max_examples=300)
@given(request=tiny_requests())
def test_tiny_plans_are_valid_and_keep_their_pins(request: PlanRequest) -> None:
    response = greedy(request)
    assert response.status == "feasible"
    assert_valid(request, response)


def test_a_large_catalog_gives_a_valid_plan() -> None:
    request = generate.single_learner_request(5000, seed=1)
    response = greedy(request)
    assert_valid(request, response)
    assert response.plans[0].closure_milli > 0


def test_the_ladder_is_climbed_at_the_earliest_weeks() -> None:
    # sql-1 beats sql-1-long per hour; sql-2 waits for sql 1 and skips blackout week 2;
    # sql-3 waits for sql 2 and takes max because mia is booked until week 6.
    plan = greedy(ladder()).plans[0]
    assert plan.items == (
        PlanItem("sql-1", 0, 2),
        PlanItem("sql-2", 3, 5),
        PlanItem("sql-3", 5, 7, "max"),
    )
    assert plan.closure_milli == plan.max_closure_milli == 3000


def test_nothing_is_added_once_the_targets_are_met() -> None:
    met = replace(ANA, levels={"sql": 3})
    assert greedy(ladder(met)).plans[0].items == ()


def test_the_budget_is_respected() -> None:
    poor = replace(ANA, budget_cents=100_00)
    assert [i.activity for i in greedy(ladder(poor)).plans[0].items] == ["sql-1"]


def test_learners_in_order_share_the_mentors() -> None:
    ben = replace(ANA, id="ben", levels={"sql": 2}, blackout_weeks=frozenset())
    cat = replace(ANA, id="cat", levels={"sql": 2}, blackout_weeks=frozenset())
    ana_plan, ben_plan, cat_plan = greedy(ladder(ANA, ben, cat)).plans
    assert ben_plan.items == (PlanItem("sql-3", 0, 2, "max"),)
    assert cat_plan.items == (PlanItem("sql-3", 2, 4, "max"),)
    assert ana_plan.items[-1] == PlanItem("sql-3", 5, 7, "max")


def test_pins_are_kept_and_their_prerequisites_placed_before_them() -> None:
    # Nothing pinned teaches sql 2 by week 8, so sql-1 and sql-2 are placed ahead of the pin.
    pinned = replace(ANA, pinned=(Pin("sql-3", 8, "mia"), Pin("sql-1-long", 8)))
    request = ladder(pinned)
    response = greedy(request)
    assert response.status == "feasible"
    assert_valid(request, response)
    assert response.plans[0].items == (
        PlanItem("sql-1", 0, 2),
        PlanItem("sql-2", 3, 5),
        PlanItem("sql-1-long", 8, 12),
        PlanItem("sql-3", 8, 10, "mia"),
    )


def test_pins_that_cannot_be_placed_make_the_response_infeasible() -> None:
    pinned = replace(
        ANA,
        excluded=frozenset({"sql-1-long"}),
        pinned=(Pin("sql-1", 0), Pin("sql-1-long", 0), Pin("sql-3", 0), Pin("sql-2", 2)),
    )
    request = ladder(pinned)
    response = greedy(request)
    assert response.status == "infeasible"
    assert response.stats["reason"].split("; ") == [
        "ana: pinned sql-1-long at week 0: excluded, completed or pinned twice",
        "ana: pinned sql-2 at week 2: no hours, mentor, seat or budget left for it",
        "ana: pinned sql-3: its prerequisites cannot be met by then",
    ]
    assert response.plans[0].items == (PlanItem("sql-1", 0, 2),)
    assert check_response(request, response) == []


def test_a_prerequisite_is_placed_to_unblock_a_useful_activity() -> None:
    request = PlanRequest(
        6,
        (Skill("lead", 3), Skill("talk", 3)),
        (
            Activity("lead-1", "course", 1, 4, 0, grants={"lead": 1}, requires_skills={"talk": 1}),
            Activity("talk-long", "course", 3, 4, 0, grants={"talk": 1}),
            Activity("talk-short", "course", 1, 4, 0, grants={"talk": 2}),
        ),
        learners=(Learner("ana", {}, {"lead": Target(1, 1000)}, quarter_hours=4),),
    )
    assert greedy(request).plans[0].items == (
        PlanItem("talk-short", 0, 1),
        PlanItem("lead-1", 1, 2),
    )
    # When the useful activity cannot follow its prerequisite in time, neither is placed.
    closed = replace(request.activities[0], latest_end=1)
    request = replace(request, activities=(closed, *request.activities[1:]))
    assert greedy(request).plans[0].items == ()


def test_the_same_request_gives_the_same_plan() -> None:
    request = generate.team_request(3, 200, seed=5)
    assert greedy(request) == greedy(request)
