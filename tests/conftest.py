"""Shared fixtures: a migrated database per run, one rolled-back transaction per test, factories.

The suite runs on SQLite by default. With `LTI_PATHING_TEST_DATABASE_URL` (or `--db-url`) set to a
PostgreSQL URL it runs there, in a throw-away database created for the run. Tests that touch the
database are marked `db` automatically, so `pytest -m db` reruns exactly those.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lti_pathing import create_app, migrate
from lti_pathing.db import database, make_engine

DB_FIXTURES = {
    "engine", "connection", "session", "app", "client", "tenant", "make_tenant", "own_postgres",
}  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-url",
        default=os.environ.get("LTI_PATHING_TEST_DATABASE_URL"),
        help="run against this PostgreSQL server instead of SQLite",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """SQLite in a temp folder, or a fresh PostgreSQL database dropped at the end of the run."""
    server = request.config.getoption("--db-url")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with throwaway_database(server) as url:
        yield url


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on `server` (skipped if unreachable), dropped after."""
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    name = f"lti_pathing_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {make_url(server).host} unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable ({make_url(server).host}): start it or unset the URL")
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def own_postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated PostgreSQL database of this test alone, for code that commits (workers, pools).

    Skipped without `--db-url` / LTI_PATHING_TEST_DATABASE_URL (the SQLite run).
    """
    server = request.config.getoption("--db-url")
    if not server:
        pytest.skip("needs PostgreSQL: set LTI_PATHING_TEST_DATABASE_URL")
    with throwaway_database(server) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            migrate.upgrade(conn)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The test database, migrated to head once per run."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits become savepoints of the test's outer transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as work:
        yield work


@pytest.fixture
def app(connection: Connection, database_url: str, tmp_path: Path) -> Flask:
    """The app, its sessions bound to the test's connection (so requests see test data)."""
    # The test platforms serve over http on 127.0.0.1, as only development allows.
    # Notifications are delivered by the tests that want it (no thread on the test's connection).
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-" * 8,
                      "DEV_LOOPBACK_PLATFORMS": True, "NOTIFY_AFTER_COMMIT": False})  # fmt: skip
    app.instance_path = str(tmp_path)
    database(app).sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    return app


@pytest.fixture
def make_tenant(session: Session) -> Callable[..., Any]:
    """Factory: `make_tenant(slug="acme")` adds a tenant and returns it."""
    from lti_pathing.models import Tenant

    def make(slug: str | None = None, name: str | None = None) -> Tenant:
        slug = slug or f"t-{uuid.uuid4().hex[:8]}"
        tenant = Tenant(slug=slug, name=name or slug.title())
        session.add(tenant)
        session.flush()
        return tenant

    return make


@pytest.fixture
def tenant(make_tenant: Callable[..., Any]) -> Any:
    """The acting tenant of most tests."""
    return make_tenant("acme", "Acme Corp")


@pytest.fixture
def make_skill(session: Session) -> Callable[..., Any]:
    """Factory: `make_skill(tenant, "python", levels=3)` adds a skill with a 1..N scale."""
    from lti_pathing.services.skills import LevelSpec, SkillService

    def make(tenant: Any, external_id: str = "python", levels: int = 3, **fields: Any) -> Any:
        service = SkillService(session, tenant)
        scale = [LevelSpec(n, f"Level {n}") for n in range(1, levels + 1)]
        return service.create_skill(
            {"external_id": external_id, "name": external_id.title(), **fields}, scale
        )

    return make


@pytest.fixture
def make_role(session: Session) -> Callable[..., Any]:
    """Factory: `make_role(tenant, "swe-2", skills=[...])` adds a role (and its family)."""
    from lti_pathing.models import JobFamily, RoleLevel, Track
    from lti_pathing.services.job_architecture import JobArchitectureService

    def make(tenant: Any, external_id: str = "swe-2", skills: Any = (), **fields: Any) -> Any:
        service = JobArchitectureService(session, tenant)
        family = service.by_external_id(JobFamily, "eng") or service.create_family(
            {"external_id": "eng", "name": "Engineering"}
        )
        values = {
            "external_id": external_id, "title": external_id.upper(), "family_id": family.id,
            "track": Track.individual, "level": RoleLevel.mid, "level_rank": 2, **fields,
        }  # fmt: skip
        return service.create_role(values, skills)

    return make
