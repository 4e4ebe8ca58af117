"""Manager pages: only reports are visible, concurrent decisions conflict, edits re-plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import CheckIn, ItemStatus, Person, Plan, PlanStatus, Tenant
from lti_pathing.services.grades import GradeService
from lti_pathing.services.progress import item_hours, plan_progress
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER, SKIP_LEVEL, OTHER_MANAGER = "E1013", "E1004", "E1002", "E1006"
OUTSIDER = "E1015"  # reports to E1006, not to E1004

Client = Callable[..., FlaskClient]


@pytest.fixture
def submitted(client_as: Client, person: Callable[[str], Person], db: Session) -> Plan:
    """The learner's plan, generated and submitted over HTTP."""
    learner = person(LEARNER)
    me = client_as(learner)
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id, "hours_per_week": "4"})
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version}, "/me/plan")
    db.refresh(plan)
    assert plan.status == PlanStatus.submitted
    return plan


def test_team_page_shows_a_heatmap_of_reports_only(
    client_as: Client, person: Callable[[str], Person]
) -> None:
    html = client_as(person(MANAGER), "manager").get("/team/").get_data(as_text=True)
    assert 'id="heatmap"' in html
    assert f'data-person="{person(LEARNER).id}"' in html
    assert f'data-person="{person(OUTSIDER).id}"' not in html


def test_a_manager_cannot_see_a_non_report(
    client_as: Client, person: Callable[[str], Person], submitted: Plan
) -> None:
    other = client_as(person(OTHER_MANAGER), "manager")
    assert other.get(f"/team/plans/{submitted.id}").status_code == 404
    assert other.get(f"/team/people/{person(LEARNER).id}").status_code == 404
    answer = post(other, f"/team/plans/{submitted.id}/decide",
                  {"action": "approve", "version": submitted.version}, "/me/plan")  # fmt: skip
    assert answer.status_code == 404
    assert f'data-plan-id="{submitted.id}"' not in other.get("/team/queue").get_data(as_text=True)


def test_two_managers_deciding_at_once_the_second_gets_a_conflict(
    client_as: Client, person: Callable[[str], Person], submitted: Plan, db: Session
) -> None:
    first = client_as(person(MANAGER), "manager")
    second = client_as(person(SKIP_LEVEL), "manager")
    seen = submitted.version  # both loaded the page at this version
    assert f'data-version="{seen}"' in first.get(f"/team/plans/{submitted.id}").get_data(
        as_text=True
    )
    assert f'data-version="{seen}"' in second.get(f"/team/plans/{submitted.id}").get_data(
        as_text=True
    )
    ok = post(first, f"/team/plans/{submitted.id}/decide",
              {"action": "approve", "version": seen}, "/me/plan")  # fmt: skip
    assert ok.status_code == 302
    late = post(second, f"/team/plans/{submitted.id}/decide",
                {"action": "reject", "version": seen, "comment": "No"}, "/me/plan")  # fmt: skip
    assert late.status_code == 409
    assert "changed by someone else" in late.get_data(as_text=True)
    db.refresh(submitted)
    assert submitted.status == PlanStatus.approved


def test_rejecting_needs_a_comment(
    client_as: Client, person: Callable[[str], Person], submitted: Plan, db: Session
) -> None:
    boss = client_as(person(MANAGER), "manager")
    data = {"action": "reject", "version": submitted.version, "comment": " "}
    answer = post(boss, f"/team/plans/{submitted.id}/decide", data, "/me/plan")
    assert answer.status_code == 422
    db.refresh(submitted)
    assert submitted.status == PlanStatus.submitted


def test_dropping_an_item_re_plans_and_goes_back_to_the_learner(
    client_as: Client, person: Callable[[str], Person], submitted: Plan, db: Session
) -> None:
    dropped = submitted.items[0].activity_id
    boss = client_as(person(MANAGER), "manager")
    answer = post(boss, f"/team/plans/{submitted.id}/edit", {
        "change": "drop", "activity_id": dropped, "week": 0, "version": submitted.version,
        "comment": "Not this one",
    }, "/me/plan")  # fmt: skip
    assert answer.status_code == 302
    db.expire_all()
    plan = db.get_one(Plan, submitted.id)
    assert plan.status == PlanStatus.changes_requested
    assert dropped not in {i.activity_id for i in plan.items}
    html = boss.get(f"/team/plans/{plan.id}").get_data(as_text=True)
    assert 'data-kind="changes_requested"' in html and 'data-kind="regenerated"' in html
    assert "Not this one" in html
    learner_page = client_as(plan.person).get("/me/plan").get_data(as_text=True)
    assert 'id="submit-plan"' in learner_page and "Not this one" in learner_page


