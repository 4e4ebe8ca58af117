"""The LMS's SIS user id (`lis.person_sourcedid`) finds people by employee id, when the tenant
says its LMS's SIS ids are its employee ids; never otherwise."""

from __future__ import annotations

from html import unescape

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.models import LmsIdentity, Person, Tenant, UnmatchedLaunch
from tests.lti_pathing.lti.launching import CLAIM, MOODLE_CLAIMS, LaunchingPlatform
from tests.lti_pathing.lti.test_launch import actor_of

SIS_ID = MOODLE_CLAIMS[CLAIM + "lis"]["person_sourcedid"]  # "S1", as Moodle 4.5 sent it


def _employee(session: Session, tenant: Tenant, active: bool = True) -> Person:
    person = Person(tenant_id=tenant.id, external_id=SIS_ID, name="Stu One (HR record)",
                    active=active)  # fmt: skip
    session.add(person)
    session.flush()
    return person


def test_without_the_setting_the_sis_id_finds_nobody(
    platform: LaunchingPlatform, session: Session, tenant: Tenant
) -> None:
    employee = _employee(session, tenant)
    assert platform.launch().status_code == 302
    actor = actor_of(platform)
    assert actor is not None and actor["person_id"] != employee.id  # a new person (policy)


def test_with_the_setting_the_sis_id_finds_the_employee_and_links_them(
    platform: LaunchingPlatform, session: Session, tenant: Tenant
) -> None:
    employee = _employee(session, tenant)
    tenant.unmatched_launch, tenant.access_contact = UnmatchedLaunch.refuse, "HR"
    tenant.match_sis_id = True
    session.flush()
    assert platform.launch().status_code == 302
    actor = actor_of(platform)
    assert actor is not None and actor["person_id"] == employee.id
    linked = select(LmsIdentity.subject).where(LmsIdentity.person_id == employee.id)
    assert list(session.scalars(linked)) == [MOODLE_CLAIMS["sub"]]  # found at once next time


def test_a_retired_employee_is_refused_not_duplicated(
    platform: LaunchingPlatform, session: Session, tenant: Tenant
) -> None:
    _employee(session, tenant, active=False)
    tenant.match_sis_id = True
    session.flush()
    response = platform.launch()
    assert response.status_code == 403 and "record is retired" in unescape(response.text)


def test_a_launch_without_a_sis_id_is_not_matched_by_an_empty_one(
    platform: LaunchingPlatform, session: Session, tenant: Tenant
) -> None:
    employee = _employee(session, tenant)
    tenant.match_sis_id = True
    session.flush()
    assert platform.launch(lis=None).status_code == 302
    actor = actor_of(platform)
    assert actor is not None and actor["person_id"] != employee.id


def test_the_setting_from_the_command_line(app: Flask, session: Session, tenant: Tenant) -> None:
    runner = app.test_cli_runner()
    done = runner.invoke(main, ["access", "sis-id", "on", "--tenant", "acme"])
    assert done.exit_code == 0 and "find people whose employee id it is" in done.output
    session.refresh(tenant)
    assert tenant.match_sis_id
    runner.invoke(main, ["access", "sis-id", "off", "--tenant", "acme"])
    session.refresh(tenant)
    assert not tenant.match_sis_id
