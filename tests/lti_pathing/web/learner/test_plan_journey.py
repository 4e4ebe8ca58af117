"""The whole journey over HTTP: a learner generates and submits, the manager approves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import ItemStatus, Person, Plan, PlanStatus
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER = "E1013", "E1004"  # a Software Engineer I aiming at II, and their manager


def _plan_of(db: Session, who: Person) -> Plan:
    db.expire_all()
    plans = db.scalars(select(Plan).where(Plan.person_id == who.id)).all()
    assert len(plans) == 1
    return plans[0]


def test_generate_submit_approve(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner, manager = person(LEARNER), person(MANAGER)
    me = client_as(learner)
    page = me.get("/me/plan").get_data(as_text=True)
    assert 'id="no-plan"' in page

    generated = post(me, "/me/plan/generate", {
        "target_role_id": learner.target_role_id, "hours_per_week": "4", "deadline": "",
        "blackout": "", "budget": "",
    })  # fmt: skip
    assert generated.status_code == 302
    page = me.get("/me/plan").get_data(as_text=True)
    plan = _plan_of(db, learner)
    assert plan.status == PlanStatus.draft and plan.items
    assert 'id="plan-timeline"' in page and "<svg" in page
    assert all(f'id="item-{item.id}"' in page for item in plan.items)
    assert 'data-status="draft"' in page

    submitted = post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version, "comment": "Hi"})
    assert submitted.status_code == 302
    assert _plan_of(db, learner).status == PlanStatus.submitted

    boss = client_as(manager, "manager")
    queue = boss.get("/team/queue").get_data(as_text=True)
    assert f'data-plan-id="{plan.id}"' in queue
    version = _plan_of(db, learner).version
    approved = post(boss, f"/team/plans/{plan.id}/decide",
                    {"action": "approve", "version": version, "comment": "Go for it"},
                    f"/team/plans/{plan.id}")  # fmt: skip
    assert approved.status_code == 302

    page = me.get("/me/plan").get_data(as_text=True)
    assert 'data-status="approved"' in page
    assert "Go for it" in page and 'data-kind="approved"' in page
    done = _plan_of(db, learner)
    done.items[0].status, done.items[0].completed_on = ItemStatus.completed, done.starts_on
    db.commit()  # as the LMS sync would mark it
    page = me.get("/me/plan").get_data(as_text=True)
    assert f'id="progress-done">1 of {len(done.items)}' in page
    assert 'id="progress-state">ahead' in page
    ics = me.get(f"/me/plan/{plan.id}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    assert ics.get_data(as_text=True).count("BEGIN:VEVENT") == len(plan.items)


def test_bad_settings_are_shown_next_to_the_fields_and_nothing_starts(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    answer = post(me, "/me/plan/generate", {
        "target_role_id": learner.target_role_id, "hours_per_week": "-3",
        "deadline": "next year", "blackout": "2026-13-01", "budget": "",
    })  # fmt: skip
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    for field in ("hours_per_week", "deadline", "blackout"):
        assert f'id="{field}-error"' in html
    assert 'value="next year"' in html  # what was typed is kept
    db.expire_all()
    assert db.scalars(select(Plan).where(Plan.person_id == learner.id)).all() == []


def test_another_learner_cannot_see_or_submit_my_plan(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner, other = person(LEARNER), person("E1015")
    me = client_as(learner)
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id, "hours_per_week": "4"})
    plan = _plan_of(db, learner)
    them = client_as(other)
    assert them.get(f"/me/plan/{plan.id}/calendar.ics").status_code == 404
    answer: Any = post(them, f"/me/plan/{plan.id}/submit", {"version": plan.version})
    assert answer.status_code in (403, 404)
    assert _plan_of(db, learner).status == PlanStatus.draft
