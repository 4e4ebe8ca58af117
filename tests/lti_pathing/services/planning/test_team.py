"""TeamPlanner: who is planned with which of their own choices, proposals, and what is recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.models import Person, Plan, PlanEvent, PlanStatus
from lti_pathing.services.planning import PlanningService, PlanSettings
from lti_pathing.services.planning.team import NO_TARGET, TeamPlanner

AISHA, KENJI, SOFIA = "E1011", "E1029", "E1047"
QUICK = PlanSettings(explain=False, time_limit_s=5)


def test_reports_keep_their_own_choices_but_not_a_passed_deadline(
    planning: PlanningService, person: Callable[[str], Person]
) -> None:
    kenji, sofia = person(KENJI), person(SOFIA)
    own = PlanSettings(
        hours_per_week=Decimal("3.5"), deadline=dt.date(2026, 1, 1), budget=Decimal("900"),
        blackout=(dt.date(2027, 1, 4),), excluded=(1,),
    )  # fmt: skip
    planning.generate(kenji.id, own.with_(deadline=None, explain=False))
    mine = planning.session.scalars(select(Plan).where(Plan.person_id == kenji.id)).one()
    mine.settings = own.to_json()  # a deadline that has passed since
    planning.session.flush()
    subjects, skipped = TeamPlanner(planning).subjects(person(AISHA).id, QUICK)
    by_person = {s.person.id: s for s in subjects}
    chosen = by_person[kenji.id].settings
    assert (chosen.hours_per_week, chosen.budget) == (Decimal("3.5"), Decimal("900"))
    assert chosen.blackout == own.blackout and chosen.excluded == (1,)
    assert chosen.deadline is None and chosen.pins == ()
    assert by_person[sofia.id].settings.hours_per_week is None  # no plan: her record's hours
    assert kenji.id in by_person and len(skipped) == 3


def test_planning_again_archives_the_first_proposals(
    planning: PlanningService, person: Callable[[str], Person], work: Session
) -> None:
    planner = TeamPlanner(planning)
    first = planner.plan(person(AISHA).id, QUICK)
    second = planner.plan(person(AISHA).id, QUICK)
    work.flush()
    assert {p.status for p in first.plans} == {PlanStatus.archived}
    assert {p.status for p in second.plans} == {PlanStatus.proposed}
    kinds = work.scalars(
        select(PlanEvent.kind).where(PlanEvent.plan_id == first.plans[0].id).order_by(PlanEvent.id)
    ).all()
    assert kinds == ["planned_with_team", "superseded"]
    skipped = second.result["skipped"]
    assert len(skipped) == 3 and {s["reason"] for s in skipped} == {NO_TARGET}


def test_a_manager_without_anyone_to_plan_is_refused(
    planning: PlanningService, person: Callable[[str], Person]
) -> None:
    kenji = person(KENJI)  # nobody reports to Kenji
    with pytest.raises(Invalid) as refused:
        TeamPlanner(planning).plan(kenji.id, QUICK)
    assert "team" in (refused.value.errors or {})
