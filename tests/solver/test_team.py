"""Team decomposition: plans of learners who ran out of time stay valid and no worse than greedy."""

from __future__ import annotations

import time
from dataclasses import replace

from solver import generate
from solver.cpsat import Ledger
from solver.greedy import greedy
from solver.instance import Activity, Learner, Mentor, PlanRequest, Skill, Target
from solver.measure import learner_plan, objective_key
from solver.planner import solve
from solver.scope import build_scope
from solver.solution import PlanItem, PlanResponse
from solver.team import (
    _greedy_fit,
    _team_key,
    ideal_plans,
    ideal_plans_parallel,
    settle,
    spare_shared,
)
from solver.validate import check_response

SKILLS = (Skill("sql", 3),)


def test_dropping_a_taken_mentorship_drops_what_builds_on_it() -> None:
    coaching = Activity("coaching", "mentorship", 2, 4, 0, grants={"sql": 1}, mentors=("mia",))
    follow = Activity("follow-up", "course", 2, 4, 0, grants={"sql": 2}, requires_skills={"sql": 1})
    after = Activity(
        "capstone", "course", 1, 4, 0, grants={"sql": 3}, requires_activities=("follow-up",)
    )
    ana = Learner("ana", {}, {"sql": Target(3, 1000)}, quarter_hours=8)
    request = PlanRequest(8, SKILLS, (coaching, follow, after), (Mentor("mia", 1),), (ana,))
    greedy_plan = [
        PlanItem("coaching", 0, 2, "mia"),
        PlanItem("follow-up", 2, 4),
        PlanItem("capstone", 4, 5),
    ]
    taken = Ledger()
    taken.book(request, PlanItem("coaching", 0, 2, "mia"))  # someone else holds the mentor
    assert _greedy_fit(request, taken, "ana", {"ana": greedy_plan}) == []
    assert _greedy_fit(request, Ledger(), "ana", {"ana": greedy_plan}) == greedy_plan


def test_a_learner_left_unrefined_keeps_a_plan_at_least_as_good_as_greedy() -> None:
    """Out of time after the closure solves, nobody's ideal plan is worse than their greedy one."""
    request = generate.team_request(12, 60, seed=3)
    hints = {p.learner: list(p.items) for p in greedy(request).plans}
    ideal = ideal_plans(request, time.monotonic(), hints)  # no time left for refinement
    for lr in request.learners:
        alone = replace(request, learners=(lr,))
        got = learner_plan(request, lr, ideal.plans[lr.id])
        assert objective_key(got) >= objective_key(learner_plan(request, lr, hints[lr.id]))
        assert check_response(alone, PlanResponse("feasible", (got,), {})) == []


def test_a_seated_course_does_not_hide_a_dearer_one_from_learners_who_share_its_seat() -> None:
    """In a team the cheaper course's only seat goes to one learner; the other takes the dearer."""
    cheap = Activity("cheap", "course", 2, 4, 0, grants={"sql": 1}, seats=1)
    dear = Activity("dear", "course", 2, 4, 100_00, grants={"sql": 1})
    pair = tuple(Learner(n, {}, {"sql": Target(1, 1000)}, quarter_hours=4) for n in ("ana", "bo"))
    request = PlanRequest(2, SKILLS, (cheap, dear), (), pair)
    assert not build_scope(request, pair[0], shared=True).dropped.get("dear")
    got = solve(request)
    assert [p.closure_milli for p in got.plans] == [1000, 1000]
    assert sorted(i.activity for p in got.plans for i in p.items) == ["cheap", "dear"]


def test_the_ideal_phase_split_over_processes_matches_the_sequential_one() -> None:
    """Two processes, each planning every other learner, give the same optima in request order."""
    request = generate.team_request(8, 40, seed=5)
    hints = {p.learner: list(p.items) for p in greedy(request).plans}
    alone = ideal_plans(request, time.monotonic() + 20, hints)
    split = ideal_plans_parallel(request, time.monotonic() + 20, hints, 2)
    assert alone.proven and split.proven
    assert list(split.plans) == [lr.id for lr in request.learners]
    assert split.bound_milli == alone.bound_milli
    for lr in request.learners:
        keys = [objective_key(learner_plan(request, lr, i.plans[lr.id])) for i in (alone, split)]
        assert keys[0] == keys[1]


