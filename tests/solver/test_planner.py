"""The planner: optimal against exhaustive search, valid by the independent validator, explained."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import generate
from solver.exhaustive import exhaustive
from solver.greedy import greedy
from solver.instance import PlanRequest
from solver.measure import objective_key
from solver.planner import solve
from solver.request import parse_request
from solver.response import response_to_json
from solver.solution import PlanResponse
from solver.validate import assert_valid


def team_key(response: PlanResponse) -> tuple[int, ...]:
    keys = [objective_key(p) for p in response.plans]
    return tuple(sum(k[i] for k in keys) for i in range(4))


def request(**overrides: Any) -> PlanRequest:
    """A one-skill request: a short and a long course, a mentorship; overrides patch the learner."""
    learner = {"id": "ana", "levels": {}, "target": {"sql": {"level": 2}}, "hours_per_week": 4}
    learner.update(overrides.pop("learner", {}))
    data = {
        "version": 1,
        "horizon_weeks": 12,
        "skills": [{"id": "sql", "max_level": 3}, {"id": "go", "max_level": 3}],
        "activities": [
            {
                "id": "sql-1",
                "kind": "course",
                "duration_weeks": 2,
                "hours_per_week": 2,
                "cost": 100,
                "grants": {"sql": 1},
            },
            {
                "id": "sql-2",
                "kind": "course",
                "duration_weeks": 3,
                "hours_per_week": 3,
                "cost": 300,
                "grants": {"sql": 2},
                "requires": {"skills": {"sql": 1}},
            },
            {
                "id": "sql-coach",
                "kind": "mentorship",
                "duration_weeks": 4,
                "hours_per_week": 1,
                "grants": {"sql": 3},
                "requires": {"skills": {"sql": 2}},
                "mentors": ["mia"],
            },
        ],
        "mentors": [{"id": "mia", "capacity": 1}],
        "learners": [learner],
        "options": {"time_limit_s": 10},
    }
    data.update(overrides)
    return parse_request(data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), learners=st.sampled_from([1, 1, 2]))
def test_plans_are_as_good_as_exhaustive_search_and_valid(seed: int, learners: int) -> None:
    req = generate.tiny_request(seed, learners=learners)
    best = exhaustive(req)
    got = solve(req)
    assert_valid(req, got)
    assert got.status == best.status
    assert team_key(got) == team_key(best)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_generated_catalogs_give_valid_plans_never_worse_than_greedy(seed: int) -> None:
    req = generate.single_learner_request(60, seed=seed)
    req = replace(req, options=replace(req.options, time_limit_s=10))
    got = solve(req)
    assert_valid(req, got)
    assert team_key(got) >= team_key(greedy(req))


def test_the_same_request_gives_the_same_plan() -> None:
    req = generate.single_learner_request(120, seed=7)

    def plans() -> list[Any]:
        return response_to_json(solve(req))["plans"]

    assert plans() == plans()


def test_prerequisite_chain_is_scheduled_in_order() -> None:
    got = solve(request(learner={"target": {"sql": {"level": 3}}}))
    assert got.status == "optimal"
    starts = {i.activity: (i.start_week, i.end_week) for i in got.plans[0].items}
    assert starts["sql-1"][1] <= starts["sql-2"][0]
    assert starts["sql-2"][1] <= starts["sql-coach"][0]
    assert got.plans[0].final_levels["sql"] == 3
    assert got.plans[0].readiness_week == 9


def test_a_skill_nothing_teaches_is_explained_as_no_activity() -> None:
    got = solve(request(learner={"target": {"go": {"level": 1, "weight": 2}}}))
    gap = got.plans[0].open_gaps[0]
    assert (gap.skill, gap.reason) == ("go", "no_activity")
    assert "go" in gap.detail


def test_too_few_hours_is_explained_with_an_hours_suggestion() -> None:
    got = solve(request(learner={"hours_per_week": 2.5}))
    assert got.plans[0].final_levels["sql"] == 1
    gap = got.plans[0].open_gaps[0]
    assert gap.reason == "time"
    assert gap.suggestion is not None and "+1 h/week" in gap.suggestion


def test_a_close_deadline_is_explained_with_a_later_deadline() -> None:
    got = solve(request(learner={"deadline_week": 4}))
    gap = got.plans[0].open_gaps[0]
    assert gap.reason in ("time", "prerequisites")
    assert gap.suggestion is not None and "deadline +2 weeks" in gap.suggestion


def test_a_small_budget_is_explained_with_the_missing_amount() -> None:
    got = solve(request(learner={"budget": 150}))
    assert got.plans[0].cost_cents <= 15000
    gap = got.plans[0].open_gaps[0]
    assert (gap.reason, gap.suggestion) == ("budget", "budget +250")


def test_a_fully_booked_mentor_is_explained_as_capacity() -> None:
    req = request(
        learner={"target": {"sql": {"level": 3}}},
        mentors=[
            {"id": "mia", "capacity": 1, "booked": [{"from_week": 0, "to_week": 12, "mentees": 1}]}
        ],
    )
    got = solve(req)
    assert_valid(req, got)
    gap = got.plans[0].open_gaps[0]
    assert gap.reason == "capacity"


def test_pins_are_kept_and_pinned_conflicts_between_learners_are_infeasible() -> None:
    one_seat = [
        {
            "id": "sql-1",
            "kind": "course",
            "duration_weeks": 2,
            "hours_per_week": 2,
            "grants": {"sql": 1},
            "start_weeks": [0, 4],
            "seats": 1,
        }
    ]
    pin = {"pinned": [{"activity": "sql-1", "start_week": 4}], "target": {"sql": {"level": 1}}}
    kept = solve(request(activities=one_seat, learner=pin))
    assert [(i.activity, i.start_week) for i in kept.plans[0].items] == [("sql-1", 4)]
    ana = {"id": "ana", "levels": {}, "hours_per_week": 4, **pin}
    clash = request(activities=one_seat, learners=[ana, dict(ana, id="ben")])
    assert solve(clash).status == "infeasible"


@pytest.mark.slow
def test_large_teams_are_decomposed_and_share_mentors_validly() -> None:
    req = generate.team_request(12, 120, seed=3)
    req = replace(req, options=replace(req.options, time_limit_s=20, explain=False))
    got = solve(req)
    assert got.stats["mode"] == "decomposed"
    assert_valid(req, got)
    assert team_key(got)[0] >= team_key(greedy(req))[0]
    assert team_key(got)[0] <= got.stats["closure_bound"] * 1000
