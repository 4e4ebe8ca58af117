"""A dead or hung LMS stops no one else: the reproduction of the outage, end to end.

An admin syncs everyone over a Canvas connection whose address accepts connections and never
answers (a real socket on 127.0.0.1). While the sync waits on it, a learner generates a plan and
the admin deactivates the connection: both work, and the sync stops. On SQLite (the embedded
default: the sync used to hold the write lock while it waited, and every other writer got
"database is locked") and, in `make test`'s PostgreSQL pass, on PostgreSQL. Also: a sync left
running by a process that died is recovered when the tool starts, by the sweeper thread, and by a
Celery worker that starts.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url, select, text

from lti_pathing import create_app
from lti_pathing.auth import Actor
from lti_pathing.db import database, make_engine, transaction
from lti_pathing.jobs.sweep import on_start, start_sweeper, stop_sweeper
from lti_pathing.models import (
    Job,
    JobKind,
    JobStatus,
    Lms,
    LmsConnection,
    LmsSyncRun,
    Person,
    SyncStatus,
    Tenant,
)
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.jobs.conftest import LIMITS, SECRET, Workers, seed_sample, wait_for
from tests.lti_pathing.web.conftest import Browser
from tests.support.servers import SilentServer

LEARNER, ADMIN = "E1013", "E1001"
# The silent LMS: each call gives up after 1 s, four attempts a person (1 + 2 + 4 s between
# them), and the breaker never opens, so the sync stays stuck as long as the test needs.
STUCK = {"LMS_TIMEOUT_S": 1, "LMS_BREAKER_FAILURES": 1000, "LMS_SYNC_DEADLINE_MINUTES": 5}


@pytest.fixture
def live_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The sample organisation in a database of its own that many connections can share:
    a copy of the seeded SQLite file, or a throw-away PostgreSQL database (`--db-url`)."""
    server = request.config.getoption("--db-url")
    if not server:
        yield f"sqlite:///{request.getfixturevalue('database_file')}"
        return
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    name = f"lti_pathing_outage_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    seed_sample(url, migrate_first=True)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def make_live_app(live_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        app = create_app({
            "DATABASE_URL": live_url, "SECRET_KEY": SECRET, "LOG_JSON": False,
            "DEV_LOOPBACK_PLATFORMS": True, **LIMITS, **settings,
        })  # fmt: skip
        app.instance_path = str(tmp_path)
        made.append(app)
        return app

    yield make
    for app in made:
        stop_sweeper(app)
        database(app).engine.dispose()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


def signed_in(app: Flask, external_id: str, *roles: str) -> Browser:
    """A browser signed in as the person; every request checks the roles against the data, so
    an admin is marked admin."""
    with transaction(app) as session:
        person = session.scalars(select(Person).where(Person.external_id == external_id)).one()
        person.is_admin = person.is_admin or "admin" in roles
        actor = Actor(person.tenant_id, person.id, person.name, frozenset({"learner", *roles}))
    return Browser(app, app.test_client()).sign_in(actor)


def connect(app: Flask, url: str) -> int:
    with app.app_context(), transaction(app) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "larkspur")).one()
        found = LmsConnectionService(session, tenant).connect(Lms.canvas, url, "canvas-token-1234")
        return found.id


def until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def latest_run(app: Flask) -> LmsSyncRun | None:
    with transaction(app) as session:
        return session.scalars(select(LmsSyncRun).order_by(LmsSyncRun.id.desc())).first()


@pytest.mark.db
def test_a_hung_lms_stops_no_one_else(
    make_live_app: Callable[..., Flask], silent: SilentServer
) -> None:
    app = make_live_app(**STUCK)  # no broker: jobs run on the in-process threads
    connection_id = connect(app, silent.url)
    admin = signed_in(app, ADMIN, "admin")
    assert admin.post("/admin/lms/sync").status_code == 302
    # The first person's four attempts, then the second person's call: the run has failed
    # someone and is waiting on the LMS again (where the write lock used to be held).
    until(lambda: silent.accepted >= 5, 60, "the sync to wait on the LMS for a second person")
    run = latest_run(app)
    assert run is not None and run.status == SyncStatus.running and run.people_failed >= 1

    learner = signed_in(app, LEARNER)
    with transaction(app) as session:
        target = session.scalars(select(Person).where(Person.external_id == LEARNER)).one()
        target_role = target.target_role_id
    generated = learner.post("/me/plan/generate", {
        "target_role_id": target_role, "hours_per_week": "4", "deadline": "", "blackout": "",
        "budget": "",
    })  # fmt: skip
    assert generated.status_code == 302, generated.get_data(as_text=True)[:500]
    with transaction(app) as session:
        plan_job = session.scalars(
            select(Job).where(Job.kind == JobKind.plan).order_by(Job.id.desc())
        ).first()
        assert plan_job is not None
        version = session.get_one(LmsConnection, connection_id).version
    assert (latest_run(app) or run).status == SyncStatus.running  # still stuck meanwhile

    deactivated = admin.post(f"/admin/lms/{connection_id}/deactivate", {"version": version})
    assert deactivated.status_code == 302

    state = wait_for(app, plan_job.id, lambda j: j.finished, 180)
    assert state["status"] == "done", state
    stopped = until(lambda: (r := latest_run(app)) and r.status != SyncStatus.running and r,
                    60, "the sync to stop after the deactivation")  # fmt: skip
    assert stopped.status == SyncStatus.aborted
    assert stopped.message.startswith("stopped: an admin deactivated the connection")
    page = admin.get("/admin/lms/").get_data(as_text=True)
    assert "an admin deactivated the connection" in page


