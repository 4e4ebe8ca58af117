"""Price and branch: columns share contested mentors and seats; their prices prove a bound."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from solver import generate
from solver.columns import Competitor, capacity, price, trimmed, usage
from solver.cpsat import Ledger, mentor_free
from solver.exhaustive import exhaustive
from solver.instance import Activity, Learner, Mentor, Pin, PlanRequest, Skill, Target
from solver.measure import learner_plan
from solver.planner import solve
from solver.scope import build_scope
from solver.solution import PlanItem, PlanResponse
from solver.team import _without_shared, fits, ideal_plans, share_contested, spare_shared
from solver.validate import check_response

SKILLS = (Skill("sql", 3),)
BYSTANDERS = tuple(Learner(f"p{i}", {}, {}, quarter_hours=4) for i in range(6))


def test_the_bound_sees_that_one_mentor_cannot_coach_two_learners_at_once() -> None:
    """Six weeks of coaching each in an eight-week horizon: only one of the two can have it."""
    coaching = Activity("coaching", "mentorship", 6, 4, 0, grants={"sql": 1}, mentors=("mia",))
    pair = tuple(Learner(n, {}, {"sql": Target(1, 1000)}, quarter_hours=8) for n in ("ana", "bo"))
    request = PlanRequest(8, SKILLS, (coaching,), (Mentor("mia", 1),), (*pair, *BYSTANDERS))
    got = solve(replace(request, options=replace(request.options, explain=False)))
    assert check_response(request, got) == []
    assert sum(p.closure_milli for p in got.plans) == 1000
    # Each learner alone could reach 1,000; the prices on the mentor's weeks prove 1,000 in all.
    assert got.stats["closure_bound"] == 1.0
    assert got.stats["contested"] == 2


def test_pricing_moves_a_learner_off_the_weeks_the_prices_make_dear() -> None:
    coaching = Activity("coaching", "mentorship", 2, 4, 0, grants={"sql": 1}, mentors=("mia",))
    ana = Learner("ana", {}, {"sql": Target(1, 1000)}, quarter_hours=8)
    request = PlanRequest(6, SKILLS, (coaching,), (Mentor("mia", 1),), (ana,))
    scope = build_scope(request, ana, mentor_free(request, None), shared=True)
    comp = Competitor(ana, scope, 1000)
    comp.add(request, [PlanItem("coaching", 0, 2, "mia")])
    dear = {("mentor", "mia", w): 100_000 for w in range(4)}  # the first four weeks cost all
    plans, upper = price(request, comp, dear, time.monotonic() + 5)
    assert plans[-1] == [PlanItem("coaching", 4, 6, "mia")]
    assert upper == 1000 * 100  # closure in hundredths of a thousandth, nothing to pay


def test_usage_counts_mentor_weeks_cohort_seats_and_weekly_seats() -> None:
    coaching = Activity("coaching", "mentorship", 2, 4, 0, grants={"sql": 1}, mentors=("mia",))
    cohort = Activity("cohort", "course", 2, 4, 0, grants={"sql": 2}, start_weeks=(0, 4), seats=3)
    stretch = Activity("stretch", "stretch", 3, 4, 0, grants={"sql": 3}, seats=1)
    request = PlanRequest(8, SKILLS, (coaching, cohort, stretch), (Mentor("mia", 2),))
    items = [
        PlanItem("coaching", 0, 2, "mia"),
        PlanItem("cohort", 4, 6),
        PlanItem("stretch", 5, 8),
    ]
    assert usage(request, items) == {
        ("mentor", "mia", 0): 1,
        ("mentor", "mia", 1): 1,
        ("cohort", "cohort", 4): 1,
        ("seat", "stretch", 5): 1,
        ("seat", "stretch", 6): 1,
        ("seat", "stretch", 7): 1,
    }
    assert capacity(request, ("mentor", "mia", 0)) == 2
    assert capacity(request, ("cohort", "cohort", 4)) == 3


@pytest.mark.parametrize("seed", range(12))
def test_the_lagrangian_bound_never_cuts_below_the_exhaustive_optimum(seed: int) -> None:
    """Tiny teams (one mentor place, one seat): the proven bound holds the true best closure."""
    request = generate.tiny_request(seed, learners=2, max_activities=5)
    best = sum(p.closure_milli for p in exhaustive(request).plans)
    ideal = ideal_plans(request, time.monotonic() + 10)
    spare_shared(request, ideal, time.monotonic() + 10)
    chosen, _ = share_contested(request, ideal, time.monotonic() + 5)
    assert ideal.bound_milli >= best
    plans = {lr.id: chosen.get(lr.id, ideal.plans[lr.id]) for lr in request.learners}
    assert fits(request, Ledger(), [i for items in plans.values() for i in items])
    by_id = {lr.id: lr for lr in request.learners}
    records = tuple(learner_plan(request, by_id[lid], items) for lid, items in plans.items())
    assert check_response(request, PlanResponse("feasible", records, {})) == []


def test_a_generated_team_keeps_every_plan_valid_and_within_capacity() -> None:
    request = generate.team_request(24, 80, seed=5)
    request = replace(request, options=replace(request.options, explain=False, time_limit_s=12))
    got = solve(request)
    assert check_response(request, got) == []
    closure = sum(p.closure_milli for p in got.plans)
    assert closure <= got.stats["closure_bound"] * 1000


def test_a_team_split_over_two_processes_shares_mentors_the_same_way() -> None:
    """With workers = 2 the ideal phase runs in two processes; pricing rebuilds the scopes."""
    request = generate.team_request(16, 60, seed=7)
    options = replace(request.options, explain=False, time_limit_s=8, workers=2)
    got = solve(replace(request, options=options))
    assert check_response(request, got) == []
    assert got.stats["contested"] > 0
    assert sum(p.closure_milli for p in got.plans) <= got.stats["closure_bound"] * 1000


def test_nobody_competes_when_every_ideal_plan_fits() -> None:
    """Two learners, a mentor with two places: both keep their ideal plans; nothing is priced."""
    coaching = Activity("coaching", "mentorship", 6, 4, 0, grants={"sql": 1}, mentors=("mia",))
    pair = tuple(Learner(n, {}, {"sql": Target(1, 1000)}, quarter_hours=8) for n in ("ana", "bo"))
    request = PlanRequest(8, SKILLS, (coaching,), (Mentor("mia", 2),), (*pair, *BYSTANDERS))
    got = solve(replace(request, options=replace(request.options, explain=False)))
    assert got.status == "optimal"
    assert sum(p.closure_milli for p in got.plans) == 2000
    assert "contested" not in got.stats


def test_a_plan_without_shared_capacity_keeps_what_does_not_build_on_it() -> None:
    coaching = Activity("coaching", "mentorship", 2, 4, 0, grants={"sql": 1}, mentors=("mia",))
    follow = Activity("follow", "course", 2, 4, 0, grants={"sql": 2}, requires_skills={"sql": 1})
    side = Activity("side", "course", 1, 4, 0, grants={"sql": 1})
    ana = Learner("ana", {}, {"sql": Target(2, 1000)}, quarter_hours=8)
    request = PlanRequest(8, SKILLS, (coaching, follow, side), (Mentor("mia", 1),), (ana,))
    plan = [PlanItem("coaching", 0, 2, "mia"), PlanItem("follow", 2, 4), PlanItem("side", 4, 5)]
    assert _without_shared(request, ana, plan) == [PlanItem("side", 4, 5)]


def test_a_priced_plan_is_trimmed_of_items_that_add_nothing() -> None:
    """A second course to the same level goes; a pinned one stays and the other goes instead."""
    first = Activity("first", "course", 2, 4, 100, grants={"sql": 1})
    again = Activity("again", "course", 2, 4, 100, grants={"sql": 1})
    next_ = Activity("next", "course", 2, 4, 0, grants={"sql": 2}, requires_skills={"sql": 1})
    ana = Learner("ana", {}, {"sql": Target(2, 1000)}, quarter_hours=8)
    request = PlanRequest(8, SKILLS, (first, again, next_), (), (ana,))
    plan = [PlanItem("first", 0, 2), PlanItem("again", 2, 4), PlanItem("next", 4, 6)]
    assert trimmed(request, ana, plan) == [PlanItem("first", 0, 2), PlanItem("next", 4, 6)]
    pinned = replace(ana, pinned=(Pin("again", 2),))
    assert trimmed(request, pinned, plan) == [PlanItem("again", 2, 4), PlanItem("next", 4, 6)]


@pytest.mark.parametrize(("horizon", "weeks"), [(6, 3), (6, 4), (6, 5), (8, 4), (8, 5)])
@pytest.mark.parametrize("course", [False, True])
def test_the_bound_is_the_exhaustive_optimum_when_two_learners_want_one_mentor(
    horizon: int, weeks: int, course: bool
) -> None:
    """Coaching to level 2 from a mentor with one place, sometimes a course to level 1 beside it.

    When both coachings cannot fit in the horizon, the sum of the learners' bounds overstates
    the team by one of them; the prices find the exhaustive optimum.
    """
    acts = [Activity("coaching", "mentorship", weeks, 4, 0, grants={"sql": 2}, mentors=("mia",))]
    if course:
        acts.append(Activity("course", "course", 2, 4, 0, grants={"sql": 1}))
    people = (
        Learner("ana", {}, {"sql": Target(2, 1000)}, quarter_hours=8),
        Learner("bo", {}, {"sql": Target(2, 2000)}, quarter_hours=8),
    )
    request = PlanRequest(horizon, SKILLS, tuple(acts), (Mentor("mia", 1),), people)
    best = sum(p.closure_milli for p in exhaustive(request).plans)
    ideal = ideal_plans(request, time.monotonic() + 10)
    assert ideal.bound_milli == 6000  # each alone reaches level 2
    spare_shared(request, ideal, time.monotonic() + 10)
    chosen, _ = share_contested(request, ideal, time.monotonic() + 5)
    assert ideal.bound_milli == best
    plans = {lr.id: chosen.get(lr.id, ideal.plans[lr.id]) for lr in request.learners}
    by_id = {lr.id: lr for lr in request.learners}
    assert sum(learner_plan(request, by_id[k], v).closure_milli for k, v in plans.items()) == best
