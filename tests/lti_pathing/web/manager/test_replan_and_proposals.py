"""A slipped plan is flagged on the learner's and the manager's pages and can be re-planned from
today (done and pinned items kept); an approved plan only ever gets a proposal, which the manager
accepts (it becomes the approved plan, the old one superseded) or dismisses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import ItemStatus, Plan, PlanEvent, PlanStatus
from lti_pathing.services.planning import next_monday
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER = "E1013", "E1004"
Client = Callable[..., FlaskClient]
WEEKS_AGO = 12


def slipped(db: Session, plan: Plan) -> Plan:
    """Move the plan's start back so that its first items should be over; the first is done."""
    plan.starts_on = next_monday(dt.date.today()) - dt.timedelta(weeks=WEEKS_AGO)
    first = min(plan.items, key=lambda i: (i.start_week, i.id))
    first.status, first.completed_on = ItemStatus.completed, dt.date.today()
    db.commit()
    assert any(i.status is ItemStatus.planned and i.start_week < WEEKS_AGO for i in plan.items)
    return plan


@pytest.fixture
def draft(client_as: Client, person: Callable[[str], object], db: Session) -> Plan:
    learner = person(LEARNER)
    me = client_as(learner)
    post(me, "/me/plan/generate",
         {"target_role_id": learner.target_role_id, "hours_per_week": "4"})  # type: ignore[attr-defined]  # fmt: skip
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()  # type: ignore[attr-defined]
    assert len(plan.items) >= 2
    return slipped(db, plan)


@pytest.fixture
def approved(client_as: Client, person: Callable[[str], object], db: Session, draft: Plan) -> Plan:
    me, boss = client_as(person(LEARNER)), client_as(person(MANAGER), "manager")
    post(me, f"/me/plan/{draft.id}/submit", {"version": draft.version}, "/me/plan")
    db.refresh(draft)
    post(boss, f"/team/plans/{draft.id}/decide",
         {"action": "approve", "version": draft.version}, "/me/plan")  # fmt: skip
    db.refresh(draft)
    assert draft.status is PlanStatus.approved
    return draft


def done_items(plan: Plan) -> list[tuple[int, int]]:
    return sorted(
        (i.activity_id, i.start_week) for i in plan.items if i.status is ItemStatus.completed
    )


def test_a_slipped_draft_is_flagged_and_replanned_from_today_keeping_what_is_done(
    client_as: Client, person: Callable[[str], object], db: Session, draft: Plan
) -> None:
    me = client_as(person(LEARNER))
    page = me.get("/me/plan").get_data(as_text=True)
    assert 'id="behind-schedule"' in page and 'id="replan-from-today"' in page
    kept = done_items(draft)
    answer = post(me, f"/me/plan/{draft.id}/replan", {}, "/me/plan")
    assert answer.status_code == 302
    db.expire_all()
    plan = db.get(Plan, draft.id)
    assert plan is not None and plan.status is PlanStatus.draft
    assert done_items(plan) == kept  # done items stay where they were
    open_items = [i for i in plan.items if i.status is not ItemStatus.completed]
    assert open_items and all(i.start_week >= WEEKS_AGO for i in open_items)
    assert 'id="behind-schedule"' not in me.get("/me/plan").get_data(as_text=True)


def test_an_approved_plan_gets_a_proposal_the_manager_accepts(
    client_as: Client, person: Callable[[str], object], db: Session, approved: Plan
) -> None:
    boss = client_as(person(MANAGER), "manager")
    assert 'id="behind-schedule"' in boss.get(f"/team/plans/{approved.id}").get_data(as_text=True)
    before = sorted((i.activity_id, i.start_week, i.status.value) for i in approved.items)
    post(boss, f"/team/plans/{approved.id}/replan", {}, "/me/plan")
    db.expire_all()
    held = db.get(Plan, approved.id)
    assert held is not None and held.status is PlanStatus.approved  # never silently replaced
    assert sorted((i.activity_id, i.start_week, i.status.value) for i in held.items) == before
    proposal = db.scalars(select(Plan).where(Plan.replaces_id == held.id)).one()
    assert proposal.status is PlanStatus.proposed and done_items(proposal) == done_items(held)
    queue = boss.get("/team/queue").get_data(as_text=True)
    assert f'data-plan-id="{proposal.id}" data-replaces="{held.id}"' in queue
    page = boss.get(f"/team/plans/{proposal.id}").get_data(as_text=True)
    assert 'id="accept-proposal"' in page and 'id="replaced-plan"' in page

    stale = post(boss, f"/team/plans/{proposal.id}/proposal",
                 {"action": "accept", "version": proposal.version + 5}, "/me/plan")  # fmt: skip
    assert stale.status_code == 409
    post(boss, f"/team/plans/{proposal.id}/proposal",
         {"action": "accept", "version": proposal.version}, "/me/plan")  # fmt: skip
    db.expire_all()
    assert db.get(Plan, proposal.id).status is PlanStatus.approved  # type: ignore[union-attr]
    assert db.get(Plan, held.id).status is PlanStatus.archived  # type: ignore[union-attr]
    kinds = {
        (e.plan_id, e.kind)
        for e in db.scalars(select(PlanEvent).where(PlanEvent.plan_id.in_([held.id, proposal.id])))
    }
    assert {(held.id, "superseded"), (proposal.id, "proposal_accepted")} <= kinds
    me = client_as(person(LEARNER)).get("/me/plan").get_data(as_text=True)
    assert f'data-plan-id="{proposal.id}"' in me and 'data-status="approved"' in me


