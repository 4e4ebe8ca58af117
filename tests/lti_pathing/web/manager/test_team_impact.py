"""The approval page's team impact, the team budget, and approving a cheaper alternative."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, PermissionDenied
from lti_pathing.models import Activity, Job, Person, Plan, PlanEvent, PlanStatus, Tenant
from lti_pathing.services.team_budget import TeamBudgetService, costs_by_year
from lti_pathing.services.team_impact import plan_cost
from tests.lti_pathing.web.journeys_fixtures import Larkspur, post

MANAGER, FELIX, DEV, OTHER_MANAGER = "E1004", "E1013", "E1040", "E1006"
Client = Callable[..., FlaskClient]


def submit(client_as: Client, db: Session, learner: Person, hours: str) -> Plan:
    """Generate and submit the learner's plan over HTTP."""
    me = client_as(learner)
    post(
        me, "/me/plan/generate", {"target_role_id": learner.target_role_id, "hours_per_week": hours}
    )
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version}, "/me/plan")
    db.refresh(plan)
    assert plan.status == PlanStatus.submitted
    return plan


@pytest.fixture
def two_plans(client_as: Client, person: Callable[[str], Person], db: Session) -> Plan:
    """Felix's and Dev's plans submitted (same manager); Dev's is returned."""
    submit(client_as, db, person(FELIX), "4")
    return submit(client_as, db, person(DEV), "4.5")


def test_the_approval_page_shows_hours_overlaps_seats_and_cost(
    client_as: Client, person: Callable[[str], Person], two_plans: Plan
) -> None:
    html = client_as(person(MANAGER), "manager").get(f"/team/plans/{two_plans.id}").get_data(True)
    total = sum(i.activity.hours_per_week * (i.end_week - i.start_week) for i in two_plans.items)
    assert f"<strong>{total:.2f} hours</strong>" in html
    overlap = re.search(r'id="overlap-weeks">(\d+) weeks?<', html)
    assert overlap and int(overlap.group(1)) > 0  # Felix is away learning in the same weeks
    assert "Felix Mensah (" in html  # named in the week-by-week table
    assert 'data-kind="seat"' in html  # job shadowing takes its only seat
    assert "none set" in html and 'id="no-budget"' in html


def test_a_budget_shows_what_is_left_and_when_the_plan_goes_over(
    client_as: Client, person: Callable[[str], Person], two_plans: Plan
) -> None:
    manager = client_as(person(MANAGER), "manager")
    year, cost = max(costs_by_year(two_plans).items(), key=lambda yc: yc[1])
    assert cost > 0
    for amount, left in ((cost + 100, "100.00"), (cost - 1, "-1.00 (over budget)")):
        form = {"year": str(year), "amount": str(amount), "currency": "eur"}
        assert post(manager, "/team/budget", form, "/team/").status_code == 302
        html = manager.get(f"/team/plans/{two_plans.id}").get_data(as_text=True)
        row = re.search(rf'<tr data-year="{year}">.*?</tr>', html, re.S)
        assert row and f"{amount:.2f} EUR" in row.group(0)
        assert left in row.group(0)
    team = manager.get("/team/").get_data(as_text=True)
    assert f'<li data-year="{year}">{year}: {cost - 1:.2f} EUR</li>' in team


def test_bad_budget_input_lists_every_problem_and_keeps_what_was_typed(
    client_as: Client, person: Callable[[str], Person], db: Session, larkspur: Larkspur
) -> None:
    manager = client_as(person(MANAGER), "manager")
    answer = post(manager, "/team/budget", {"year": "20x6", "amount": "-5", "currency": "euro"},
                  "/team/")  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Please correct 3 problems" in html
    assert 'value="20x6"' in html and 'value="-5"' in html
    tenant = db.get_one(Tenant, larkspur.tenant_id)
    assert TeamBudgetService(db, tenant).budgets(person(MANAGER).id) == []


def test_only_the_manager_or_an_admin_sets_a_team_budget(
    person: Callable[[str], Person], db: Session, larkspur: Larkspur
) -> None:
    budgets = TeamBudgetService(db, db.get_one(Tenant, larkspur.tenant_id))
    with pytest.raises(PermissionDenied):
        budgets.set(person(OTHER_MANAGER), person(MANAGER).id, "2027", "100")
    admin = person(OTHER_MANAGER)
    admin.is_admin = True
    assert budgets.set(admin, person(MANAGER).id, "2027", "100").amount == Decimal("100.00")
    assert budgets.set(admin, person(MANAGER).id, "2027", "250.5").amount == Decimal("250.50")
    with pytest.raises(Invalid) as caught:
        budgets.set(admin, person(MANAGER).id, "1999", "x", "E1")
    assert set(caught.value.errors) == {"year", "amount", "currency"}


