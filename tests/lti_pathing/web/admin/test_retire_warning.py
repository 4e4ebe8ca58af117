"""Retiring an activity that approved or submitted plans still hold asks first and names whose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import Activity, ItemStatus, Plan, PlanItem, PlanStatus, Tenant
from tests.lti_pathing.web.conftest import Browser


def _plan(session: Session, tenant: Tenant, ids: dict[str, Any], status: PlanStatus,
          item: ItemStatus = ItemStatus.planned) -> Plan:  # fmt: skip
    plan = Plan(tenant_id=tenant.id, person_id=ids["people"], status=status,
                target_role_id=ids["senior"])  # fmt: skip
    plan.items.append(PlanItem(tenant_id=tenant.id, activity_id=ids["activities"],
                               start_week=0, end_week=4, status=item))  # fmt: skip
    session.add(plan)
    session.flush()
    return plan


def test_retiring_an_activity_in_an_approved_plan_asks_first_naming_whose(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    _plan(session, tenant, ids, PlanStatus.approved)
    _plan(session, tenant, ids, PlanStatus.draft)  # a draft is re-planned anyway: not listed
    activity = session.get_one(Activity, ids["activities"])
    page = f"/admin/activities/{activity.id}"
    asked = admin.post(f"{page}/retire", {"version": str(activity.version)})
    assert asked.status_code == 409
    html = asked.get_data(as_text=True)
    assert 'id="retire-warning"' in html and "1 approved or submitted plan still has it" in html
    affected = html[html.index('id="affected-plans"') :]
    affected = affected[: affected.index("</ul>")]
    assert "Person a: approved plan towards Senior a" in affected
    assert f'href="/admin/people/{ids["people"]}"' in affected
    session.expire_all()
    assert session.get_one(Activity, activity.id).active is True  # nothing retired yet

    done = admin.post(f"{page}/retire", {"version": str(activity.version), "confirm": "yes"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get_one(Activity, activity.id).active is False
    shown = admin.get(page).get_data(as_text=True)
    assert "It stays in 1 plan until they are re-planned" in shown


def test_an_activity_no_held_plan_needs_any_more_retires_at_once(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    _plan(session, tenant, ids, PlanStatus.approved, ItemStatus.completed)  # done: not affected
    activity = session.get_one(Activity, ids["activities"])
    answer = admin.post(
        f"/admin/activities/{activity.id}/retire", {"version": str(activity.version)}
    )
    assert answer.status_code == 302
    session.expire_all()
    assert session.get_one(Activity, activity.id).active is False
