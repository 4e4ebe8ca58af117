"""The database edge: connections a restart dropped, and SQLite writers that race.

Each test runs an app on a database of its own (a file, or a throw-away PostgreSQL database), so
connections can be cut and transactions can race for real.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, select, text
from werkzeug.test import TestResponse

from lti_pathing import create_app, migrate
from lti_pathing.auth import Actor
from lti_pathing.db import database, make_engine, transaction
from lti_pathing.models import SkillCategory, Tenant
from lti_pathing.services.api_tokens import ApiTokenService

WRITES = ("INSERT", "UPDATE", "DELETE")


def tool(url: str, tmp_path: Path) -> tuple[Flask, dict[str, str]]:
    """The app (not in testing mode: errors are pages) on `url`, a tenant and an API token."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "db-test-" * 4, "LOG_JSON": False})
    app.instance_path = str(tmp_path)
    with transaction(app) as session:
        tenant = Tenant(slug="acme", name="Acme")
        session.add(tenant)
        session.flush()
        _, secret = ApiTokenService(session, tenant).create_token("test")
    return app, {"Authorization": f"Bearer {secret}"}


def terminate_backends(url: str, only_pid: int | None = None) -> int:
    """What a database restart does to pooled connections: the server ends them."""
    admin = create_engine(url)
    query = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    if only_pid is not None:
        query += f" AND pid = {int(only_pid)}"
    with admin.connect() as conn:
        ended = len(conn.execute(text(query)).all())
    admin.dispose()
    return ended


