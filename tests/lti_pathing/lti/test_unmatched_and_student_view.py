"""Launches that must not create people: Canvas's Student View, and unknown users by policy."""

from __future__ import annotations

from html import unescape
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.models import LmsIdentity, Person, PlatformDeployment, UnmatchedLaunch
from lti_pathing.services.access import AccessService
from tests.lti_pathing.lti import lms_role_sets as real
from tests.lti_pathing.lti.launching import LaunchingPlatform
from tests.lti_pathing.lti.test_launch import actor_of


def _rows(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Person, LmsIdentity, PlatformDeployment)
    )


def test_canvas_student_view_gets_a_page_and_records_nothing(
    platform: LaunchingPlatform, session: Session
) -> None:
    assert platform.launch().status_code == 302  # a real learner was signed in here before
    before = _rows(session)

    response = platform.launch(roles=real.CANVAS_TEST_STUDENT, sub="test-student-1",
                               deployment_id="7:new-course")  # fmt: skip

    assert response.status_code == 200
    assert "lti-pathing in Student View" in response.text
    assert "nothing was recorded" in response.text
    assert actor_of(platform) is None  # not the learner who used this browser before
    assert _rows(session) == before


def test_an_unknown_user_becomes_a_person_by_default(
    platform: LaunchingPlatform, session: Session
) -> None:
    before = _rows(session)
    assert platform.launch(sub="501", name="New Person").status_code == 302
    assert _rows(session)[:2] == (before[0] + 1, before[1] + 1)


def test_a_tenant_that_refuses_unknown_users_names_whom_to_ask(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    assert platform.launch(sub="3").status_code == 302  # someone known, in this browser
    AccessService(session, tenant).set_unmatched_launch(
        UnmatchedLaunch.refuse, "the L&D team (learning@example.org)"
    )
    assert platform.launch(sub="3").status_code == 302  # people the tool knows still get in
    known = _rows(session)

    response = platform.launch(sub="501", name="Admin User")

    assert response.status_code == 403
    text = unescape(response.text)
    assert "lti-pathing does not know you yet (Admin User)" in text
    assert "ask the L&D team (learning@example.org) to add you" in text
    assert "Moodle user id: 501" in text and "LTI subject: 501" in text
    assert actor_of(platform) is None
    assert _rows(session) == known


def test_a_refused_user_linked_by_an_admin_gets_in_as_that_person(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    from lti_pathing.services.identities import IdentityService

    AccessService(session, tenant).set_unmatched_launch(UnmatchedLaunch.refuse, "Lin")
    assert platform.launch(sub="501").status_code == 403
    person = Person(tenant_id=tenant.id, external_id="E-501", name="Pat (HR record)")
    session.add(person)
    session.flush()
    IdentityService(session, tenant).set_imported(person.id, {"moodle_user_id": "501"})

    assert platform.launch(sub="501").status_code == 302
    actor = actor_of(platform)
    assert actor is not None and actor["person_id"] == person.id
