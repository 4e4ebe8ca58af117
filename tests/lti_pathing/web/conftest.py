"""Web-tier fixtures: sign a test client in as someone, and post forms with a CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from lti_pathing.auth import SESSION_KEY, Actor
from lti_pathing.models import Person, Tenant


class Browser:
    """A test client acting as one signed-in user; `post` carries a valid CSRF token."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client
        self.token: str | None = None

    def sign_in(self, actor: Actor | None) -> Browser:
        """Write the actor into the session (None: anonymous) and get a CSRF token for it."""
        with self.app.test_request_context():
            self.token = generate_csrf()
            raw = flask_session["csrf_token"]
        with self.client.session_transaction() as stored:
            stored.clear()
            if actor is not None:
                stored[SESSION_KEY] = actor.to_session()
                stored.permanent = True  # as auth.sign_in: renewed by every request
            stored["csrf_token"] = raw
        return self

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        """GET as this user."""
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, csrf: bool = True,
             **kwargs: Any) -> TestResponse:  # fmt: skip
        """POST a form as this user (with the CSRF token unless `csrf=False`)."""
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.token
        return self.client.post(url, data=form, **kwargs)


@pytest.fixture
def browser(app: Flask, client: FlaskClient) -> Browser:
    """An anonymous browser (sign it in with `browser.sign_in(actor)`)."""
    return Browser(app, client).sign_in(None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def make_actor(session: Session) -> Callable[..., Actor]:
    """Factory: an Actor of `tenant` with `roles`, backed by records that grant them.

    Every request checks the roles against the data: an admin is marked admin, a manager gets
    someone reporting to them.
    """

    def make(tenant: Tenant, *roles: str, name: str = "Ada Admin") -> Actor:
        key = f"actor-{name.lower().replace(' ', '-')[:20]}"
        person = Person(tenant_id=tenant.id, external_id=key, name=name,
                        is_admin="admin" in roles)  # fmt: skip
        session.add(person)
        session.flush()
        if "manager" in roles:
            session.add(Person(tenant_id=tenant.id, external_id=f"{key}-report",
                               name=f"Report of {name}", manager_id=person.id))  # fmt: skip
            session.flush()
        return Actor(tenant.id, person.id, name, frozenset({"learner", *roles}))

    return make


@pytest.fixture
def admin(browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor]) -> Browser:
    """A browser signed in as an admin of the `tenant`."""
    return browser.sign_in(make_actor(tenant, "admin"))


def field_value(html: str, name: str) -> str | None:
    """The value attribute of the input called `name` in a page."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None