@pytest.fixture
def postgres_tool(own_postgres: str, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    app, bearer = tool(own_postgres, tmp_path)
    yield app, bearer
    database(app).engine.dispose()


def test_after_a_database_restart_the_next_request_gets_a_fresh_connection(
    own_postgres: str, postgres_tool: tuple[Flask, dict[str, str]]
) -> None:
    app, bearer = postgres_tool
    client = app.test_client()
    assert client.get("/api/v1/skills", headers=bearer).status_code == 200
    assert terminate_backends(own_postgres) >= 1  # the pooled connection of that request
    again = client.get("/api/v1/skills", headers=bearer)
    assert again.status_code == 200, again.text


def cut_during_the_next(app: Flask, url: str, statement: str) -> Callable[[], int]:
    """Terminate the connection that runs the next `statement` just before it runs; count cuts."""
    cuts: list[int] = []

    def before(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if not cuts and sql.lstrip().upper().startswith(statement):
            cuts.append(conn.connection.dbapi_connection.info.backend_pid)
            assert terminate_backends(url, cuts[0]) == 1

    event.listen(database(app).engine, "before_cursor_execute", before)
    return lambda: len(cuts)


def test_a_read_whose_connection_drops_midway_is_run_again(
    own_postgres: str,
    postgres_tool: tuple[Flask, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, bearer = postgres_tool
    client = app.test_client()
    assert client.get("/api/v1/skill-categories", headers=bearer).status_code == 200
    cuts = cut_during_the_next(app, own_postgres, "SELECT")
    with caplog.at_level(logging.WARNING, logger="lti_pathing.db"):
        page = client.get("/api/v1/skill-categories", headers=bearer)
    assert cuts() == 1
    assert page.status_code == 200, page.text
    assert any("database connection lost" in r.getMessage() for r in caplog.records)


def test_a_change_whose_connection_drops_midway_is_not_run_again(
    own_postgres: str, postgres_tool: tuple[Flask, dict[str, str]]
) -> None:
    app, bearer = postgres_tool
    client = app.test_client()
    cuts = cut_during_the_next(app, own_postgres, "INSERT")
    made = client.post("/api/v1/skill-categories", headers=bearer,
                       json={"external_id": "data", "name": "Data"})  # fmt: skip
    assert cuts() == 1 and made.status_code == 503  # "try again in a minute"
    assert "temporarily unavailable" in made.json["message"]
    with transaction(app) as session:
        assert session.scalars(select(SkillCategory)).all() == []  # nothing half-written
    retried = client.post("/api/v1/skill-categories", headers=bearer,
                          json={"external_id": "data", "name": "Data"})  # fmt: skip
    assert retried.status_code == 201, retried.text  # the client's own retry works


@pytest.fixture
def sqlite_tool(tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    engine.dispose()
    app, bearer = tool(url, tmp_path)
    yield app, bearer
    database(app).engine.dispose()


class Race:
    """Two requests on two threads, interleaved through SQLAlchemy's statement events.

    `first` reads, then waits (up to `patience` seconds) until `second` has read too before it
    writes; `second` waits until `first` has finished before it writes. Without a write lock
    taken up front, `second` then writes on a snapshot older than `first`'s commit.
    """

    def __init__(self, app: Flask, patience: float = 2.0) -> None:
        self.second_read, self.first_done = threading.Event(), threading.Event()
        self.patience = patience
        self.writes: set[str] = set()
        event.listen(database(app).engine, "before_cursor_execute", self._before)
        event.listen(database(app).engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        me = threading.current_thread().name
        if not sql.lstrip().upper().startswith(WRITES) or me in self.writes:
            return
        self.writes.add(me)
        if me == "first":
            self.second_read.wait(self.patience)
        elif me == "second":
            self.first_done.wait(self.patience * 3)

    def _after(self, conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        second = threading.current_thread().name == "second"
        if second and sql.lstrip().upper().startswith("SELECT"):
            self.second_read.set()

    def run(self, *requests: Callable[[], TestResponse]) -> list[int]:
        """Both requests' status codes."""
        codes: dict[str, int] = {}

        def go(name: str, request: Callable[[], TestResponse]) -> None:
            try:
                codes[name] = request().status_code
            finally:
                if name == "first":
                    self.first_done.set()

        threads = [threading.Thread(target=go, args=(n, r), name=n)
                   for n, r in zip(("first", "second"), requests, strict=True)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return [codes.get("first", 0), codes.get("second", 0)]


def test_two_sqlite_writers_racing_both_succeed(
    sqlite_tool: tuple[Flask, dict[str, str]],
) -> None:
    app, bearer = sqlite_tool
    race = Race(app)

    def post(key: str) -> Callable[[], TestResponse]:
        body = {"external_id": key, "name": key.title()}
        return lambda: app.test_client().post("/api/v1/skill-categories", headers=bearer, json=body)

    assert race.run(post("data"), post("design")) == [201, 201]
    with transaction(app) as session:
        made = session.scalars(select(SkillCategory.external_id)).all()
    assert sorted(made) == ["data", "design"]


def test_two_sqlite_reads_that_note_the_tokens_use_both_succeed(
    sqlite_tool: tuple[Flask, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    app, bearer = sqlite_tool
    race = Race(app)

    def get() -> TestResponse:
        return app.test_client().get("/api/v1/skill-categories", headers=bearer)

    with caplog.at_level(logging.WARNING, logger="lti_pathing.db"):
        assert race.run(get, get) == [200, 200]
    assert any("database SQLite snapshot lost" in r.getMessage() for r in caplog.records)


def test_while_the_database_is_down_pages_and_the_api_say_try_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.lti_pathing.web.conftest import Browser

    down = "postgresql+psycopg://postgres@127.0.0.1:1/gone"  # nothing listens on port 1
    app = create_app({"DATABASE_URL": down, "SECRET_KEY": "db-test-" * 4, "LOG_JSON": False})
    app.instance_path = str(tmp_path)
    with caplog.at_level(logging.ERROR, logger="lti_pathing.db"):
        answer = app.test_client().get(
            "/api/v1/skills", headers={"Authorization": "Bearer ltp_abcd1234_secret"}
        )
        page = Browser(app, app.test_client()).sign_in(Actor(1, 1, "Kenji")).get("/me/plan")
    assert answer.status_code == 503 and answer.json is not None
    assert answer.json["code"] == "unavailable" and "try again" in answer.json["message"]
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "temporarily unavailable" in page.text and "127.0.0.1" not in page.text
    assert any("database unavailable during GET /me/plan" in r.getMessage() for r in caplog.records)
