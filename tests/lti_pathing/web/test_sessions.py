"""Sessions follow the data: each request rechecks the person, the organisation and the roles,
and a session ends after SESSION_HOURS without activity, with a page that says why."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

import itsdangerous.timed
import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from lti_pathing.auth import SESSION_KEY, Actor
from lti_pathing.models import Person, SkillCategory, Tenant
from tests.lti_pathing.web.conftest import Browser

ENDED = "Your lti-pathing session has ended"
RELAUNCH = "Open lti-pathing again from your course in the LMS to sign in again."
HOUR = 3600


class Clock:
    """The time the session cookie's signature is made and checked at (itsdangerous's clock)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = time.time()
        monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: self.now))

    def advance(self, hours: float) -> None:
        """Let `hours` pass."""
        self.now += hours * HOUR


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Control the session cookie's clock."""
    return Clock(monkeypatch)


def _person(session: Session, actor: Actor) -> Person:
    return session.get_one(Person, actor.person_id)


def _ended(response: TestResponse, reason: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 401, html
    assert f'<h1 id="error-heading">{ENDED}</h1>' in html
    assert reason in html and RELAUNCH in html
    return html


def test_a_retired_persons_next_request_is_refused_with_the_reason(
    browser: Browser, tenant: Tenant, session: Session, make_actor: Callable[..., Actor]
) -> None:
    actor = make_actor(tenant, name="Rae Retiring")
    browser.sign_in(actor)
    assert browser.get("/me/").status_code == 200
    _person(session, actor).active = False
    session.flush()
    html = _ended(browser.get("/me/"), "Your record in lti-pathing has been retired")
    assert "L&amp;D administrator" in html and 'id="nav-' not in html  # no menu left
    # The cookie is gone: being restored later does not revive this session.
    _person(session, actor).active = True
    session.flush()
    assert browser.get("/me/").status_code == 401
    with browser.client.session_transaction() as stored:
        assert SESSION_KEY not in stored


def test_a_retired_persons_form_post_is_refused_and_writes_nothing(
    browser: Browser, tenant: Tenant, session: Session, make_actor: Callable[..., Actor]
) -> None:
    actor = make_actor(tenant, "admin")
    browser.sign_in(actor)
    _person(session, actor).active = False
    session.flush()
    response = browser.post("/admin/skill-categories/new", {"external_id": "c", "name": "C"})
    _ended(response, "has been retired")
    assert session.scalars(select(SkillCategory)).all() == []


def test_a_demoted_admin_loses_the_admin_pages_at_once(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    home = admin.get("/admin/")
    assert home.status_code == 200 and 'id="nav-admin' in home.get_data(as_text=True)
    with admin.client.session_transaction() as stored:
        person_id = stored[SESSION_KEY]["person_id"]
    session.get_one(Person, person_id).is_admin = False
    session.flush()
    denied = admin.get("/admin/", headers={"Accept": "application/json"})
    assert denied.status_code == 403 and denied.json["code"] == "forbidden"
    page = admin.get("/me/").get_data(as_text=True)
    assert 'id="nav-admin' not in page  # the menu follows the data too
    with admin.client.session_transaction() as stored:
        assert stored[SESSION_KEY]["roles"] == ["learner"]


def test_someone_given_reports_sees_the_manager_pages_without_a_relaunch(
    browser: Browser, tenant: Tenant, session: Session, make_actor: Callable[..., Actor]
) -> None:
    actor = make_actor(tenant, name="Nia New-Manager")
    browser.sign_in(actor)
    assert browser.get("/team/").status_code == 403
    session.add(Person(tenant_id=tenant.id, external_id="hire-1", name="Hal Hire",
                       manager_id=actor.person_id))  # fmt: skip
    session.flush()
    assert browser.get("/team/").status_code == 200


def test_a_deactivated_organisation_ends_its_sessions(
    browser: Browser, tenant: Tenant, session: Session, make_actor: Callable[..., Actor]
) -> None:
    browser.sign_in(make_actor(tenant))
    assert browser.get("/me/").status_code == 200
    tenant.active = False
    session.flush()
    _ended(browser.get("/me/"), "use of lti-pathing has been switched off, so you were signed out")


def test_a_deleted_person_and_a_json_client_get_the_error_shape(
    browser: Browser, tenant: Tenant, session: Session, make_actor: Callable[..., Actor]
) -> None:
    actor = make_actor(tenant)
    browser.sign_in(actor)
    session.delete(_person(session, actor))
    session.flush()
    response = browser.get("/me/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    body = response.json
    assert body["code"] == "session_ended" and body["status"] == 401
    assert body["message"].startswith("Your record in lti-pathing no longer exists")


def test_a_session_idle_longer_than_session_hours_expires(
    app: Flask, browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor], clock: Clock
) -> None:
    assert app.config["SESSION_HOURS"] == 10
    browser.sign_in(make_actor(tenant))
    assert browser.get("/me/").status_code == 200
    clock.advance(10.1)
    _ended(browser.get("/me/"), "You were signed out after 10 hours without activity.")
    assert browser.get("/me/").status_code == 401  # and the stale cookie was deleted
    with browser.client.session_transaction() as stored:
        assert SESSION_KEY not in stored


def test_activity_renews_the_session(
    browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor], clock: Clock
) -> None:
    browser.sign_in(make_actor(tenant))
    for _ in range(4):  # 36 hours in all, never 10 without a request
        clock.advance(9)
        assert browser.get("/me/").status_code == 200


def test_a_form_posted_after_expiry_explains_instead_of_failing_csrf(
    admin: Browser, clock: Clock
) -> None:
    clock.advance(11)
    response = admin.post("/admin/skill-categories/new", {"external_id": "c", "name": "C"})
    _ended(response, "You were signed out after 10 hours without activity.")


def test_session_hours_is_a_setting(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from lti_pathing import create_app
    from lti_pathing.config import SettingsError

    monkeypatch.setenv("LTI_PATHING_SESSION_HOURS", "8")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k" * 32})
    assert app.permanent_session_lifetime.total_seconds() == 8 * HOUR
    monkeypatch.setenv("LTI_PATHING_SESSION_HOURS", "0")
    with pytest.raises(SettingsError, match="LTI_PATHING_SESSION_HOURS: must be a whole number"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k" * 32})


def test_the_check_is_one_query_per_request(
    app: Flask, admin: Browser, tenant: Tenant, session: Session
) -> None:
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if "lti_registration.admin_roles" in statement and "JOIN tenant" in statement:
            seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = admin.get("/admin/")  # the guard, the admin context and the menu all ask
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200 and len(seen) == 1
