"""A manager's assessment (AssessmentService) is the trusted evidence the planner starts from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import Person, Role, Tenant
from lti_pathing.services.assessments import AssessmentService
from lti_pathing.services.planning import PlanningService, PlanSettings
from tests.lti_pathing.services.planning.conftest import TODAY, clock

AISHA, KENJI, OUTSIDER = "E1011", "E1029", "E1015"


@pytest.fixture
def assessments(work: Session, larkspur: Tenant) -> AssessmentService:
    return AssessmentService(work, larkspur, clock)


def test_the_planner_starts_from_the_managers_level_not_a_newer_self_assessment(
    assessments: AssessmentService,
    planning: PlanningService,
    person: Callable[[str], Person],
    add_evidence: Callable[..., object],
    work: Session,
) -> None:
    kenji, aisha = person(KENJI), person(AISHA)
    needed = max(work.get_one(Role, kenji.target_role_id).skills, key=lambda rs: rs.level)
    skill = needed.skill
    assessments.assess(aisha.id, kenji.id, skill.id, 1, TODAY - dt.timedelta(days=30), "seen")
    add_evidence(kenji, skill.external_id, skill.max_level, "self", TODAY)  # newer, less trusted
    subject = planning.subject(kenji.id, PlanSettings())
    built = planning.build([subject], planning.calendar(PlanSettings()), 2, False)
    assert built.data["learners"][0]["levels"][skill.external_id] == 1
    row = next(r for r in assessments.sheet(aisha.id, kenji.id) if r.skill.id == skill.id)
    assert row.level == 1 and row.mine and row.needed_next == needed.level


def test_an_assessment_outside_the_scale_or_the_team_is_refused(
    assessments: AssessmentService, person: Callable[[str], Person], work: Session
) -> None:
    kenji, aisha = person(KENJI), person(AISHA)
    skill = work.get_one(Role, kenji.target_role_id).skills[0].skill
    with pytest.raises(Invalid) as refused:
        assessments.assess(aisha.id, kenji.id, skill.id, skill.max_level + 1, None)
    assert "level" in (refused.value.errors or {})
    with pytest.raises(Invalid):
        assessments.assess(aisha.id, kenji.id, skill.id, 1, TODAY - dt.timedelta(days=2000))
    with pytest.raises(NotFound):
        assessments.assess(aisha.id, person(OUTSIDER).id, skill.id, 1, None)
