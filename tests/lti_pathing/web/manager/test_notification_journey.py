"""Who hears of what along a plan's life, and what each person's "My notifications" shows.

Learner submits (their manager is told), the manager approves with a comment (the learner is told,
with the comment), a re-plan proposes a change (both are told what changed), the manager accepts
it (the learner is told).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.jobs import notifications
from lti_pathing.models import Notification, Person, Plan, PlanStatus
from lti_pathing.services.planning import next_monday
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER = "E1013", "E1004"
Client = Callable[..., FlaskClient]


def told(db: Session, who: Person) -> list[tuple[str, str]]:
    db.expire_all()
    stmt = select(Notification).where(Notification.person_id == who.id).order_by(Notification.id)
    return [(n.event, n.text) for n in db.scalars(stmt)]


def test_each_step_of_a_plan_tells_the_right_person(
    web: Flask, client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner, manager = person(LEARNER), person(MANAGER)
    me, boss = client_as(learner), client_as(manager, "manager")
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id, "hours_per_week": "4"})
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version}, "/me/plan")
    [(event, text)] = told(db, manager)
    assert event == "plan_submitted" and f"{learner.name} submitted their plan" in text

    db.refresh(plan)
    decision = {"action": "approve", "version": plan.version, "comment": "Go for it"}
    post(boss, f"/team/plans/{plan.id}/decide", decision, "/me/plan")
    assert told(db, learner)[-1] == (
        "plan_approved",
        f"{manager.name} approved your plan towards {plan.target_role.title}."  # type: ignore[union-attr]
        f'\n\n{manager.name} wrote: "Go for it"',
    )

    db.refresh(plan)  # it slipped: its first items should be over by now
    plan.starts_on = next_monday(dt.date.today()) - dt.timedelta(weeks=12)
    db.commit()
    post(boss, f"/team/plans/{plan.id}/replan", {}, "/me/plan")
    proposal = db.scalars(select(Plan).where(Plan.replaces_id == plan.id)).one()
    assert proposal.status is PlanStatus.proposed
    for who in (learner, manager):
        event, text = told(db, who)[-1]
        assert event == "replan_proposed" and "A re-plan proposes a new version of" in text
        assert "ready on" in text or "still short" in text  # what changed, in words

    post(boss, f"/team/plans/{proposal.id}/proposal",
         {"action": "accept", "version": proposal.version}, "/me/plan")  # fmt: skip
    event, text = told(db, learner)[-1]
    assert event == "plan_approved" and "accepted the re-plan proposal" in text

    notifications.deliver_due(web)  # no mail server, no LMS connection: skipped, with the reason
    page = me.get("/me/notifications/").get_data(as_text=True)
    assert page.count('data-event="plan_approved"') == 2 and "Re-plan proposed" in page
    assert "E-mail: skipped — e-mail is not set up on this lti-pathing" in page
    assert "Go for it" in page and f'<td class="from">{manager.name}</td>' in page
    theirs = boss.get("/me/notifications/").get_data(as_text=True)
    assert 'data-event="plan_submitted"' in theirs and "Go for it" not in theirs
