"""Team decomposition: the last-resort plan of a learner who ran out of time stays valid."""

from __future__ import annotations

from solver.cpsat import Ledger
from solver.instance import Activity, Learner, Mentor, PlanRequest, Skill, Target
from solver.solution import PlanItem
from solver.team import _greedy_fit

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
