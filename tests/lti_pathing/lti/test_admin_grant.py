"""Who becomes a tool admin at launch: the registration's allowlist, or the person's flag."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.lti.platforms import PlatformService
from lti_pathing.models import Lms, Person
from tests.lti_pathing.lti import lms_role_sets as real
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform
from tests.lti_pathing.lti.test_launch import actor_of

CANVAS_CLAIMS = {
    "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {
        "product_family_code": "canvas", "name": "Canvas"},
}  # fmt: skip


def _platform(app: Flask, session: Session, tenant: Any, lms: Lms | None) -> LaunchingPlatform:
    key = PlatformKey.generate()
    register_platform(session, tenant, key, lms=lms)
    return LaunchingPlatform(app.test_client(), key)


def _roles(platform: LaunchingPlatform, roles: list[str], **claims: Any) -> list[str]:
    response = platform.launch(roles=roles, **claims)
    assert response.status_code == 302, response.text
    actor = actor_of(platform)
    assert actor is not None
    return list(actor["roles"])


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        pytest.param(real.MOODLE_SITE_ADMIN, ["admin", "learner"], id="site admin"),
        pytest.param(real.MOODLE_TEACHER, ["learner"], id="teacher"),
        pytest.param(real.MOODLE_STUDENT, ["learner"], id="student"),
    ],
)
def test_a_moodle_site_admin_is_admin_out_of_the_box(
    app: Flask, session: Session, tenant: Any, roles: list[str], expected: list[str]
) -> None:
    platform = _platform(app, session, tenant, Lms.moodle)
    assert _roles(platform, roles) == expected


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        pytest.param(real.CANVAS_SUB_ACCOUNT_ADMIN, ["learner"], id="sub-account admin"),
        pytest.param(real.CANVAS_SITE_ADMIN, ["admin", "learner"], id="site admin"),
        pytest.param(real.CANVAS_TEACHER, ["learner"], id="teacher"),
        pytest.param(real.CANVAS_TA, ["learner"], id="TA"),
        pytest.param(real.CANVAS_STUDENT, ["learner"], id="student"),
    ],
)
def test_a_canvas_account_role_is_not_admin_by_default(
    app: Flask, session: Session, tenant: Any, roles: list[str], expected: list[str]
) -> None:
    platform = _platform(app, session, tenant, Lms.canvas)
    assert _roles(platform, roles, **CANVAS_CLAIMS) == expected


def test_a_tenant_can_allowlist_canvas_account_admins(
    app: Flask, session: Session, tenant: Any
) -> None:
    platform = _platform(app, session, tenant, Lms.canvas)
    service = PlatformService(session, tenant)
    service.set_admin_roles(service.list_platforms()[0], [real.INST_ADMIN])

    roles = real.CANVAS_SUB_ACCOUNT_ADMIN_AS_STUDENT  # a course role does not mask it
    assert _roles(platform, roles, **CANVAS_CLAIMS) == ["admin", "learner"]


def test_a_person_marked_admin_in_the_tool_is_admin_with_any_lms_role(
    app: Flask, session: Session, tenant: Any
) -> None:
    platform = _platform(app, session, tenant, Lms.canvas)
    assert _roles(platform, real.CANVAS_STUDENT, **CANVAS_CLAIMS) == ["learner"]
    actor = actor_of(platform)
    assert actor is not None
    person = session.get_one(Person, actor["person_id"])
    person.is_admin = True
    session.flush()

    assert _roles(platform, real.CANVAS_STUDENT, **CANVAS_CLAIMS) == ["admin", "learner"]
    assert _roles(platform, [], **CANVAS_CLAIMS) == ["admin", "learner"]


def test_a_registration_without_product_allowlists_the_system_administrator(
    app: Flask, session: Session, tenant: Any
) -> None:
    platform = _platform(app, session, tenant, None)
    assert _roles(platform, real.MOODLE_SITE_ADMIN) == ["admin", "learner"]
    assert _roles(platform, real.CANVAS_SUB_ACCOUNT_ADMIN) == ["learner"]
    assert _roles(platform, ["Administrator"]) == ["learner"]  # a course role only


def test_an_lms_role_taken_off_the_allowlist_stops_granting_admin_at_once(
    app: Flask, session: Session, tenant: Any
) -> None:
    platform = _platform(app, session, tenant, Lms.moodle)
    assert _roles(platform, real.MOODLE_SITE_ADMIN) == ["admin", "learner"]
    assert platform.client.get("/admin/").status_code == 200
    service = PlatformService(session, tenant)
    registration = service.list_platforms()[0]
    service.set_admin_roles(registration, [])
    session.flush()
    assert platform.client.get("/admin/").status_code == 403  # no relaunch needed
    service.set_admin_roles(registration, [real.SYS_ADMIN])
    session.flush()
    assert platform.client.get("/admin/").status_code == 200
    registration.active = False  # launches through it are refused; so is its grant
    session.flush()
    assert platform.client.get("/admin/").status_code == 403


def test_a_relaunch_picks_up_a_role_allowlisted_since(
    app: Flask, session: Session, tenant: Any
) -> None:
    platform = _platform(app, session, tenant, Lms.canvas)
    assert _roles(platform, real.CANVAS_SUB_ACCOUNT_ADMIN, **CANVAS_CLAIMS) == ["learner"]
    service = PlatformService(session, tenant)
    service.set_admin_roles(service.list_platforms()[0], [real.INST_ADMIN])
    session.flush()
    assert platform.client.get("/admin/").status_code == 403  # the session kept no such role
    assert _roles(platform, real.CANVAS_SUB_ACCOUNT_ADMIN, **CANVAS_CLAIMS) == ["admin", "learner"]
    assert platform.client.get("/admin/").status_code == 200
