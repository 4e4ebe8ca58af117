"""/lti/login + /lti/launch end to end: who gets in, as what, and every launch that must fail."""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.auth import SESSION_KEY
from lti_pathing.models import LmsIdentity, Person, PlatformDeployment
from tests.lti_pathing.lti.launching import (
    CLIENT_ID,
    ISSUER,
    LEARNER,
    LaunchingPlatform,
    PlatformKey,
    register_platform,
)


def actor_of(platform: LaunchingPlatform) -> dict[str, Any] | None:
    """The actor the browser's session holds, if any."""
    with platform.client.session_transaction() as flask_session:
        actor: dict[str, Any] | None = flask_session.get(SESSION_KEY)
        return actor


def counts(session: Session) -> tuple[int, int]:
    """People and LMS identities stored."""
    people = session.scalar(select(func.count()).select_from(Person)) or 0
    identities = session.scalar(select(func.count()).select_from(LmsIdentity)) or 0
    return people, identities


def test_a_moodle_launch_signs_the_learner_in_and_lands_on_home(
    platform: LaunchingPlatform, session: Session
) -> None:
    response = platform.launch()

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    actor = actor_of(platform)
    assert actor is not None and actor["name"] == "Stu One"
    assert actor["roles"] == ["learner"]
    assert actor["launch"]["issuer"] == ISSUER and actor["launch"]["client_id"] == CLIENT_ID
    assert actor["launch"]["deployment_id"] == "1" and actor["launch"]["context_id"] == "2"
    assert actor["launch"]["launch_id"].startswith("lti1p3-launch-")
    home = platform.client.get("/")
    assert home.status_code == 200
    assert "Signed in as <strong>Stu One</strong>" in home.text
    person = session.get(Person, actor["person_id"])
    assert person is not None and person.email == "student1@example.com"
    (identity,) = person.identities
    assert (identity.issuer, identity.client_id, identity.subject) == (ISSUER, CLIENT_ID, "3")
    assert identity.lms is not None and identity.lms.value == "moodle"
    assert identity.lms_user_id == "3"


def test_the_same_user_launching_again_is_the_same_person(
    platform: LaunchingPlatform, session: Session
) -> None:
    assert platform.launch().status_code == 302
    first = actor_of(platform)
    assert platform.launch(name="Stu Renamed").status_code == 302
    second = actor_of(platform)
    assert first is not None and second is not None
    assert first["person_id"] == second["person_id"]
    assert counts(session) == (1, 1)


@dataclass(frozen=True)
class FromNow:
    """A claim time relative to the moment of the launch (parameters are built at collection)."""

    seconds: int


def at_launch(overrides: dict[str, Any]) -> dict[str, Any]:
    """The overrides with every `FromNow` turned into a timestamp now."""
    now = int(time.time())
    return {k: now + v.seconds if isinstance(v, FromNow) else v for k, v in overrides.items()}


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"roles": []}, id="empty roles"),
        pytest.param({"roles": ["Learner"]}, id="short Learner"),
        pytest.param({"roles": ["http://example.com/roles#Wizard"]}, id="unknown role"),
        pytest.param({"roles": [LEARNER, "Instructor", "urn:x:y"]}, id="multiple roles"),
        pytest.param(
            {"name": None, "given_name": None, "family_name": None, "email": None},
            id="no name or email",
        ),
        pytest.param({"iat": FromNow(30)}, id="iat 30 s ahead, within leeway"),
        pytest.param({"exp": FromNow(-30)}, id="expired 30 s ago, within leeway"),
    ],
)
def test_valid_launches_succeed_as_learner(
    platform: LaunchingPlatform, overrides: dict[str, Any]
) -> None:
    response = platform.launch(**at_launch(overrides))

    assert response.status_code == 302, response.text
    actor = actor_of(platform)
    assert actor is not None and actor["roles"] == ["learner"]
    assert actor["name"]


def test_a_user_without_name_or_email_gets_a_placeholder_name(
    platform: LaunchingPlatform,
) -> None:
    platform.launch(name=None, given_name=None, family_name=None, email=None, sub="77")
    actor = actor_of(platform)
    assert actor is not None and actor["name"] == "LMS user 77"