def test_a_ledger_takes_back_what_it_booked() -> None:
    request = generate.team_request(3, 40, seed=2)
    items = [i for p in greedy(request).plans for i in p.items]
    ledger = Ledger()
    for item in items:
        ledger.book(request, item)
    for item in items:
        ledger.book(request, item, -1)
    assert all(n == 0 for row in ledger.mentor_load.values() for n in row)
    assert all(n == 0 for n in ledger.cohort_taken.values())
    assert all(n == 0 for row in ledger.active_taken.values() for n in row)


def test_a_learner_who_needs_no_mentor_gives_the_mentor_up() -> None:
    """Same closure without the mentorship: the learners take the course and free the mentor."""
    coaching = Activity("coaching", "mentorship", 1, 4, 0, grants={"sql": 1}, mentors=("mia",))
    course = Activity("course", "course", 2, 4, 0, grants={"sql": 1})
    pair = tuple(Learner(n, {}, {"sql": Target(1, 1000)}, quarter_hours=8) for n in ("ana", "bo"))
    request = PlanRequest(8, SKILLS, (coaching, course), (Mentor("mia", 1),), pair)
    ideal = ideal_plans(request, time.monotonic() + 10)
    assert ideal.proven
    for lid in ("ana", "bo"):  # readier alone, and both at once: the plans do not fit together
        assert [(i.activity, i.start_week) for i in ideal.plans[lid]] == [("coaching", 0)]
    order = spare_shared(request, ideal, time.monotonic() + 10)
    assert order == ["ana", "bo"]
    assert ideal.spared == {"ana", "bo"} and not ideal.proven
    for lid in ("ana", "bo"):
        assert [i.activity for i in ideal.plans[lid]] == ["course"]


def test_the_ledger_serves_first_who_would_lose_most_without_shared_capacity() -> None:
    """Bo can only learn from the mentor; Ana could take a course: Bo gets the mentor."""
    coaching = Activity("coaching", "mentorship", 4, 4, 0, grants={"sql": 1}, mentors=("mia",))
    course = Activity("course", "course", 6, 4, 0, grants={"sql": 1})
    ana = Learner("ana", {}, {"sql": Target(1, 1000)}, quarter_hours=8)
    bo = Learner(
        "bo", {}, {"sql": Target(1, 1000)}, quarter_hours=8, excluded=frozenset({"course"})
    )
    people = (ana, bo, *(Learner(f"p{i}", {}, {}, quarter_hours=4) for i in range(6)))
    request = PlanRequest(6, SKILLS, (coaching, course), (Mentor("mia", 1),), people)
    got = solve(replace(request, options=replace(request.options, explain=False)))
    assert check_response(request, got) == []
    assert {p.learner: p.closure_milli for p in got.plans}["ana"] == 1000
    assert {p.learner: p.closure_milli for p in got.plans}["bo"] == 1000


def test_refining_against_the_others_keeps_plans_valid_and_no_worse() -> None:
    """The last phases re-solve learners against everyone else's plans; the team never loses."""
    request = generate.team_request(12, 60, seed=4)
    hints = {p.learner: list(p.items) for p in greedy(request).plans}
    ideal = ideal_plans(request, time.monotonic() + 5, hints)
    now = time.monotonic()
    before, stats = settle(request, ideal, now + 5, now, hints)  # no time to repair or refine
    assert stats["refined"] == 0
    now = time.monotonic()
    after, stats = settle(request, ideal, now + 5, now + 15, hints, now + 8)
    assert stats["refined"] == len(request.learners)
    assert after.plans is not None and before.plans is not None
    by_id = {lr.id: lr for lr in request.learners}
    plans = tuple(learner_plan(request, by_id[lid], items) for lid, items in after.plans.items())
    assert check_response(request, PlanResponse(after.status, plans, {})) == []
    assert _team_key(request, after.plans, by_id) >= _team_key(request, before.plans, by_id)
