"""Batch decisions, delegation while on leave, and escalation of plans that wait too long."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Plan, PlanEvent, PlanStatus
from tests.lti_pathing.web.journeys_fixtures import post
from tests.lti_pathing.web.manager.test_team_impact import (
    DEV,
    FELIX,
    MANAGER,
    OTHER_MANAGER,
    submit,
)

Client = Callable[..., FlaskClient]
NOBODYS_MANAGER = "E1022"  # Jamal Costa: a report, with no reports of his own


@pytest.fixture
def pending(client_as: Client, person: Callable[[str], Person], db: Session) -> list[Plan]:
    """Felix's and Dev's plans, submitted to their manager."""
    return [submit(client_as, db, person(FELIX), "4"), submit(client_as, db, person(DEV), "4.5")]


def batch(client: FlaskClient, action: str, plans: list[Plan], comments: dict[int, str]) -> Any:
    form = {"action": action}
    for plan in plans:
        form |= {f"pick-{plan.id}": "1", f"version-{plan.id}": str(plan.version),
                 f"comment-{plan.id}": comments.get(plan.id, "")}  # fmt: skip
    return post(client, "/team/queue/decide", form, "/team/queue")


def statuses(db: Session, plans: list[Plan]) -> list[PlanStatus]:
    db.expire_all()
    return [db.get_one(Plan, p.id).status for p in plans]


def test_a_manager_approves_several_plans_at_once(
    client_as: Client, person: Callable[[str], Person], db: Session, pending: list[Plan]
) -> None:
    manager = client_as(person(MANAGER), "manager")
    queue = manager.get("/team/queue").get_data(as_text=True)
    assert all(f'id="pick-{p.id}"' in queue for p in pending)
    answer = batch(manager, "approve", pending, {})
    assert answer.status_code == 302
    assert statuses(db, pending) == [PlanStatus.approved, PlanStatus.approved]
    page = manager.get("/team/queue").get_data(as_text=True)
    assert "2 plans approved: Felix Mensah, Dev Asante." in page


def test_rejecting_several_needs_a_comment_on_each_and_decides_none_without(
    client_as: Client, person: Callable[[str], Person], db: Session, pending: list[Plan]
) -> None:
    manager = client_as(person(MANAGER), "manager")
    felix, dev = pending
    answer = batch(manager, "reject", pending, {felix.id: "Too many certificates this year"})
    html = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert statuses(db, pending) == [PlanStatus.submitted, PlanStatus.submitted]
    assert "Comment on Dev Asante's plan: say what should change, or why" in html
    field = f'id="comment-{dev.id}" name="comment-{dev.id}" rows="2" maxlength="4000"'
    assert f'{field} aria-invalid="true"' in html
    assert "Too many certificates this year</textarea>" in html  # what was typed stays
    assert f'name="pick-{felix.id}" value="1" checked' in html
    answer = batch(manager, "reject", pending, {felix.id: "Too many", dev.id: "Start later"})
    assert statuses(db, pending) == [PlanStatus.rejected, PlanStatus.rejected]


def test_a_delegate_decides_while_the_manager_is_away_recorded_as_by_them_for_the_manager(
    client_as: Client, person: Callable[[str], Person], db: Session, pending: list[Plan]
) -> None:
    felix, _ = pending
    stand_in = client_as(person(NOBODYS_MANAGER))
    assert stand_in.get("/team/queue").status_code == 403  # not a manager of anyone
    manager = client_as(person(MANAGER), "manager")
    today = dt.date.today()
    answer = post(manager, "/team/delegation",
                  {"delegate_id": str(person(NOBODYS_MANAGER).id), "starts_on": today.isoformat(),
                   "ends_on": (today + dt.timedelta(days=14)).isoformat()}, "/team/")  # fmt: skip
    assert answer.status_code == 302
    queue = stand_in.get("/team/queue").get_data(as_text=True)
    assert f'data-for="{person(MANAGER).id}">for Ayesha Schmidt' in queue
    answer = post(stand_in, f"/team/plans/{felix.id}/decide",
                  {"action": "approve", "version": felix.version}, "/team/queue")  # fmt: skip
    assert answer.status_code == 302
    event = db.scalars(select(PlanEvent).where(PlanEvent.plan_id == felix.id,
                                               PlanEvent.kind == "approved")).one()  # fmt: skip
    assert event.actor_id == person(NOBODYS_MANAGER).id
    assert event.data["for"] == person(MANAGER).id
    page = manager.get(f"/team/plans/{felix.id}").get_data(as_text=True)
    assert "<strong>Jamal Costa</strong> for <strong>Ayesha Schmidt</strong> approved" in page
    delegation = re.search(r'data-delegation="(\d+)"', manager.get("/team/").get_data(True))
    assert delegation
    post(manager, f"/team/delegation/{delegation.group(1)}/end", {}, "/team/")
    assert stand_in.get(f"/team/plans/{felix.id}").status_code in (403, 404)


def test_a_delegation_with_bad_input_lists_every_problem(
    client_as: Client, person: Callable[[str], Person]
) -> None:
    manager = client_as(person(MANAGER), "manager")
    answer = post(manager, "/team/delegation",
                  {"delegate_id": str(person(MANAGER).id), "starts_on": "2027-02-10",
                   "ends_on": "2027-02-01"}, "/team/")  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "choose someone else than yourself" in html and "on or after the first day" in html
    assert 'value="2027-02-10"' in html


def test_a_plan_waiting_past_the_limit_is_escalated_to_l_and_d(
    client_as: Client, person: Callable[[str], Person], db: Session, pending: list[Plan]
) -> None:
    felix, dev = pending
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    db.execute(update(PlanEvent).where(PlanEvent.plan_id == felix.id,
                                       PlanEvent.kind == "submitted").values(at=old))  # fmt: skip
    admin = client_as(person(OTHER_MANAGER), "admin")
    page = admin.get("/admin/escalations/").get_data(as_text=True)
    assert "Escalation is off." in page
    bad = post(
        admin, "/admin/escalations/limit", {"approval_limit_days": "0"}, "/admin/escalations/"
    )
    assert bad.status_code == 422 and "1 to 365" in bad.get_data(as_text=True)
    post(admin, "/admin/escalations/limit", {"approval_limit_days": "3"}, "/admin/escalations/")
    page = admin.get("/admin/escalations/").get_data(as_text=True)
    assert f'data-plan="{felix.id}"' in page and f'data-plan="{dev.id}"' not in page
    row = page.split(f'data-plan="{felix.id}"')[1].split("</tr>")[0]
    assert "5 days" in row and "Ayesha Schmidt" in row
    manager = client_as(person(MANAGER), "manager")
    assert manager.get("/admin/escalations/").status_code == 403
