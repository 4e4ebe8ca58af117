"""Fixtures for the journey pages: the sample organisation, an app on it, signed-in clients.

Larkspur Software is imported once per test module; each test runs in a savepoint of that
import's transaction. Background jobs run inline on the test's connection, so a "generate"
post has finished by the time the page is fetched again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from lti_pathing import create_app, jobs
from lti_pathing.auth import SESSION_KEY, Actor
from lti_pathing.db import database
from lti_pathing.jobs.work import run_job
from lti_pathing.models import Person, Tenant
from lti_pathing.services.transfer.importer import ImportService

SAMPLE = Path(__file__).parents[3] / "src" / "lti_pathing" / "sample_data" / "catalog.json"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Larkspur:
    connection: Connection
    tenant_id: int


@pytest.fixture(scope="module")
def larkspur(engine: Engine) -> Iterator[Larkspur]:
    """The sample organisation imported once into tenant `larkspur`, rolled back afterwards."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as work:
            tenant = Tenant(slug="larkspur", name="Larkspur Software")
            work.add(tenant)
            work.flush()
            ImportService(work, tenant).import_path(SAMPLE)
            work.commit()
            yield Larkspur(connection, tenant.id)
        outer.rollback()


@pytest.fixture
def web(larkspur: Larkspur, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on the sample organisation; everything a test writes is rolled back."""
    savepoint = larkspur.connection.begin_nested()
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-" * 8,
         "SOLVER_TIME_LIMIT_S": 5, "QUICK_TIME_LIMIT_S": 2,
         "NOTIFY_AFTER_COMMIT": False}  # delivered by the tests that want it
    )  # fmt: skip
    app.instance_path = str(tmp_path)
    database(app).sessions.configure(
        bind=larkspur.connection, join_transaction_mode="create_savepoint"
    )
    yield app
    savepoint.rollback()


@pytest.fixture(autouse=True)
def inline_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run background work at once, in the request (tests see its result straight away)."""
    monkeypatch.setattr(jobs, "dispatch", lambda app, kind, job_id, params: run_job(app, job_id))


@pytest.fixture
def db(web: Flask) -> Iterator[Session]:
    """A session on the test's data (to arrange and to check)."""
    with database(web).sessions() as session:
        yield session


@pytest.fixture
def person(db: Session, larkspur: Larkspur) -> Callable[[str], Person]:
    """Look up a sample person by employee id."""

    def find(employee_id: str) -> Person:
        return db.scalars(
            select(Person).where(
                Person.tenant_id == larkspur.tenant_id, Person.external_id == employee_id
            )
        ).one()

    return find


@pytest.fixture
def client_as(web: Flask, larkspur: Larkspur, db: Session) -> Callable[..., FlaskClient]:
    """`client_as(person, "manager")`: a client signed in as that person with those roles.

    Roles are checked against the data on every request: "admin" marks the person admin here;
    "manager" holds only for someone the sample organisation gives reports.
    """

    def make(who: Person | None, *roles: str) -> FlaskClient:
        client = web.test_client()
        if who is not None and "admin" in roles and not who.is_admin:
            who.is_admin = True
            db.flush()
        if who is not None:
            actor = Actor(larkspur.tenant_id, who.id, who.name, frozenset({"learner", *roles}))
            with client.session_transaction() as session:
                session[SESSION_KEY] = actor.to_session()
        return client

    return make


def csrf_token(client: FlaskClient, page: str = "/me/") -> str:
    """The CSRF token of the client's session, as a form on `page` carries it."""
    html = client.get(page).get_data(as_text=True)
    found = CSRF.search(html)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def post(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, page: str = "/me/"
) -> Any:
    """Post a form with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})})


ROUTE_VALUES: dict[str, Any] = {
    "action": "submit", "public_id": "6f0c1e52-3f1b-4d55-9a52-0d7c3b1f2a71",
}  # fmt: skip


def journey_routes(app: Flask, prefix: str) -> list[tuple[str, str]]:
    """(method, url) of every route of a blueprint, with 1 for every URL parameter."""
    out: list[tuple[str, str]] = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(prefix + "."):
            continue
        values = {arg: ROUTE_VALUES.get(arg, 1) for arg in rule.arguments}
        url = _build(app, rule.endpoint, values)
        out += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


def _build(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)
