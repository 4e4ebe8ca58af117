"""A re-plan says what changed and why: the manager's queue counts and summarises proposals, the
proposal page details them, the learner is told at the top of their plan, and the history of the
versions before is kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import ItemStatus, Person, Plan, PlanEvent, PlanStatus
from tests.lti_pathing.web.journeys_fixtures import post
from tests.lti_pathing.web.manager.test_replan_and_proposals import (
    LEARNER,
    MANAGER,
    section,
    slipped,
)

Client = Callable[..., FlaskClient]


@pytest.fixture
def draft(client_as: Client, person: Callable[[str], Person], db: Session) -> Plan:
    """The learner's draft, started twelve weeks ago: its first items should be over."""
    learner = person(LEARNER)
    post(client_as(learner), "/me/plan/generate",
         {"target_role_id": learner.target_role_id, "hours_per_week": "4"})  # fmt: skip
    return slipped(db, db.scalars(select(Plan).where(Plan.person_id == learner.id)).one())


@pytest.fixture
def approved(client_as: Client, person: Callable[[str], Person], db: Session, draft: Plan) -> Plan:
    """The same plan, submitted and approved by the learner's manager."""
    post(client_as(person(LEARNER)), f"/me/plan/{draft.id}/submit", {"version": draft.version})
    db.refresh(draft)
    post(client_as(person(MANAGER), "manager"), f"/team/plans/{draft.id}/decide",
         {"action": "approve", "version": draft.version})  # fmt: skip
    db.refresh(draft)
    assert draft.status is PlanStatus.approved
    return draft


def _proposal(db: Session, held: Plan) -> Plan:
    db.expire_all()
    return db.scalars(select(Plan).where(Plan.replaces_id == held.id)).one()


def test_a_proposal_counts_in_the_queue_says_what_changed_and_why_and_keeps_the_history(
    client_as: Client, person: Callable[[str], Person], db: Session, approved: Plan
) -> None:
    me = client_as(person(LEARNER))
    post(me, f"/me/plan/{approved.id}/comment", {"comment": "Starting with the Python course."})
    late = [i.activity.title for i in approved.items if i.status is ItemStatus.planned
            and approved.starts_on is not None and i.end_week <= 12]  # fmt: skip
    boss = client_as(person(MANAGER), "manager")
    post(boss, f"/team/plans/{approved.id}/replan", {}, "/me/plan")
    proposal = _proposal(db, approved)
    written = db.scalars(select(PlanEvent).where(PlanEvent.plan_id == proposal.id,
                                                 PlanEvent.kind == "generated")).one()  # fmt: skip
    change = written.data["change"]
    assert change["against"] == approved.id and change["moved"]
    assert {r["kind"] for r in change["reasons"]} >= {"missed", "completed"}

    assert "Approval queue (1)" in boss.get("/team/").get_data(as_text=True)
    queue = boss.get("/team/queue").get_data(as_text=True)
    assert "1 waiting for you: 0 plans to decide, 1 re-plan proposal." in queue
    assert "Proposals (1)" in queue
    entry = queue.split(f'data-plan-id="{proposal.id}"', 1)[1].split("</li>", 1)[0]
    assert "moved; ready on" in entry and f"{late[0]} was due to end by" in entry

    page = boss.get(f"/team/plans/{proposal.id}").get_data(as_text=True)
    details = section(page, 'id="proposal"')
    assert "What changes, and why:" in details and 'data-change="moved"' in details
    assert "was completed" in details  # the first item was done since the plan was approved
    log = page.split('id="plan-log"', 1)[1].split("</ol>", 1)[0]
    assert "Starting with the Python course." in log and "earlier version" in log

    notice = section(me.get("/me/plan").get_data(as_text=True), 'id="notice-proposed"')
    assert "a re-plan waits for your manager" in notice and "moved; ready on" in notice

    post(boss, f"/team/plans/{proposal.id}/proposal",
         {"action": "accept", "version": proposal.version}, "/me/plan")  # fmt: skip
    page = me.get("/me/plan").get_data(as_text=True)
    assert page.index('id="notice-accepted"') < page.index('id="plan"')  # at the top
    notice = section(page, 'id="notice-accepted"')
    assert "Your plan changed: your manager accepted a re-plan" in notice
    assert f"{late[0]} was due to end by" in notice
    log = page.split('id="plan-log"', 1)[1].split("</ol>", 1)[0]
    assert "Starting with the Python course." in log  # the comment on the version it replaced
    assert 'data-kind="proposal_accepted"' in log and 'data-kind="approved"' in log

    event = notice.split('name="event" value="', 1)[1].split('"', 1)[0]
    other = client_as(person("E1026"))  # not their plan: nothing to note
    assert post(other, f"/me/plan/{proposal.id}/seen", {"event": event}).status_code == 404
    assert post(me, f"/me/plan/{proposal.id}/seen", {"event": event}).status_code == 302
    page = me.get("/me/plan").get_data(as_text=True)
    assert 'id="notice-accepted"' not in page and 'data-kind="change_seen"' not in page


def test_an_organisation_re_plan_names_a_retired_activity_and_a_new_completion(
    client_as: Client, person: Callable[[str], Person], db: Session, approved: Plan
) -> None:
    retired = next(i for i in approved.items if i.status is ItemStatus.planned).activity
    retired.active = False
    db.commit()
    admin = client_as(person("E1001"), "admin")
    manager = person(MANAGER)
    post(admin, "/admin/replans/", {"manager": manager.id}, "/admin/replans/")  # type: ignore[attr-defined]
    proposal = _proposal(db, approved)
    queue = client_as(manager, "manager").get("/team/queue").get_data(as_text=True)
    entry = queue.split(f'data-plan-id="{proposal.id}"', 1)[1].split("</li>", 1)[0]
    assert f"{retired.title} was retired from the catalog" in entry
    assert f"{retired.title} was due to end" not in entry  # one reason per item
    assert "was completed" in entry
    assert retired.id not in {i.activity_id for i in proposal.items}


def test_a_learner_is_told_when_someone_else_re_planned_their_draft_until_they_note_it(
    client_as: Client, person: Callable[[str], Person], db: Session, draft: Plan
) -> None:
    me = client_as(person(LEARNER))
    assert 'id="notice-replanned"' not in me.get("/me/plan").get_data(as_text=True)
    boss = client_as(person(MANAGER), "manager")
    post(boss, f"/team/plans/{draft.id}/replan", {}, "/me/plan")  # a draft changes in place
    page = me.get("/me/plan").get_data(as_text=True)
    notice = section(page, 'id="notice-replanned"')
    assert "Your plan changed:" in notice and "re-planned it" in notice and "Why:" in notice
    own = post(me, f"/me/plan/{draft.id}/replan", {}, "/me/plan")  # the learner re-plans too
    assert own.status_code == 302
    assert 'id="notice-replanned"' not in me.get("/me/plan").get_data(as_text=True)
