"""Organisation settle: contending learners grouped, settled apart, in parallel, by a policy."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import pytest

from solver import generate
from solver.instance import Activity, Learner, Mentor, PlanRequest, Skill, Target
from solver.measure import learner_plan
from solver.org import contention_groups, settle_organisation
from solver.org_policy import policy_weights
from solver.solution import PlanItem, PlanResponse
from solver.team import ideal_plans
from solver.validate import check_response

SKILLS = (Skill("sql", 3), Skill("ml", 5))


def _learner(lid: str, **kw: object) -> Learner:
    return Learner(lid, {}, {"sql": Target(3, 1000)}, quarter_hours=8, **kw)  # type: ignore[arg-type]


def _split_request() -> PlanRequest:
    coaching = Activity(
        "coaching", "mentorship", 2, 4, 0, grants={"sql": 2}, mentors=("mia", "max")
    )
    reading = Activity("reading", "course", 2, 4, 0, grants={"sql": 1})
    people = tuple(_learner(lid) for lid in ("ana", "ben", "cai", "dan", "eve", "fay"))
    mentors = (Mentor("mia", 1), Mentor("max", 2))
    return PlanRequest(20, SKILLS, (coaching, reading), mentors, people)


def test_learners_wanting_one_place_in_overlapping_weeks_form_a_group_and_others_are_settled() -> (
    None
):
    request = _split_request()
    plans = {
        "ana": [PlanItem("coaching", 0, 2, "mia")],  # ana and ben want mia's one place in week 1
        "ben": [PlanItem("coaching", 1, 3, "mia")],
        "cai": [PlanItem("coaching", 10, 12, "mia")],  # cai and dan want it in weeks 10-11
        "dan": [PlanItem("coaching", 10, 12, "mia")],
        "eve": [PlanItem("coaching", 0, 2, "max")],  # max has two places: eve and fay both fit
        "fay": [PlanItem("coaching", 1, 3, "max"), PlanItem("reading", 4, 6)],
    }
    settled, groups = contention_groups(request, plans)
    assert settled == ("eve", "fay")
    assert [g.learners for g in groups] == [("ana", "ben"), ("cai", "dan")]
    assert groups[0].places == frozenset({("mentor", "mia", 1)})
    assert groups[1].places == frozenset({("mentor", "mia", 10), ("mentor", "mia", 11)})


def test_a_learner_wanting_places_of_two_groups_joins_them() -> None:
    request = _split_request()
    plans = {
        "ana": [PlanItem("coaching", 0, 2, "mia")],
        "ben": [PlanItem("coaching", 1, 3, "mia"), PlanItem("coaching", 10, 12, "mia")],
        "cai": [PlanItem("coaching", 10, 12, "mia")],
        "dan": [],
        "eve": [],
        "fay": [],
    }
    settled, groups = contention_groups(request, plans)
    assert settled == ("dan", "eve", "fay")
    assert [g.learners for g in groups] == [("ana", "ben", "cai")]


def _organisation() -> tuple[PlanRequest, dict[str, list[PlanItem]], dict[str, int]]:
    request = generate.team_request(16, 60, seed=3)
    request = replace(request, options=replace(request.options, explain=False, workers=1))
    ideal = ideal_plans(request, time.monotonic() + 20, None, 1.0)
    return request, ideal.plans, ideal.bounds


def _valid(request: PlanRequest, plans: dict[str, list[PlanItem]]) -> list[str]:
    answer = tuple(learner_plan(request, lr, plans[lr.id]) for lr in request.learners)
    return check_response(request, PlanResponse("feasible", answer, {}))


def test_groups_settled_in_worker_processes_give_valid_plans_with_the_sequential_closure() -> None:
    request, plans, bounds = _organisation()
    settled, groups = contention_groups(request, plans)
    assert groups, "the generated team must contend for something"
    assert _valid(request, plans) != []  # the plans made alone over-book: there is work to do
    sequential = settle_organisation(request, plans, bounds, 1.0)
    with ProcessPoolExecutor(2) as pool:
        parallel = settle_organisation(request, plans, bounds, 1.0, map_fn=pool.map)
    assert _valid(request, sequential.plans) == []
    assert _valid(request, parallel.plans) == []
    assert parallel.closure_milli == sequential.closure_milli
    assert sequential.closure_milli <= sequential.bound_milli <= sequential.alone_milli
    assert sequential.stats["groups"] == len(groups)
    assert all(sequential.plans[lid] == plans[lid] for lid in settled)


def _scarce_mentor() -> PlanRequest:
    """One mentor place; ana gains 2 sql levels from it, ben 1, but ben is further from ready."""
    coaching = Activity("coaching", "mentorship", 6, 4, 0, grants={"sql": 3}, mentors=("mia",))
    ana = Learner("ana", {"sql": 1}, {"sql": Target(3, 1000)}, quarter_hours=8)
    ben = Learner(
        "ben",
        {"sql": 2},
        {"sql": Target(3, 1000), "ml": Target(5, 1000)},  # nothing teaches ml
        quarter_hours=8,
        deadline_week=7,
    )
    request = PlanRequest(8, SKILLS, (coaching,), (Mentor("mia", 1),), (ana, ben))
    return replace(request, options=replace(request.options, explain=False))


@pytest.mark.parametrize(
    ("policy", "winner", "loser"),
    [("total", "ana", "ben"), ("furthest", "ben", "ana"), ("deadline", "ben", "ana")],
)
def test_the_sharing_policy_decides_who_gets_the_scarce_mentor(
    policy: str, winner: str, loser: str
) -> None:
    request = _scarce_mentor()
    ideal = ideal_plans(request, time.monotonic() + 10, None, 1.0)
    got = settle_organisation(request, ideal.plans, ideal.bounds, 2.0, policy)
    assert [i.activity for i in got.plans[winner]] == ["coaching"]
    assert got.plans[loser] == []
    assert _valid(request, got.plans) == []
    assert [(loss.learner, loss.places, loss.holders) for loss in got.losses] == [
        (loser, ("mentor mia",), (winner,))
    ]
    assert got.losses[0].why.startswith(policy_text(policy))


def test_the_policy_is_the_objective_not_the_order_learners_come_in() -> None:
    """Ben comes first (the ledger books him first), but ana's plan closes more with the place."""
    request = _scarce_mentor()
    request = replace(request, learners=request.learners[::-1])
    ideal = ideal_plans(request, time.monotonic() + 10, None, 1.0)
    got = settle_organisation(request, ideal.plans, ideal.bounds, 2.0, "total")
    assert [i.activity for i in got.plans["ana"]] == ["coaching"]
    assert got.plans["ben"] == [] and got.closure_milli == 2000


def policy_text(policy: str) -> str:
    return {"total": "maximise total", "furthest": "protect", "deadline": "by deadline"}[policy]


def test_the_organisation_bound_is_the_best_any_plan_can_reach_when_prices_prove_it() -> None:
    """Alone, ana and ben would close 3 levels; with one place no plan closes more than 2."""
    request = _scarce_mentor()
    ideal = ideal_plans(request, time.monotonic() + 10, None, 1.0)
    got = settle_organisation(request, ideal.plans, ideal.bounds, 2.0)
    assert got.alone_milli == 3000
    assert got.closure_milli == 2000
    assert got.bound_milli == 2000


def test_an_unknown_policy_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="total, furthest, deadline"):
        policy_weights(_scarce_mentor(), "seniority")
