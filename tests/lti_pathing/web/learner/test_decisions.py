"""A manager's decision, who made it, their comment and the next step, atop the learner's plan."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Plan, PlanStatus
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER = "E1013", "E1004"


def _plan(db: Session, who: Person) -> Plan:
    db.expire_all()
    return db.scalars(select(Plan).where(Plan.person_id == who.id)).one()


def _generate(me: FlaskClient, learner: Person) -> None:
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id,
                                   "hours_per_week": "4"})  # fmt: skip


def _decide(boss: FlaskClient, db: Session, learner: Person, action: str, comment: str) -> str:
    plan = _plan(db, learner)
    answer = post(boss, f"/team/plans/{plan.id}/decide",
                  {"action": action, "version": plan.version, "comment": comment},
                  f"/team/plans/{plan.id}")  # fmt: skip
    assert answer.status_code == 302
    return boss.get(answer.location).get_data(as_text=True)


def _submit(me: FlaskClient, db: Session, learner: Person) -> None:
    plan = _plan(db, learner)
    assert post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version}).status_code == 302


def test_the_learner_sees_the_decision_comment_and_next_step_first(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner, manager = person(LEARNER), person(MANAGER)
    me, boss = client_as(learner), client_as(manager, "manager")
    _generate(me, learner)
    _submit(me, db, learner)
    told = _decide(boss, db, learner, "request_changes", "Add a mentorship, please.")
    assert f"Changes requested; {learner.name} sees your comment" in told

    page = me.get("/me/plan").get_data(as_text=True)
    top = page[: page.index('id="plan-heading"')]
    assert f"{manager.name} asked for changes" in top
    assert "Add a mentorship, please." in top
    assert 'id="decision-resubmit"' in top and 'id="decision-revise"' in top

    _submit(me, db, learner)  # submitted again: the old decision is answered
    assert 'id="decision"' not in me.get("/me/plan").get_data(as_text=True)
    told = _decide(boss, db, learner, "reject", "Not this quarter.")
    assert "Plan rejected;" in told and "rejectd" not in told
    page = me.get("/me/plan").get_data(as_text=True)
    top = page[: page.index('id="plan-heading"')]
    assert f"{manager.name} rejected this plan" in top and "Not this quarter." in top
    assert 'id="decision-revise"' in top


def test_re_generating_a_rejected_plan_gives_a_draft_to_submit_again(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner, manager = person(LEARNER), person(MANAGER)
    me, boss = client_as(learner), client_as(manager, "manager")
    _generate(me, learner)
    _submit(me, db, learner)
    _decide(boss, db, learner, "reject", "Too long.")
    _generate(me, learner)
    assert _plan(db, learner).status is PlanStatus.draft
    page = me.get("/me/plan").get_data(as_text=True)
    assert "submit it again when you are ready" in page
    assert 'id="submit-plan"' in page
    _submit(me, db, learner)
    assert _plan(db, learner).status is PlanStatus.submitted