@pytest.mark.db
def test_a_sync_over_an_lms_whose_breaker_is_open_is_skipped_not_retried(
    make_live_app: Callable[..., Flask], silent: SilentServer
) -> None:
    app = make_live_app()
    connection_id = connect(app, silent.url)
    with transaction(app) as session:
        connection = session.get_one(LmsConnection, connection_id)
        connection.breaker_failures, connection.breaker_error = 5, "could not connect"
        connection.breaker_open_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)
    admin = signed_in(app, ADMIN, "admin")
    assert admin.post("/admin/lms/sync").status_code == 302
    with transaction(app) as session:
        job_id = session.scalars(select(Job.id).where(Job.kind == JobKind.lms_sync)).one()
    state = wait_for(app, job_id, lambda j: j.finished, 60)
    assert state["status"] == "done" and state["attempts"] == 1, state  # no retry: it would fail
    assert "skipped: canvas" in state["result"]["runs"][0]["message"]
    assert silent.accepted == 0  # the LMS was not asked
    page = admin.get("/admin/lms/").get_data(as_text=True)
    assert "not answering: 5 calls in a row" in page


def stale_run(app: Flask, connection_id: int, run_owner: str) -> int:
    """A run (and its job) left running by a process that has ended."""
    with transaction(app) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "larkspur")).one()
        job = Job(tenant_id=tenant.id, kind=JobKind.lms_sync, status=JobStatus.running,
                  params={"person_ids": None, "trigger": "admin"})  # fmt: skip
        session.add(job)
        session.flush()
        run = LmsSyncRun(tenant_id=tenant.id, connection_id=connection_id, job_id=job.id,
                         status=SyncStatus.running, started_at=dt.datetime.now(dt.UTC),
                         heartbeat_at=dt.datetime.now(dt.UTC), owner=run_owner,
                         failures=[])  # fmt: skip
        session.add(run)
        session.flush()
        return run.id


def ended_process() -> str:
    import socket

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}"


def recovered(app: Flask, run_id: int) -> tuple[str, str | None, str, str | None]:
    with transaction(app) as session:
        run = session.get_one(LmsSyncRun, run_id)
        assert run.job_id is not None
        job = session.get_one(Job, run.job_id)
        return run.status.value, run.message, job.status.value, job.error


@pytest.mark.db
def test_a_sync_left_running_is_recovered_at_start_and_by_the_sweeper(
    make_live_app: Callable[..., Flask], silent: SilentServer
) -> None:
    app = make_live_app()
    connection_id = connect(app, silent.url)
    first = stale_run(app, connection_id, ended_process())
    on_start(app)  # the tool starts again after the process died
    status, message, job_status, error = recovered(app, first)
    assert (status, job_status) == ("failed", "failed")
    assert message is not None and "has ended" in message and error is not None
    page = signed_in(app, ADMIN, "admin").get(f"/admin/lms/runs/{first}").get_data(as_text=True)
    assert "stopped without finishing" in page

    stop_sweeper(app)  # on_start started one; a faster one for the test
    start_sweeper(app, every_s=0.2)
    second = stale_run(app, connection_id, ended_process())
    until(lambda: recovered(app, second)[0] == "failed", 30, "the sweeper to recover the run")


@pytest.mark.integration
def test_a_celery_worker_that_starts_recovers_syncs_left_running(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path,
    silent: SilentServer,
) -> None:  # fmt: skip
    app = create_app({"DATABASE_URL": f"sqlite:///{database_file}", "SECRET_KEY": SECRET,
                      "LOG_JSON": False, **LIMITS})  # fmt: skip
    app.instance_path = str(tmp_path)
    connection_id = connect(app, silent.url)
    run_id = stale_run(app, connection_id, ended_process())
    workers.start()
    until(lambda: recovered(app, run_id)[0] == "failed", 120,
          f"the worker to recover the run\n{workers.logs()}")  # fmt: skip
    database(app).engine.dispose()


def test_the_beat_schedule_sweeps_stale_syncs(make_live_app: Callable[..., Flask]) -> None:
    from lti_pathing.jobs.celery_app import SCHEDULED_SYNC, SWEEP_SYNCS, _beat_schedule

    app = make_live_app(LMS_SYNC_INTERVAL_MINUTES=0)
    sweep = {"task": SWEEP_SYNCS, "schedule": 300.0, "options": {"queue": "lti_pathing"}}
    assert _beat_schedule(app)["lms-sync-sweep"] == sweep
    assert "lms-sync" not in _beat_schedule(app)
    app.config["LMS_SYNC_INTERVAL_MINUTES"] = 60
    assert _beat_schedule(app)["lms-sync"]["task"] == SCHEDULED_SYNC
