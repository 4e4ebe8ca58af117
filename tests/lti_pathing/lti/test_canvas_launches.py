"""Launches shaped as Canvas sends them (decoded id_tokens built from canvas-lms's JwtMessage and
SubstitutionsHelper): a site admin, a sub-account admin, a TA, the Test Student."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.lti.identity import LaunchUser
from lti_pathing.models import CourseRoster, GradePassback, Lms, LmsIdentity, Person, Tenant
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform
from tests.lti_pathing.lti.test_launch import actor_of

FIXTURES = Path(__file__).parents[2] / "fixtures/canvas/lti"
DEPLOYMENT = "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
CANVAS_AUTH = "https://sso.canvaslms.com/api/lti/authorize_redirect"


def id_token(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((FIXTURES / f"id_token_{name}.json").read_text())[
        "payload"
    ]
    return payload


@pytest.fixture
def canvas(
    app: Flask, session: Session, tenant: Tenant, platform_key: PlatformKey
) -> LaunchingPlatform:
    """Canvas cloud registered with the tenant (its default admin roles: site admins only)."""
    issuer, client_id = "https://canvas.instructure.com", "10000000000001"
    register_platform(
        session, tenant, platform_key, issuer=issuer, client_id=client_id,
        deployment_ids=(DEPLOYMENT,), lms=Lms.canvas, auth_login_url=CANVAS_AUTH,
    )  # fmt: skip
    return LaunchingPlatform(app.test_client(), platform_key, issuer=issuer, client_id=client_id,
                             deployment_id=DEPLOYMENT)  # fmt: skip


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_site_admin_is_an_admin_and_no_grade_target(
    canvas: LaunchingPlatform, session: Session
) -> None:
    assert canvas.launch(base=id_token("site_admin")).status_code == 302
    actor = actor_of(canvas)
    assert actor is not None and "admin" in actor["roles"]
    assert count(session, GradePassback) == 0  # not a learner of the course
    assert count(session, CourseRoster) == 1  # the course offers its roster


def test_a_sub_account_admin_is_no_admin_and_offers_no_roster(
    canvas: LaunchingPlatform, session: Session
) -> None:
    assert canvas.launch(base=id_token("sub_account_admin")).status_code == 302
    actor = actor_of(canvas)
    assert actor is not None and "admin" not in actor["roles"]
    assert count(session, CourseRoster) == 0  # an account launch: no course, no NRPS claim


def test_a_ta_is_no_grade_target_and_found_by_sis_id_when_on(
    canvas: LaunchingPlatform, session: Session, tenant: Tenant
) -> None:
    ta = Person(tenant_id=tenant.id, external_id="5790.3390.12", name="Maya Ortiz (HR)")
    session.add(ta)
    tenant.match_sis_id = True
    session.flush()
    assert canvas.launch(base=id_token("ta")).status_code == 302
    actor = actor_of(canvas)
    assert actor is not None and actor["person_id"] == ta.id and "admin" not in actor["roles"]
    assert count(session, GradePassback) == 0
    identity = session.scalars(select(LmsIdentity).where(LmsIdentity.person_id == ta.id)).one()
    assert (identity.lms, identity.lms_user_id) == (Lms.canvas, "3")  # $Canvas.user.id


def test_the_test_student_records_nothing_and_has_no_sis_id(
    canvas: LaunchingPlatform, session: Session
) -> None:
    before = (count(session, Person), count(session, LmsIdentity), count(session, CourseRoster))
    response = canvas.launch(base=id_token("test_student"))
    assert response.status_code == 200 and 'id="student-view"' in response.text
    assert (
        count(session, Person),
        count(session, LmsIdentity),
        count(session, CourseRoster),
    ) == before
    # Canvas sends "$Person.sourcedId" itself for a user without one: no SIS id at all.
    assert LaunchUser.from_claims(id_token("test_student"), "10000000000001").sourcedid is None
