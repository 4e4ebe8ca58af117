"""Form errors, one behaviour everywhere: the same page, a summary on top, errors by field."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Plan
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER = "E1013", "E1004"


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary" id="error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return found.group(0)


def _tied(html: str, field_id: str) -> None:
    """The field is marked invalid and described by its message; the summary links to it."""
    tag = re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', html)
    assert tag, f"no field {field_id}"
    assert 'aria-invalid="true"' in tag.group(0)
    assert f'aria-describedby="{field_id}-error"' in tag.group(0)
    assert f'id="{field_id}-error"' in html
    assert f'href="#{field_id}"' in _summary(html)


def _submitted_plan(me: FlaskClient, db: Session, learner: Person) -> Plan:
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id,
                                   "hours_per_week": "4"})  # fmt: skip
    db.expire_all()
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version})
    db.expire_all()
    return db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()


def test_rejecting_without_a_comment_shows_the_plan_page_again_with_the_error(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    plan = _submitted_plan(client_as(learner), db, learner)
    boss = client_as(person(MANAGER), "manager")
    for action in ("reject", "request_changes"):
        answer = post(boss, f"/team/plans/{plan.id}/decide",
                      {"action": action, "version": plan.version, "comment": "  "},
                      f"/team/plans/{plan.id}")  # fmt: skip
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422
        assert 'id="menu"' in html and 'id="decision-form"' in html  # the page, not a bare one
        assert "['" not in html  # no raw Python list
        assert "Comment: say what should change, or why" in _summary(html)
        assert html.index('id="error-summary"') < html.index('id="plan-timeline"')
        _tied(html, "decision-comment")


def test_a_refused_edit_keeps_what_the_manager_typed(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    plan = _submitted_plan(client_as(learner), db, learner)
    activity = plan.items[0].activity_id
    boss = client_as(person(MANAGER), "manager")
    answer = post(boss, f"/team/plans/{plan.id}/edit",
                  {"change": "add", "activity_id": activity, "week": "-4",
                   "comment": "Earlier, please", "version": plan.version},
                  f"/team/plans/{plan.id}")  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'aria-describedby="edit-week-hint edit-week-error"' in html
    assert 'value="-4"' in html and ">Earlier, please</textarea>" in html
    assert '<option value="add" selected>' in html


def test_bad_plan_settings_are_summarised_first_and_the_input_kept(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    _submitted_plan(me, db, learner)
    answer = post(me, "/me/plan/generate", {
        "target_role_id": learner.target_role_id, "hours_per_week": "5",
        "blackout": "2026-02-30", "budget": "-5",
    })  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert html.index('id="error-summary"') < html.index('id="plan-heading"')
    _tied(html, "budget")
    _tied(html, "blackout")
    assert 'value="-5"' in html and 'value="2026-02-30"' in html and 'value="5"' in html


def test_a_self_assessment_out_of_range_and_an_empty_comment_stay_on_their_pages(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    skill = learner.current_role.skills[0].skill  # a skill with five levels
    answer = post(me, "/me/assessment", {"skill_id": skill.id, "level": "7", "note": "mine"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="assessment-form"' in html
    _tied(html, "assess-level-0")  # the first choice of the level group
    assert f"{skill.name} is measured from 0 to 5" in _summary(html)
    assert f'name="skill_id" value="{skill.id}"' in html and ">mine</textarea>" in html
    assert f"My level in {skill.name}" in html  # the same skill's levels are offered again

    plan = _submitted_plan(me, db, learner)
    answer = post(me, f"/me/plan/{plan.id}/comment", {"comment": ""})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="plan-settings"' in html
    _tied(html, "comment")