def test_pinning_an_item_keeps_it_at_that_week(
    client_as: Client, person: Callable[[str], Person], submitted: Plan, db: Session
) -> None:
    activity_id, week = submitted.items[0].activity_id, submitted.items[0].start_week + 2
    boss = client_as(person(MANAGER), "manager")
    post(boss, f"/team/plans/{submitted.id}/edit", {
        "change": "pin", "activity_id": activity_id, "week": week + 1,  # the form counts from 1
        "version": submitted.version,
    }, "/me/plan")  # fmt: skip
    db.expire_all()
    plan = db.get_one(Plan, submitted.id)
    pinned = [i for i in plan.items if i.activity_id == activity_id]
    assert pinned and pinned[0].pinned and pinned[0].start_week == week


def test_quarterly_check_in_is_scheduled_and_recorded(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    boss = client_as(person(MANAGER), "manager")
    page = f"/team/people/{learner.id}"
    assert post(boss, f"{page}/checkins", {"scheduled_on": ""}, page).status_code == 302
    made = db.scalars(select(CheckIn).where(CheckIn.person_id == learner.id)).one()
    answer = post(boss, f"/team/checkins/{made.id}", {
        "version": made.version, "held_on": "", "notes": "<b>Going well</b>", "next_steps": "Pair",
    }, page)  # fmt: skip
    assert answer.status_code == 302
    html = boss.get(page).get_data(as_text=True)
    assert "&lt;b&gt;Going well&lt;/b&gt;" in html and "<b>Going well" not in html
    db.expire_all()
    rows = db.scalars(select(CheckIn).where(CheckIn.person_id == learner.id)).all()
    assert sorted(c.held_on is None for c in rows) == [False, True]  # the next one is booked
    outsider = person(OUTSIDER)
    denied = post(boss, f"/team/people/{outsider.id}/checkins", {"scheduled_on": ""}, page)
    assert denied.status_code == 404


def test_an_edit_naming_an_unknown_activity_changes_nothing(
    client_as: Client, person: Callable[[str], Person], submitted: Plan, db: Session
) -> None:
    boss = client_as(person(MANAGER), "manager")
    answer = post(boss, f"/team/plans/{submitted.id}/edit", {
        "change": "add", "activity_id": 999999, "week": 1, "version": submitted.version,
    }, "/me/plan")  # fmt: skip
    assert answer.status_code == 404
    db.refresh(submitted)
    assert submitted.status == PlanStatus.submitted


def test_one_progress_figure_on_the_plan_page_the_team_view_and_the_grade_book(
    client_as: Client, person: Callable[[str], Person], submitted: Plan, db: Session
) -> None:
    learner = person(LEARNER)
    live = [i for i in submitted.items if i.status != ItemStatus.dropped]
    assert len(live) >= 2
    # The smallest item done: a count of items would overstate it, planned hours do not.
    smallest = min(live, key=item_hours)
    smallest.status = ItemStatus.completed
    db.flush()
    progress = plan_progress(submitted)
    assert progress.percent < int(100 / len(live))
    plan_page = client_as(learner).get("/me/plan").get_data(as_text=True)
    assert f'id="progress-percent">{progress.percent} % of planned hours done' in plan_page
    team = client_as(person(MANAGER), "manager").get("/team/").get_data(as_text=True)
    assert f"plan: {progress.percent} % of planned hours done" in team
    assert "% of required levels met" in team  # role fit, named for what it is
    _plan, score = GradeService(db, db.get_one(Tenant, learner.tenant_id)).score_for(learner.id)
    assert score is not None and int(score) == progress.percent
    submitted.status = PlanStatus.approved  # a check-in snapshots the approved plan
    db.flush()
    boss, page = client_as(person(MANAGER), "manager"), f"/team/people/{learner.id}"
    assert post(boss, f"{page}/checkins", {"scheduled_on": ""}, page).status_code == 302
    held = db.scalars(select(CheckIn).where(CheckIn.person_id == learner.id)).one()
    form = {"version": held.version, "held_on": "", "notes": "", "next_steps": ""}
    assert post(boss, f"/team/checkins/{held.id}", form, page).status_code == 302
    snapshot = f"{progress.percent} % of planned hours done, 1 of {len(live)} items"
    assert snapshot in boss.get(page).get_data(as_text=True)


def test_the_behind_schedule_legend_shows_only_when_someone_is_behind(
    client_as: Client, person: Callable[[str], Person], submitted: Plan
) -> None:
    html = client_as(person(MANAGER), "manager").get("/team/").get_data(as_text=True)
    assert 'data-behind="' not in html  # a fresh plan: nobody is behind
    assert 'id="behind-legend"' not in html
