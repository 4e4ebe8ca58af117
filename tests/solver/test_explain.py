"""Explanations of an organisation re-plan: made alone in the parallel phase, adapted after the
ledger without another solve."""

from __future__ import annotations

import time

from solver.explain import explain_alone, explain_shared
from solver.instance import Activity, Learner, Mentor, PlanRequest, Skill, Target
from solver.team import ideal_plans, settle

SKILLS = (Skill("sql", 3), Skill("go", 3))
COACHING = Activity("coaching", "mentorship", 2, 4, 0, grants={"sql": 1}, mentors=("mia",))


def pair() -> PlanRequest:
    """Two learners who each need the only mentor's only place; nothing teaches go."""
    people = tuple(
        Learner(n, {}, {"sql": Target(1, 1000), "go": Target(1, 500)}, quarter_hours=16)
        for n in ("ana", "bo")
    )
    return PlanRequest(2, SKILLS, (COACHING,), (Mentor("mia", 1),), people)


def test_a_gap_lost_to_the_ledger_is_capacity_and_one_open_alone_keeps_its_reason() -> None:
    request = pair()
    ideal = ideal_plans(request, time.monotonic() + 10)
    alone = {
        lr.id: explain_alone(request, lr, ideal.plans[lr.id], time.monotonic() + 5)
        for lr in request.learners
    }
    assert {lid: [(g.skill, g.reason) for g in gaps] for lid, gaps in alone.items()} == {
        "ana": [("go", "no_activity")],
        "bo": [("go", "no_activity")],
    }
    now = time.monotonic()
    result, stats = settle(request, ideal, now + 5, now + 10)
    assert stats["learners_resolved_against_ledger"] == 1
    assert result.plans is not None
    shared = {
        lr.id: explain_shared(request, lr, result.plans[lr.id], ideal.plans[lr.id], alone[lr.id])
        for lr in request.learners
    }
    assert shared["ana"] == alone["ana"]  # ana keeps the mentor: nothing changes
    lost, kept = shared["bo"]
    assert (lost.skill, lost.reason) == ("sql", "capacity")
    assert lost.suggestion == "one more mentor place or seat (the plan would then close it)"
    assert kept == alone["bo"][0]