def compare(manager: FlaskClient, plan: Plan) -> str:
    """Ask for the alternatives (the job runs inline) and return the page."""
    answer = post(manager, f"/team/plans/{plan.id}/alternatives", {}, f"/team/plans/{plan.id}")
    assert answer.status_code == 302
    return manager.get(f"/team/plans/{plan.id}").get_data(as_text=True)


def test_approving_the_cheapest_alternative_makes_it_the_approved_plan(
    client_as: Client, person: Callable[[str], Person], two_plans: Plan, db: Session
) -> None:
    manager = client_as(person(MANAGER), "manager")
    before = plan_cost(two_plans)
    html = compare(manager, two_plans)
    cheapest = re.search(r'id="variant-cheapest".*?data-cost="([\d.]+)"', html, re.S)
    assert cheapest and Decimal(cheapest.group(1)) < before
    job_id = re.search(r'name="job_id" value="(\d+)"', html)
    assert job_id
    answer = post(manager, f"/team/plans/{two_plans.id}/approve-variant",
                  {"variant": "cheapest", "version": two_plans.version, "job_id": job_id.group(1)},
                  f"/team/plans/{two_plans.id}")  # fmt: skip
    assert answer.status_code == 302
    db.expire_all()
    plan = db.get_one(Plan, two_plans.id)
    assert plan.status == PlanStatus.approved
    assert plan_cost(plan) == Decimal(cheapest.group(1))
    kinds = [e.kind for e in db.scalars(select(PlanEvent).where(PlanEvent.plan_id == plan.id))]
    assert kinds[-2:] == ["chose_cheapest_plan", "approved"]
    assert "chose cheapest plan" in manager.get(f"/team/plans/{plan.id}").get_data(as_text=True)


def test_an_alternative_that_no_longer_holds_is_refused_and_nothing_changes(
    client_as: Client, person: Callable[[str], Person], two_plans: Plan, db: Session
) -> None:
    manager = client_as(person(MANAGER), "manager")
    html = compare(manager, two_plans)
    job_id = re.search(r'name="job_id" value="(\d+)"', html)
    assert job_id
    items_before = [(i.activity_id, i.start_week) for i in two_plans.items]
    job = db.get_one(Job, int(job_id.group(1)))
    first = (job.result or {})["cheapest"]["planned"][0]["activity"]
    retired = db.scalars(select(Activity).where(Activity.external_id == first)).one()
    retired.active = False  # L&D retires an activity the alternative uses
    db.flush()
    answer = post(manager, f"/team/plans/{two_plans.id}/approve-variant",
                  {"variant": "cheapest", "version": two_plans.version, "job_id": job_id.group(1)},
                  f"/team/plans/{two_plans.id}")  # fmt: skip
    assert answer.status_code == 409
    assert "no longer holds" in answer.get_data(as_text=True)
    db.expire_all()
    plan = db.get_one(Plan, two_plans.id)
    assert plan.status == PlanStatus.submitted
    assert [(i.activity_id, i.start_week) for i in plan.items] == items_before


def test_an_admin_sets_a_managers_team_budget(
    client_as: Client, person: Callable[[str], Person]
) -> None:
    admin = client_as(person(OTHER_MANAGER), "admin")
    page = "/admin/budgets/"
    bad = post(admin, page, {"manager_id": str(person(FELIX).id), "year": "2027",
                             "amount": "x"}, page)  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "choose a manager from the list" in html and 'value="2027"' in html
    done = post(admin, page, {"manager_id": str(person(MANAGER).id), "year": "2027",
                              "amount": "12000", "currency": "GBP"}, page)  # fmt: skip
    assert done.status_code == 302
    assert "Ayesha Schmidt" in admin.get(page).get_data(as_text=True)
    team = client_as(person(MANAGER), "manager").get("/team/").get_data(as_text=True)
    assert '<li data-year="2027">2027: 12000.00 GBP</li>' in team
