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
from solver.team import _greedy_fit, ideal_plans, ideal_plans_parallel
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