def test_a_dismissed_proposal_leaves_the_approved_plan_alone(
    client_as: Client, person: Callable[[str], object], db: Session, approved: Plan
) -> None:
    learner = client_as(person(LEARNER))
    post(learner, f"/me/plan/{approved.id}/replan", {}, "/me/plan")  # the learner asks too
    proposal = db.scalars(select(Plan).where(Plan.replaces_id == approved.id)).one()
    boss = client_as(person(MANAGER), "manager")
    post(boss, f"/team/plans/{proposal.id}/proposal",
         {"action": "dismiss", "version": proposal.version}, "/me/plan")  # fmt: skip
    db.expire_all()
    assert db.get(Plan, proposal.id).status is PlanStatus.archived  # type: ignore[union-attr]
    assert db.get(Plan, approved.id).status is PlanStatus.approved  # type: ignore[union-attr]
    assert f'data-plan-id="{proposal.id}"' not in boss.get("/team/queue").get_data(as_text=True)


def test_the_team_overview_flags_a_person_whose_plan_is_behind(
    client_as: Client, person: Callable[[str], object], db: Session, draft: Plan
) -> None:
    boss = client_as(person(MANAGER), "manager")
    page = boss.get("/team/").get_data(as_text=True)
    row = page.split(f'<tr data-person="{draft.person_id}">', 1)[1].split("</tr>", 1)[0]
    assert 'class="badge late"' in row and "behind schedule" in row
    assert draft.starts_on is not None
    ends = [draft.starts_on + dt.timedelta(weeks=i.end_week) for i in draft.items
            if i.status is ItemStatus.planned]  # fmt: skip
    late = sum(1 for end in ends if end < dt.date.today())
    assert late >= 1
    assert f'data-behind="{late}"' in page and "item" in page
    for item in draft.items:  # all done: no flag any more
        item.status, item.completed_on = ItemStatus.completed, dt.date.today()
    db.commit()
    assert "behind schedule:" not in boss.get("/team/").get_data(as_text=True)


def section(page: str, marker: str) -> str:
    """The HTML of the <section> that starts with `marker`."""
    return page.split(marker, 1)[1].split("</section>", 1)[0]


def test_regenerating_an_approved_plan_keeps_it_in_effect_with_the_draft_alongside(
    client_as: Client, person: Callable[[str], object], db: Session, approved: Plan
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    post(me, "/me/plan/generate",
         {"target_role_id": learner.target_role_id, "hours_per_week": "6"}, "/me/plan")  # type: ignore[attr-defined]  # fmt: skip
    draft = db.scalars(select(Plan).where(Plan.person_id == approved.person_id,
                                          Plan.id != approved.id)).one()  # fmt: skip
    assert draft.status is PlanStatus.draft
    page = me.get("/me/plan").get_data(as_text=True)
    main = section(page, 'id="plan"')
    assert f'data-plan-id="{approved.id}"' in main and 'data-status="approved"' in main
    assert "Plan in effect" in main and 'id="submit-form"' not in main
    aside = section(page, 'id="alongside-plan"')
    assert f'data-plan-id="{draft.id}"' in aside and 'data-status="draft"' in aside
    assert "New version, not in effect yet" in aside
    assert f'action="/me/plan/{draft.id}/submit"' in aside

    post(me, f"/me/plan/{draft.id}/submit", {"version": draft.version}, "/me/plan")
    page = me.get("/me/plan").get_data(as_text=True)
    assert f'data-plan-id="{approved.id}"' in section(page, 'id="plan"')
    aside = section(page, 'id="alongside-plan"')
    assert 'data-status="submitted"' in aside and "Waiting for your manager" in aside


def test_a_pending_proposal_is_shown_alongside_the_approved_plan(
    client_as: Client, person: Callable[[str], object], db: Session, approved: Plan
) -> None:
    me = client_as(person(LEARNER))
    post(me, f"/me/plan/{approved.id}/replan", {}, "/me/plan")
    proposal = db.scalars(select(Plan).where(Plan.replaces_id == approved.id)).one()
    page = me.get("/me/plan").get_data(as_text=True)
    assert f'data-plan-id="{approved.id}"' in section(page, 'id="plan"')
    aside = section(page, 'id="alongside-plan"')
    assert f'data-plan-id="{proposal.id}"' in aside
    assert "Re-plan proposal, waiting for your manager" in aside
