"""Every Canvas course install is a new deployment id: recorded on a valid launch, revocable."""

from __future__ import annotations

from html import unescape
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.lti.platforms import PlatformService
from lti_pathing.models import Person, PlatformDeployment
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey
from tests.lti_pathing.lti.test_launch import actor_of

CANVAS_INSTALL = "41:f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"  # "<id>:<context opaque id>"


def _deployments(session: Session) -> list[tuple[str, bool]]:
    rows = session.scalars(select(PlatformDeployment).order_by(PlatformDeployment.id))
    return [(d.deployment_id, d.active) for d in rows]


def _people(session: Session) -> int:
    return len(session.scalars(select(Person.id)).all())


def test_a_new_install_of_a_known_registration_is_accepted_and_recorded(
    app: Flask, platform: LaunchingPlatform, session: Session
) -> None:
    response = platform.launch(deployment_id=CANVAS_INSTALL)

    assert response.status_code == 302, response.text
    actor = actor_of(platform)
    assert actor is not None and actor["launch"]["deployment_id"] == CANVAS_INSTALL
    assert _deployments(session) == [("1", True), (CANVAS_INSTALL, True)]
    assert platform.launch(deployment_id=CANVAS_INSTALL).status_code == 302  # recorded once
    assert _deployments(session) == [("1", True), (CANVAS_INSTALL, True)]
    listed = app.test_cli_runner().invoke(main, ["platform", "list", "--tenant", "acme"]).output
    assert f"deployments: 2 (1, {CANVAS_INSTALL})" in listed


def test_a_revoked_install_is_refused_with_what_to_do(
    platform: LaunchingPlatform, session: Session, tenant: Any, registration: Any
) -> None:
    PlatformService(session, tenant).set_deployment_active(registration, "1", False)
    people = _people(session)

    response = platform.launch()

    assert response.status_code == 400
    text = unescape(response.text)
    assert "deployment '1' of client_id" in text and "was revoked by an administrator" in text
    assert "restore-deployment" in text
    assert actor_of(platform) is None and _people(session) == people


def test_a_new_install_is_not_recorded_when_the_launch_is_invalid(
    platform: LaunchingPlatform, session: Session
) -> None:
    login = platform.login()
    claims = platform.claims(login.nonce, deployment_id=CANVAS_INSTALL)
    forged = PlatformKey.generate("impostor").sign(claims, {"kid": platform.key.kid})
    response = platform.post_launch(forged, login.state)
    assert response.status_code == 400
    assert "Signature verification failed" in unescape(response.text)

    expired = platform.launch(deployment_id=CANVAS_INSTALL, iat=1, exp=2)
    assert expired.status_code == 400
    assert _deployments(session) == [("1", True)]


def test_a_new_install_of_a_disabled_registration_is_refused(
    platform: LaunchingPlatform, session: Session, registration: Any
) -> None:
    login = platform.login()
    registration.active = False  # disabled between the login and the launch
    session.flush()
    token = platform.key.sign(platform.claims(login.nonce, deployment_id=CANVAS_INSTALL))
    response = platform.post_launch(token, login.state)
    assert response.status_code == 400 and "is disabled" in unescape(response.text)
    assert _deployments(session) == [("1", True)]


def test_two_first_launches_of_one_install_record_it_once(app: Flask, registration: Any) -> None:
    from lti_pathing import db
    from lti_pathing.lti.launch import record_pending_deployment

    with app.test_request_context("/lti/launch", method="POST"):
        work = db.session()
        row = work.get_one(type(registration), registration.id)
        # the other launch recorded it after this one looked (its commit came first)
        work.add(PlatformDeployment(tenant_id=row.tenant_id, registration_id=row.id,
                                    deployment_id=CANVAS_INSTALL))  # fmt: skip
        work.flush()
        record_pending_deployment((row, CANVAS_INSTALL))  # no error: the launch goes on
        assert _deployments(work) == [("1", True), (CANVAS_INSTALL, True)]
