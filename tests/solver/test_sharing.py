"""The price of planning together: each learner alone against the team, and contended capacity."""

from __future__ import annotations

from solver.instance import Activity, Learner, Mentor, Options, PlanRequest, Skill, Target
from solver.planner import solve
from solver.sharing import sharing_report

SKILLS = (Skill("coaching", 2), Skill("sql", 2))
OPTIONS = Options(time_limit_s=5, explain=False)


def _learner(name: str, deadline: int | None = None) -> Learner:
    return Learner(name, {}, {"coaching": Target(1, 1000)}, quarter_hours=8, deadline_week=deadline)


def _request(*learners: Learner, mentor_places: int = 1) -> PlanRequest:
    coaching = Activity("coaching", "mentorship", 4, 4, 0, grants={"coaching": 1}, mentors=("mia",))
    return PlanRequest(12, SKILLS, (coaching,), (Mentor("mia", mentor_places),), learners, OPTIONS)


def test_two_learners_sharing_one_mentor_place_one_waits_four_weeks() -> None:
    request = _request(_learner("ana"), _learner("raj"))
    report = sharing_report(request, solve(request), 5)
    costs = {c.learner: c for c in report.learners}
    assert {c.readiness_alone for c in costs.values()} == {4}
    assert sorted(c.weeks_later for c in costs.values()) == [0, 4]
    assert all(c.closure_lost == 0 for c in costs.values())
    (mentor,) = report.contended
    assert (mentor.kind, mentor.key, mentor.from_week, mentor.to_week) == ("mentor", "mia", 0, 4)
    assert mentor.places == 1 and mentor.wanted_by == ("ana", "raj")
    first = next(c.learner for c in costs.values() if c.weeks_later == 0)
    assert mentor.holders == (first,)


def test_when_the_wait_runs_past_a_deadline_the_closure_lost_is_reported() -> None:
    request = _request(_learner("ana", deadline=6), _learner("raj", deadline=6))
    report = sharing_report(request, solve(request), 5)
    lost = sorted(c.closure_lost for c in report.learners)
    assert lost == [0.0, 1.0]
    assert report.to_json()["learners"][0].keys() >= {"closure_alone", "closure_lost"}


def test_enough_places_means_nothing_is_contended_and_nothing_is_lost() -> None:
    request = _request(_learner("ana"), _learner("raj"), mentor_places=2)
    report = sharing_report(request, solve(request), 5)
    assert report.contended == ()
    assert all(c.closure_lost == 0 and c.weeks_later == 0 for c in report.learners)


def test_a_seated_cohort_is_contended_per_run() -> None:
    course = Activity("sql", "course", 2, 4, 0, grants={"sql": 1}, start_weeks=(0, 2), seats=1)
    learners = tuple(Learner(n, {}, {"sql": Target(1, 1000)}, quarter_hours=8) for n in "abc")
    request = PlanRequest(12, SKILLS, (course,), (), learners, OPTIONS)
    report = sharing_report(request, solve(request), 5)
    runs = [(c.kind, c.key, c.from_week, c.to_week) for c in report.contended]
    assert runs == [("cohort", "sql", 0, 1)]  # everyone alone takes the first run
    assert report.contended[0].wanted_by == ("a", "b", "c")
    closures = sorted(c.closure_together for c in report.learners)
    assert closures == [0.0, 1.0, 1.0]  # two runs of one seat: the third is left out
