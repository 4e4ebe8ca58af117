"""Database: engine and one session per request (committed once at the edge); the model base and
column types are in `columns` (no Flask).

The engine and session factory live in `app.extensions`; `session()` returns the session of the
current application context. Services receive that session as an argument and never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import (
    Engine,
    create_engine,
    event,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from lti_pathing.error_responses import render_error
from lti_pathing.errors import TEMPORARILY_UNAVAILABLE, Unavailable

log = logging.getLogger(__name__)
EXTENSION = "lti_pathing.db"
# A connection execution option: on SQLite, open the transaction with BEGIN IMMEDIATE.
WRITES = "lti_pathing_writes"
# Requests that only read (and may therefore be run again when their connection dropped).
READS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ATTEMPTS = 3


APP_INFO = "lti_pathing.app"  # Session.info key: the app the session belongs to


@dataclass
class Database:
    """The engine and session factory attached to one app."""

    engine: Engine
    sessions: sessionmaker[Session]


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine; on SQLite turn on foreign keys, WAL and real transactions.

    SQLite allows one writer at a time; a second one waits up to 30 s for the lock (the default
    5 s is shorter than a plan solve that writes, and "database is locked" is all a user sees).
    Elsewhere every connection is tested as it leaves the pool (`pool_pre_ping`), so connections
    a database restart closed are replaced instead of failing the next request.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine, in_memory=":memory:" in url or url == "sqlite://")
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL;
        # take it over (SQLAlchemy's documented recipe) and emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A writer takes the write lock at once: a deferred transaction that read first would
        # fail with SQLITE_BUSY_SNAPSHOT when another writer committed in between (no wait helps).
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def init_app(app: Flask) -> None:
    """Attach the engine and session factory; commit at the end of each successful request."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config["SQLALCHEMY_ECHO"])
    # Each session knows its app, so a commit outside a request can still reach the app's cache.
    sessions = sessionmaker(engine, expire_on_commit=False, info={APP_INFO: app})
    app.extensions[EXTENSION] = Database(engine, sessions)
    app.after_request(_commit_on_success)
    app.teardown_appcontext(_close_session)
    app.register_error_handler(OperationalError, _unavailable)


def _unavailable(error: OperationalError) -> Response | tuple[str, int, dict[str, str]]:
    """The database did not answer (down, restarting, locked too long): 503, cause in the log.

    A read that `read_again` will run once more is handed back to it instead.
    """
    if _runs_again(error, g.get("read_attempt", READ_ATTEMPTS)):
        raise error
    log.error("database unavailable during %s %s: %s", request.method, request.path, error.orig)
    return render_error(Unavailable(TEMPORARILY_UNAVAILABLE))


def database(app: Flask | None = None) -> Database:
    """The Database of `app` (default: the current app)."""
    target = app if app is not None else current_app
    database: Database = target.extensions[EXTENSION]
    return database


def session() -> Session:
    """The session of the current application context, opened on first use.

    A request that may write (POST, PUT, PATCH, DELETE) opens its transaction as a writer, which
    on SQLite means holding the write lock from its first statement to its commit.
    """
    if "db_session" not in g:
        g.db_session = database().sessions()
        if has_request_context() and request.method not in READS:
            g.db_session.connection(execution_options={WRITES: True})
    current: Session = g.db_session
    return current


def _commit_on_success(response: Response) -> Response:
    current: Session | None = g.get("db_session")
    if current is not None:
        if response.status_code < 400:
            current.commit()
        else:
            current.rollback()
    return response


def _close_session(error: BaseException | None) -> None:
    current: Session | None = g.pop("db_session", None)
    if current is not None:
        if error is not None:
            current.rollback()
        current.close()


def dropped_connection(error: BaseException) -> bool:
    """True for a database error that means the connection itself died (a database restart)."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


def lost_snapshot(error: BaseException) -> bool:
    """True when SQLite refused a write of a transaction that read before another writer's commit.

    SQLITE_BUSY_SNAPSHOT: waiting does not help, only running the transaction again.
    """
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlite_errorname", None) == "SQLITE_BUSY_SNAPSHOT"


def read_again(dispatch: Callable[[], Response]) -> Response:
    """Run a read (GET, HEAD) again when the database made it fail for a reason a rerun fixes.

    A connection that died under the request (the pool tests each one as it is handed out; this
    covers one dropped during the request): once. A read that also writes a little (an API
    token's last use) losing its SQLite snapshot to another writer: up to three times. Requests
    that change things are never run again: they may have half happened outside the database.
    """
    for attempt in range(1, READ_ATTEMPTS + 1):
        g.read_attempt = attempt
        try:
            return dispatch()
        except DBAPIError as error:
            if not _runs_again(error, attempt):
                raise
            why = "connection lost" if dropped_connection(error) else "SQLite snapshot lost"
            log.warning("%s %s: database %s; running it again", request.method, request.path, why)
        _close_session(None)
        for name in [n for n in g if n != "request_id"]:  # views cache objects of the dead session
            g.pop(name)
    raise AssertionError("unreachable")


def _runs_again(error: BaseException, attempt: int) -> bool:
    """Whether `read_again` runs this request once more after `error` on its `attempt`."""
    if request.method not in READS or attempt >= READ_ATTEMPTS:
        return False
    return lost_snapshot(error) or (dropped_connection(error) and attempt == 1)


@contextmanager
def transaction(app: Flask, writes: bool = False) -> Iterator[Session]:
    """A session for work outside a request (CLI, jobs): commit on success, roll back on error.

    `writes=True` for a short transaction that reads and then writes: on SQLite it holds the
    write lock from the start (so no other writer slips in between); keep long work out of it.
    """
    with database(app).sessions() as work, work.begin():
        if writes:
            work.connection(execution_options={WRITES: True})
        yield work
