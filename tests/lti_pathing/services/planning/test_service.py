"""PlanningService on the sample organisation: valid, dated, re-generable, explained plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import Activity, Person, Plan, PlanEvent, PlanStatus, Tenant
from lti_pathing.services.planning import Calendar, Pin, PlanningService, PlanSettings
from lti_pathing.services.planning.team import TeamPlanner
from solver.instance import PlanRequest
from solver.measure import learner_plan
from solver.request import parse_request
from solver.solution import PlanItem, PlanResponse
from solver.validate import check_response
from tests.lti_pathing.services.planning.conftest import TODAY


def stored_response(
    planning: PlanningService, plans: list[Plan]
) -> tuple[PlanRequest, PlanResponse]:
    """Rebuild the request these plans were made from and re-measure their stored items."""
    subjects = [
        planning.subject(p.person_id, PlanSettings(target_role_id=p.target_role_id)) for p in plans
    ]
    calendar = Calendar.starting(plans[0].starts_on or TODAY)
    built = planning.build(subjects, calendar, 5, False)
    for learner, plan in zip(built.data["learners"], plans, strict=True):
        learner["pinned"] = plan.request["learner"].get("pinned", []) if plan.request else []
    request = parse_request(built.data)
    mentors = {v: k for k, v in built.catalog.mentor_ids.items()}
    measured = tuple(
        learner_plan(
            request,
            learner,
            [
                PlanItem(
                    i.activity.external_id,
                    i.start_week,
                    i.end_week,
                    mentors[i.mentor_id] if i.mentor_id else None,
                )
                for i in plan.items
            ],
        )
        for learner, plan in zip(request.learners, plans, strict=True)
    )
    return request, PlanResponse("feasible", measured)


def test_a_generated_plan_is_valid_dated_from_next_monday_and_logged(
    planning: PlanningService, person: Callable[[str], Person], work: Session
) -> None:
    amir = person("E1026")  # swe-2 aiming at swe-3
    plan = planning.generate(amir.id, actor_id=amir.id)
    assert plan.status is PlanStatus.draft and plan.solve_status in ("optimal", "feasible")
    assert plan.items and plan.starts_on == dt.date(2026, 12, 7)
    request, response = stored_response(planning, [plan])
    assert check_response(request, response) == []
    calendar = Calendar.starting(plan.starts_on)
    for item in plan.items:
        start = calendar.start_date(item.start_week)
        assert start.weekday() == 0 and start > TODAY
    assert plan.closure == plan.max_closure and plan.ready_on is not None
    assert plan.ready_on.weekday() == 0
    events = work.scalars(select(PlanEvent).where(PlanEvent.plan_id == plan.id)).all()
    assert [(e.kind, e.actor_id) for e in events] == [("generated", amir.id)]


def test_levels_from_evidence_shrink_the_plan(
    planning: PlanningService, person: Callable[[str], Person], add_evidence: Callable[..., Any]
) -> None:
    amir = person("E1026")
    before = planning.generate(amir.id, PlanSettings(explain=False))
    for skill, level in (("python", 3), ("typescript", 3), ("unit-testing", 3), ("debugging", 3)):
        add_evidence(amir, skill, level, "manager")
    after = planning.generate(amir.id, PlanSettings(explain=False))
    assert after.max_closure is not None and before.max_closure is not None
    assert after.max_closure < before.max_closure
    assert sum(i.end_week - i.start_week for i in after.items) < sum(
        i.end_week - i.start_week for i in before.items
    )


def test_regeneration_keeps_pinned_items_and_updates_the_same_draft(
    planning: PlanningService, person: Callable[[str], Person], work: Session
) -> None:
    amir = person("E1026")
    plan = planning.generate(amir.id, PlanSettings(explain=False))
    last = max(plan.items, key=lambda i: i.start_week)
    last.pinned = True
    moved = last.start_week + 2  # pin it two weeks later than the planner put it
    last.start_week, last.end_week = moved, last.end_week + 2
    work.flush()
    again = planning.generate(amir.id, PlanSettings(explain=False), plan_id=plan.id)
    assert again.id == plan.id
    kept = [i for i in again.items if i.activity_id == last.activity_id]
    assert [(i.start_week, i.pinned) for i in kept] == [(moved, True)]
    assert [e.kind for e in again.events] == ["generated", "regenerated"]


def test_pins_that_cannot_all_hold_are_explained_and_nothing_is_stored(
    planning: PlanningService,
    person: Callable[[str], Person],
    work: Session,
    larkspur: Tenant,
) -> None:
    amir = person("E1026")
    advanced = work.scalar(
        select(Activity).where(
            Activity.tenant_id == larkspur.id, Activity.external_id == "unit-testing-advanced"
        )
    )
    assert advanced is not None  # needs unit-testing 3, which nobody can reach by week 0
    settings = PlanSettings(pins=(Pin(advanced.id, dt.date(2026, 12, 7)),), explain=False)
    before = work.scalar(select(Plan.id).order_by(Plan.id.desc()))
    with pytest.raises(Invalid) as raised:
        planning.generate(amir.id, settings)
    assert raised.value.errors == {  # the activity by name, its date: the learner's words
        advanced.title: [
            "from 7 December 2026 it cannot be kept with the rest (its prerequisites, seats, "
            "mentors or your hours); without it, the plan works"
        ]
    }
    assert work.scalar(select(Plan.id).order_by(Plan.id.desc())) == before


def test_a_pin_over_the_weekly_hours_is_refused_with_the_planners_reason(
    planning: PlanningService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    amir = person("E1026")
    course = work.scalar(
        select(Activity)
        .where(
            Activity.tenant_id == larkspur.id,
            Activity.hours_per_week > 2,
            Activity.active.is_(True),
        )
        .order_by(Activity.external_id)
    )
    assert course is not None
    settings = PlanSettings(hours_per_week=1, pins=(Pin(course.id, dt.date(2027, 3, 1)),))
    with pytest.raises(Invalid) as raised:
        planning.generate(amir.id, settings)
    assert any(key.startswith("pins[0]") for key in raised.value.errors)


def test_a_deadline_blackouts_and_hours_are_respected(
    planning: PlanningService, person: Callable[[str], Person]
) -> None:
    amir = person("E1026")
    settings = PlanSettings(
        hours_per_week=3,
        deadline=dt.date(2027, 6, 30),
        blackout=(dt.date(2026, 12, 24), dt.date(2026, 12, 31)),
        explain=True,
    )
    plan = planning.generate(amir.id, settings)
    calendar = Calendar.starting(plan.starts_on or TODAY)
    assert all(calendar.last_day(i.end_week) <= dt.date(2027, 6, 30) for i in plan.items)
    assert plan.request is not None
    assert plan.request["learner"]["blackout_weeks"] == [2, 3]
    if plan.closure != plan.max_closure:  # open gaps are explained
        assert plan.response is not None and plan.response["open_gaps"]


def test_another_tenants_person_is_not_found(
    work: Session, person: Callable[[str], Person]
) -> None:
    other = Tenant(slug="elsewhere", name="Elsewhere")
    work.add(other)
    work.flush()
    with pytest.raises(NotFound):
        PlanningService(work, other).generate(person("E1026").id)


def test_time_to_ready_stores_nothing(
    planning: PlanningService, person: Callable[[str], Person], work: Session
) -> None:
    amir = person("E1026")
    count = len(work.scalars(select(Plan.id)).all())
    estimate = planning.time_to_ready(amir.id, amir.target_role_id or 0)
    assert estimate.weeks is not None and estimate.weeks > 0
    assert estimate.ready_on is not None and estimate.ready_on.weekday() == 0
    assert len(work.scalars(select(Plan.id)).all()) == count


def test_a_team_is_planned_together_within_shared_capacity(
    planning: PlanningService, person: Callable[[str], Person]
) -> None:
    manager = person("E1008")
    team = TeamPlanner(planning).plan(manager.id, PlanSettings(explain=False, time_limit_s=10))
    plans = team.plans
    assert len(plans) >= 2
    assert {p.person.manager_id for p in plans} == {manager.id}
    assert {p.status for p in plans} == {PlanStatus.proposed}
    request, response = stored_response(planning, plans)
    assert check_response(request, response) == []
    assert team.result["plan_ids"] == [p.id for p in plans]
    assert {row["person_id"] for row in team.result["people"]} == {p.person_id for p in plans}