def test_a_person_with_reports_is_a_manager_and_a_mentor_role_alone_is_not(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    mentor_role = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
    assert platform.launch(roles=[mentor_role]).status_code == 302
    actor = actor_of(platform)
    assert actor is not None and actor["roles"] == ["learner"]

    session.add(Person(tenant_id=tenant.id, external_id="r1", name="Report",
                       manager_id=actor["person_id"]))  # fmt: skip
    session.flush()
    assert platform.launch().status_code == 302
    again = actor_of(platform)
    assert again is not None and again["roles"] == ["learner", "manager"]


def test_an_imported_person_is_matched_by_their_lms_user_id(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    from lti_pathing.models import Lms

    person = Person(tenant_id=tenant.id, external_id="E-3", name="Stu (HR)")
    person.identities.append(LmsIdentity(tenant_id=tenant.id, lms=Lms.moodle, issuer="",
                                         client_id="", lms_user_id="3"))  # fmt: skip
    session.add(person)
    session.flush()

    assert platform.launch().status_code == 302
    actor = actor_of(platform)
    assert actor is not None and actor["person_id"] == person.id
    assert actor["name"] == "Stu (HR)"  # the HR record's name is kept


def _fresh(platform: LaunchingPlatform, **overrides: Any) -> tuple[str, str]:
    """(id_token, state) of a login followed by claims with `overrides`."""
    login = platform.login()
    return platform.key.sign(platform.claims(login.nonce, **overrides)), login.state


def _other_key_same_kid(platform: LaunchingPlatform) -> str:
    login = platform.login()
    impostor = PlatformKey.generate("impostor")
    token = impostor.sign(platform.claims(login.nonce), {"kid": platform.key.kid})
    return platform.post_launch(token, login.state).text


FAILURES = [
    ("unknown kid", {"headers": {"kid": "nobody"}}, "has no key 'nobody'"),
    ("no kid", {"headers": {"kid": None}}, "names no key (kid)"),
    ("wrong LTI version", {"version": "1.1.0"}, "Incorrect version"),
    ("missing LTI version", {"version": None}, "Incorrect version"),
    ("expired", {"iat": FromNow(-600), "exp": FromNow(-300)}, "Signature has expired"),
    ("iat in the future", {"iat": FromNow(300), "exp": FromNow(400)}, "not yet valid (iat)"),
    ("missing message type", {"message_type": None}, "message type"),
    ("missing roles", {"roles": None}, "Missing Roles Claim"),
    ("missing deployment_id", {"deployment_id": None}, "deployment_id"),
    ("missing resource link", {"resource_link": None}, "Missing Resource Link Id"),
    ("missing sub", {"sub": None}, "Must have a user (sub)"),
    ("unknown issuer", {"iss": "https://evil.example.com"}, "unknown issuer"),
    ("wrong audience", {"aud": "someone-else"}, "not registered for issuer"),
    ("audience list without azp", {"aud": [CLIENT_ID, "other"]}, "azp"),
    ("wrong nonce", {"nonce": "made-up"}, "unknown or already used nonce"),
]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [pytest.param(o, r, id=name) for name, o, r in FAILURES],
)
def test_bad_launches_fail_with_a_reason_and_leave_nothing(
    platform: LaunchingPlatform, session: Session, overrides: dict[str, Any], reason: str
) -> None:
    before = counts(session)
    overrides = at_launch(overrides)
    headers = overrides.pop("headers", None)
    login = platform.login()
    claims = platform.claims(login.nonce, **overrides)
    response = platform.post_launch(platform.key.sign(claims, headers), login.state)

    assert response.status_code == 400
    assert reason in unescape(response.text)
    assert "Set-Cookie" not in response.headers
    assert actor_of(platform) is None
    assert counts(session) == before
    assert platform.client.get("/", headers={"Accept": "text/html"}).status_code == 401


def _assert_refused(platform: LaunchingPlatform, response: Any, reason: str) -> None:
    assert response.status_code == 400, response.text
    assert reason in unescape(response.text)
    assert actor_of(platform) is None


def test_a_bad_signature_is_refused(platform: LaunchingPlatform) -> None:
    assert "Signature verification failed" in unescape(_other_key_same_kid(platform))
    assert actor_of(platform) is None


def test_a_token_that_is_not_a_jwt_is_refused(platform: LaunchingPlatform) -> None:
    login = platform.login()
    _assert_refused(platform, platform.post_launch("not-a-jwt", login.state), "3 parts")


def test_a_wrong_or_missing_state_is_refused(platform: LaunchingPlatform) -> None:
    token, _state = _fresh(platform)
    _assert_refused(platform, platform.post_launch(token, "state-forged"), "state cookie")
    token, _state = _fresh(platform)
    _assert_refused(platform, platform.post_launch(token, None), "no state")


def test_a_replay_from_another_browser_or_the_same_one_is_refused(
    app: Flask, platform: LaunchingPlatform, session: Session
) -> None:
    token, state = _fresh(platform)
    assert platform.post_launch(token, state).status_code == 302
    people = counts(session)

    thief = LaunchingPlatform(app.test_client(), platform.key)
    _assert_refused(thief, thief.post_launch(token, state), "state cookie")
    replay = platform.post_launch(token, state)
    assert replay.status_code == 400 and "already used" in unescape(replay.text)
    assert counts(session) == people


def test_deployments_are_checked_against_the_client_that_launched_only(
    platform: LaunchingPlatform, session: Session, tenant: Any, registration: Any
) -> None:
    other = register_platform(session, tenant, platform.key, client_id="other-client",
                              deployment_ids=("2",))  # fmt: skip
    other.deployments[0].active = False  # revoked for the other client, unknown to this one
    session.flush()
    token, state = _fresh(platform, deployment_id="2")
    assert platform.post_launch(token, state).status_code == 302
    session.refresh(registration)
    assert [d.deployment_id for d in registration.deployments] == ["1", "2"]


def test_a_disabled_registration_is_refused_at_login_and_launch(
    platform: LaunchingPlatform, registration: Any, session: Session
) -> None:
    token, state = _fresh(platform)
    registration.active = False
    session.flush()
    _assert_refused(platform, platform.post_launch(token, state), "is disabled")
    response = platform.login_response()
    assert response.status_code == 400 and "is disabled" in unescape(response.text)


def test_login_without_client_id_needs_a_single_registration_for_the_issuer(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    assert platform.login(client_id=None).state
    register_platform(session, tenant, platform.key, client_id="second")
    response = platform.login_response(client_id=None, lti1p3_new_window="1")
    assert response.status_code == 400
    assert "must send client_id" in unescape(response.text)


def test_login_from_an_unknown_issuer_is_refused(platform: LaunchingPlatform) -> None:
    response = platform.login_response(iss="https://nobody.example.com", lti1p3_new_window="1")
    assert response.status_code == 400
    assert "unknown issuer" in unescape(response.text)


def test_a_registration_without_deployment_records_the_first_launchs(
    app: Flask, session: Session, tenant: Any, platform_key: PlatformKey
) -> None:
    row = register_platform(session, tenant, platform_key, client_id="canvas-like",
                            deployment_ids=(), deployment_pending=True)  # fmt: skip
    platform = LaunchingPlatform(app.test_client(), platform_key, client_id="canvas-like",
                                 deployment_id="77:abc")  # fmt: skip
    assert platform.launch().status_code == 302
    session.refresh(row)
    assert [d.deployment_id for d in row.deployments] == ["77:abc"]
    assert row.deployment_pending is False

    browser = LaunchingPlatform(app.test_client(), platform_key, client_id="canvas-like")
    token, state = _fresh(browser, deployment_id="78:other")  # another course's install
    assert browser.post_launch(token, state).status_code == 302
    stored = session.scalars(select(PlatformDeployment.deployment_id)).all()
    assert sorted(stored) == ["77:abc", "78:other"]


def test_a_login_whose_target_link_uri_points_elsewhere_is_refused(
    platform: LaunchingPlatform,
) -> None:
    for target, reason in [
        ("https://evil.example.com/lti/launch", "points at evil.example.com, not at this tool"),
        ("http://localhost:5001/lti/launch", "points at localhost:5001"),
        ("javascript:alert(1)", "is not a URL"),
        (None, "sent no target_link_uri"),
    ]:
        response = platform.login_response(target_link_uri=target, lti1p3_new_window="1")
        assert response.status_code == 400, target
        assert reason in unescape(response.text), target
        assert "Location" not in response.headers


def test_a_configured_host_may_be_the_target_of_a_login(
    app: Flask, platform: LaunchingPlatform
) -> None:
    target = "https://tool.example.edu/lti/launch"
    refused = platform.login_response(target_link_uri=target, lti1p3_new_window="1")
    assert refused.status_code == 400

    app.config["LTI_ALLOWED_TARGET_HOSTS"] = ("tool.example.edu",)
    assert platform.login(target_link_uri=target).state


@pytest.mark.parametrize(
    ("custom", "location"),
    [
        ({"placement": "career_plan"}, "/me/plan"),  # the link deep linking placed
        ({"placement": "somewhere-else"}, "/"),
        ({}, "/"),
        (None, "/"),
    ],
)
def test_a_placed_link_lands_on_the_page_it_names(
    platform: LaunchingPlatform, custom: dict[str, str] | None, location: str
) -> None:
    response = platform.launch(custom=custom)
    assert response.status_code == 302
    assert response.headers["Location"] == location
