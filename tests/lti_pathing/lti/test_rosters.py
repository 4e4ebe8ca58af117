"""Course rosters read over NRPS (Canvas's pages, from canvas-lms) and matched to people."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.lti.identity import LaunchIdentityService, LaunchUser
from lti_pathing.lti.nrps import member
from lti_pathing.lti.rosters import RosterService, read_roster
from lti_pathing.models import CourseRoster, Lms, LmsIdentity, Person, Tenant
from tests.lti_pathing.lti.conftest import NRPS, PlatformServices
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform

CANVAS = Path(__file__).parents[2] / "fixtures/canvas/lti"
PAGE1, PAGE2 = (json.loads((CANVAS / f"nrps_page{n}.json").read_text()) for n in (1, 2))
RLID = PAGE1["context"]["id"]
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CANVAS_PLATFORM = {"guid": "larkspur", "name": "Larkspur", "product_family_code": "canvas"}
SIENNA, TERRENCE, MAYA = (m["user_id"] for m in [*PAGE1["members"], *PAGE2["members"]])
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _link(path: str, **rels: str) -> str:
    """A Link header as Canvas's Api.jsonapi_paginate writes it (current, next, prev, first,
    last)."""
    return ",".join(f'<{path}{query}>; rel="{rel}"' for rel, query in rels.items())


@pytest.fixture
def canvas_course(
    app: Flask,
    session: Session,
    tenant: Tenant,
    platform_key: PlatformKey,
    platform_services: PlatformServices,
) -> CourseRoster:
    """A Canvas course of two NRPS pages, recorded by a launch from it (rlid: its link)."""
    register_platform(session, tenant, platform_key, client_id="canvas-1",
                      auth_token_url=platform_services.url + "/token")  # fmt: skip
    path = "/api/lti/courses/88/names_and_roles"
    url = platform_services.url + path
    first, second = f"?rlid={RLID}", f"?rlid={RLID}&page=2&per_page=2"
    platform_services.nrps_pages[path + first] = (
        PAGE1,
        _link(url, current=first, next=second, first=first, last=second),
    )
    platform_services.nrps_pages[path + second] = (
        PAGE2, _link(url, current=second, prev=first, first=first, last=second))  # fmt: skip
    platform = LaunchingPlatform(app.test_client(), platform_key, client_id="canvas-1")
    launched = platform.launch(
        tool_platform=CANVAS_PLATFORM, resource_link={"id": RLID, "title": "Career plan"},
        context={"id": "ctx-88", "title": "Growing at Larkspur", "label": "CAREER-101"},
        **{NRPS_CLAIM: {"context_memberships_url": url, "service_versions": ["2.0"]}},
    )  # fmt: skip
    assert launched.status_code == 302, launched.text
    roster = session.scalars(select(CourseRoster)).one()
    return roster


def test_canvas_members_are_read_with_their_sis_and_canvas_user_ids() -> None:
    sienna, terrence = (member(row) for row in PAGE1["members"])
    assert (sienna.sourcedid, sienna.canvas_user_id) == ("1238.8763.00", "1")
    assert terrence.roles == ("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",)
    moodle = member(json.loads(NRPS.read_text())["members"][0])
    assert (moodle.user_id, moodle.sourcedid, moodle.roles) == ("3", "S1", ("Learner",))
    custom = {"canvas_user_id": "$Canvas.user.id"}  # not expanded: no canvas user id
    unexpanded = {
        **PAGE1["members"][0],
        "message": [{"https://purl.imsglobal.org/spec/lti/claim/custom": custom}],
    }
    assert member(unexpanded).canvas_user_id is None


def test_a_launch_records_the_course_and_the_roster_is_read_page_by_page(
    app: Flask, canvas_course: CourseRoster, platform_services: PlatformServices
) -> None:
    assert (canvas_course.context_id, canvas_course.title) == ("ctx-88", "Growing at Larkspur")
    assert (canvas_course.resource_link_id, canvas_course.lms) == (RLID, Lms.canvas)
    with app.test_request_context("/"):
        members = read_roster(canvas_course)
    assert [(m.name, m.canvas_user_id) for m in members] == [
        ("Sienna Howell", "1"), ("Terrence Walls", "2"), ("Maya Ortiz", "3")]  # fmt: skip
    assert len(platform_services.bearers) == 2 and len(set(platform_services.bearers)) == 1


def test_a_roster_whose_pages_never_end_is_stopped(
    app: Flask, canvas_course: CourseRoster, platform_services: PlatformServices
) -> None:
    path = "/api/lti/courses/88/names_and_roles"
    looping = f"?rlid={RLID}&page=2&per_page=2"
    platform_services.nrps_pages[path + looping] = (
        PAGE2, _link(platform_services.url + path, current=looping, next=looping))  # fmt: skip
    with app.test_request_context("/"), pytest.raises(Invalid, match="did not end"):
        read_roster(canvas_course)


def _people(session: Session, tenant: Tenant) -> dict[str, Person]:
    rows = {
        "terrence": Person(tenant_id=tenant.id, external_id="E7", name="Terrence Walls"),
        "sienna": Person(
            tenant_id=tenant.id,
            external_id="1238.8763.00",
            name="Sienna Howell",
            email="SHowell@school.edu",
        ),
    }
    session.add_all(rows.values())
    session.flush()
    session.add(LmsIdentity(tenant_id=tenant.id, person_id=rows["terrence"].id, lms=Lms.canvas,
                            issuer="", client_id="", lms_user_id="2"))  # fmt: skip
    session.flush()
    return rows


def _match(app: Flask, session: Session, tenant: Tenant, roster: CourseRoster) -> Any:
    def fetch(course: CourseRoster) -> list[Any]:
        with app.test_request_context("/"):  # the LMS call; the test's session stays open
            return read_roster(course)

    return RosterService(session, tenant).match(roster.id, fetch, NOW)


def test_matching_links_who_is_found_and_only_suggests_e_mail(
    app: Flask, session: Session, tenant: Tenant, canvas_course: CourseRoster
) -> None:
    people = _people(session, tenant)
    result = _match(app, session, tenant, canvas_course)
    assert [(m.name, m.person_name, m.how) for m in result.matched] == [
        ("Terrence Walls", "Terrence Walls", "LMS user id")]  # fmt: skip
    assert [(m.name, m.person_name) for m in result.suggested] == [
        ("Sienna Howell", "Sienna Howell")
    ]
    assert [m.name for m in result.unmatched] == ["Maya Ortiz"]
    # Terrence's identity on this platform is recorded: his launch finds him at once.
    registration = canvas_course.registration
    terrence = LaunchUser(registration.issuer, registration.client_id, TERRENCE)
    assert LaunchIdentityService(session, tenant).how_found(terrence) == "linked"
    # Sienna is linked only once an admin confirms the suggestion.
    sienna = LaunchUser(registration.issuer, registration.client_id, SIENNA)
    assert LaunchIdentityService(session, tenant).find(sienna) is None
    service = RosterService(session, tenant)
    (linked,) = service.link_suggested(canvas_course.id, [SIENNA])
    assert linked.person_id == people["sienna"].id
    assert LaunchIdentityService(session, tenant).find(sienna) == people["sienna"]
    stored = service.last_match(canvas_course)
    assert stored is not None and stored.suggested == [] and len(stored.matched) == 2


def test_only_suggestions_of_the_last_match_can_be_linked(
    app: Flask, session: Session, tenant: Tenant, canvas_course: CourseRoster
) -> None:
    _people(session, tenant)
    _match(app, session, tenant, canvas_course)
    service = RosterService(session, tenant)
    with pytest.raises(Invalid) as refused:
        service.link_suggested(canvas_course.id, [MAYA])  # not found: never suggested
    assert refused.value.errors == {"user_id": [MAYA]}
    with pytest.raises(Invalid):
        service.link_suggested(canvas_course.id, [])


def test_with_sis_ids_on_the_sis_id_finds_the_person(
    app: Flask, session: Session, tenant: Tenant, canvas_course: CourseRoster
) -> None:
    people = _people(session, tenant)
    tenant.match_sis_id = True
    result = _match(app, session, tenant, canvas_course)
    found = {m.name: (m.person_id, m.how) for m in result.matched}
    assert found["Sienna Howell"] == (people["sienna"].id, "SIS id")
    assert result.suggested == []


def test_a_retired_person_is_reported_not_linked(
    app: Flask, session: Session, tenant: Tenant, canvas_course: CourseRoster
) -> None:
    people = _people(session, tenant)
    people["terrence"].active = False
    result = _match(app, session, tenant, canvas_course)
    (terrence,) = [m for m in result.matched if m.name == "Terrence Walls"]
    assert terrence.retired
    registration = canvas_course.registration
    user = LaunchUser(registration.issuer, registration.client_id, TERRENCE, lms=Lms.canvas,
                      lms_user_id="2")  # fmt: skip
    assert LaunchIdentityService(session, tenant).how_found(user) == "LMS user id"  # not linked
