"""Admin grade books page: courses are off until set aside; refusals for good are shown and
can be lifted; setting a course aside queues its learners' passback."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import jobs
from lti_pathing.models import (
    Gradebook,
    GradePassback,
    Job,
    JobKind,
    LtiContext,
    Person,
    PlatformRegistration,
    Tenant,
)
from tests.lti_pathing.web.conftest import Browser

NOT_A_STUDENT = "HTTP 422: User not found in course or is not a student"


@pytest.fixture(autouse=True)
def queued_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs are only queued here (what runs them is tested in tests/lti_pathing/jobs)."""
    monkeypatch.setattr(jobs, "dispatch", lambda *args: None)


@pytest.fixture
def course(session: Session, tenant: Tenant) -> dict[str, Any]:
    """A course launched from course navigation, with one learner and one refused for good."""
    registration = PlatformRegistration(
        tenant_id=tenant.id, issuer="https://canvas.example.edu", client_id="10000000000042",
        auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
        auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
    )  # fmt: skip
    session.add(registration)
    session.flush()
    context = LtiContext(
        tenant_id=tenant.id, registration_id=registration.id, context_id="c-1",
        title="Biology 101", lineitems_url="https://canvas.example.edu/li",
    )  # fmt: skip
    ana = Person(tenant_id=tenant.id, external_id="E-ana", name="Ana Learner")
    bo = Person(tenant_id=tenant.id, external_id="E-bo", name="Bo Dropped")
    session.add_all([context, ana, bo])
    session.flush()
    session.add_all([
        GradePassback(tenant_id=tenant.id, context_id=context.id, person_id=ana.id, subject="a"),
        GradePassback(tenant_id=tenant.id, context_id=context.id, person_id=bo.id, subject="b",
                      error=NOT_A_STUDENT, refused_status=422),
    ])  # fmt: skip
    session.flush()
    return {"context": context, "people": sorted([ana.id, bo.id])}


def passbacks(session: Session) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.kind == JobKind.grade_passback)))


def test_a_course_is_off_until_set_aside_and_refusals_are_shown(
    admin: Browser, session: Session, course: dict[str, Any]
) -> None:
    context = course["context"]
    html = admin.get("/admin/gradebooks/").get_data(as_text=True)
    assert f'data-context="{context.id}" data-gradebook="none"' in html
    assert "nothing is sent" in html and f"Bo Dropped: {NOT_A_STUDENT}" in html
    assert admin.post(f"/admin/gradebooks/{context.id}", {"action": "set_aside"}).status_code == 302
    session.refresh(context)
    assert context.gradebook is Gradebook.course
    # Queued for both; the one refused for good stays skipped until the refusal is lifted.
    [job] = passbacks(session)
    assert job.params == {"person_ids": course["people"][:1]}


def test_lifting_refusals_sends_again_and_stopping_sends_nothing_more(
    admin: Browser, session: Session, course: dict[str, Any]
) -> None:
    context = course["context"]
    context.gradebook = Gradebook.course
    session.flush()
    assert (
        admin.post(f"/admin/gradebooks/{context.id}", {"action": "send_again"}).status_code == 302
    )
    refused = session.scalars(
        select(GradePassback).where(GradePassback.refused_status.is_not(None))
    )
    assert refused.all() == []
    assert [j.params["person_ids"] for j in passbacks(session)] == [course["people"]]
    assert admin.post(f"/admin/gradebooks/{context.id}", {"action": "stop"}).status_code == 302
    session.refresh(context)
    assert context.gradebook is Gradebook.none and len(passbacks(session)) == 1
    assert admin.post(f"/admin/gradebooks/{context.id}", {"action": "x"}).status_code == 422


def test_a_graded_link_s_course_is_shown_as_such_and_not_switched_here(
    admin: Browser, session: Session, course: dict[str, Any]
) -> None:
    context = course["context"]
    context.gradebook, context.lineitem_url = Gradebook.link, "https://canvas.example.edu/li/7"
    session.flush()
    html = admin.get("/admin/gradebooks/").get_data(as_text=True)
    assert "a graded link placed in the LMS" in html and "Set aside for plan progress" not in html
    refused = admin.post(f"/admin/gradebooks/{context.id}", {"action": "stop"})
    assert refused.status_code == 422
    assert "remove its grade column in the LMS" in refused.get_data(as_text=True)
    session.refresh(context)
    assert context.gradebook is Gradebook.link
