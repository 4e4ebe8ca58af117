"""The jobs' outbox: promised work runs once the broker is back, or fails with a reason people see.

The broker is the real Redis (database of LTI_PATHING_TEST_REDIS_URL) and real Celery workers; "the
broker is down" is an app pointed at a port nothing listens on, then at the real broker again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from lti_pathing import jobs
from lti_pathing.auth import Actor
from lti_pathing.db import transaction
from lti_pathing.jobs import outbox
from lti_pathing.models import Job, JobDispatch, Person, Plan, Tenant
from lti_pathing.services.api_tokens import ApiTokenService
from tests.lti_pathing.jobs.conftest import Workers, make_app, wait_for
from tests.lti_pathing.web.conftest import Browser

SOLO = "E1013"
DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def finished(job: Job) -> bool:
    return job.finished


def learner(app: Flask, external_id: str = SOLO) -> Browser:
    """A browser signed in as that sample person (a learner)."""
    with transaction(app) as session:
        person = session.scalars(select(Person).where(Person.external_id == external_id)).one()
        actor = Actor(person.tenant_id, person.id, person.name)
    return Browser(app, app.test_client()).sign_in(actor)


def plan_form(app: Flask, external_id: str = SOLO) -> dict[str, str]:
    """The learner's "Generate my plan" form: their target role, six hours a week."""
    with transaction(app) as session:
        person = session.scalars(select(Person).where(Person.external_id == external_id)).one()
        return {"target_role_id": str(person.target_role_id), "hours_per_week": "6"}


def api_token(app: Flask) -> dict[str, str]:
    with transaction(app) as session:
        tenant = session.scalars(select(Tenant)).one()
        _, secret = ApiTokenService(session, tenant).create_token("outage test")
    return {"Authorization": f"Bearer {secret}"}


def counts(app: Flask) -> tuple[int, int]:
    """How many jobs and dispatch records the database holds."""
    with transaction(app) as session:
        return len(session.scalars(select(Job)).all()), len(
            session.scalars(select(JobDispatch)).all()
        )


def dispatch_of(app: Flask, job_id: int) -> dict[str, Any]:
    with transaction(app) as session:
        found = session.get_one(JobDispatch, job_id)
        return {"tries": found.tries, "sent": found.sent_at is not None,
                "error": found.last_error, "claimed_by": found.claimed_by}  # fmt: skip


def queue_plan(app: Flask, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    """Commit a plan job for SOLO; with `monkeypatch`, the process 'dies' before sending it."""
    if monkeypatch is not None:
        monkeypatch.setattr(jobs, "dispatch", lambda *args: None)
    with app.app_context(), transaction(app) as session:
        person = session.scalars(select(Person).where(Person.external_id == SOLO)).one()
        job_id = jobs.enqueue_plan(session, session.get_one(Tenant, person.tenant_id), person.id).id
    if monkeypatch is not None:
        monkeypatch.undo()
    return job_id


def test_a_job_and_its_dispatch_record_are_written_together_or_not_at_all(
    database_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(database_file, tmp_path, None)
    with pytest.raises(RuntimeError), app.app_context(), transaction(app) as session:
        person = session.scalars(select(Person).where(Person.external_id == SOLO)).one()
        jobs.enqueue_plan(session, session.get_one(Tenant, person.tenant_id), person.id)
        raise RuntimeError("the request failed after queueing")
    assert counts(app) == (0, 0)
    job_id = queue_plan(app, monkeypatch)
    assert counts(app) == (1, 1)
    assert dispatch_of(app, job_id) == {"tries": 0, "sent": False, "error": None,
                                        "claimed_by": None}  # fmt: skip


def test_the_in_process_sweeper_runs_a_job_whose_process_died_before_sending_it(
    database_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = queue_plan(make_app(database_file, tmp_path, None), monkeypatch)
    restarted = make_app(database_file, tmp_path, None, JOB_SWEEP_SECONDS=1)
    outbox.start_sweeper(restarted)
    try:
        state = wait_for(restarted, job_id, finished, 120)
    finally:
        outbox.stop_sweeper(restarted)
    assert state["status"] == "done", state
    assert dispatch_of(restarted, job_id)["tries"] == 1


def test_a_job_delivered_twice_runs_once(
    database_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(database_file, tmp_path, None, JOB_THREADS=2)
    job_id = queue_plan(app, monkeypatch)
    jobs.submit(app, job_id)  # e.g. a sweep re-sent a message that was only late:
    jobs.submit(app, job_id)  # two deliveries, on two threads at once
    state = wait_for(app, job_id, finished, 120)
    assert state["status"] == "done" and state["attempts"] == 1, state
    with transaction(app) as session:
        assert len(session.scalars(select(Plan).where(Plan.job_id == job_id)).all()) == 1


def test_a_job_left_running_by_a_worker_that_vanished_is_run_again(
    database_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its worker died, or the database went away under it: it stays `running` with no progress."""
    import datetime as dt

    from sqlalchemy import update

    app = make_app(database_file, tmp_path, None, CELERY_VISIBILITY_TIMEOUT=60)
    job_id = queue_plan(app, monkeypatch)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60 + outbox.STALE_MARGIN_S + 1)
    with transaction(app) as session:
        session.execute(update(Job).where(Job.id == job_id).values(
            status="running", attempts=1, started_at=long_ago, updated_at=long_ago))  # fmt: skip
        session.get_one(JobDispatch, job_id).claimed_by = "a-worker-that-died"
    assert outbox.sweep(app) == {"requeued": 1, "sent": 1}
    state = wait_for(app, job_id, finished, 120)
    assert state["status"] == "done" and state["attempts"] == 2, state
    assert outbox.sweep(app) == {}  # nothing left to do


@pytest.mark.integration
def test_while_the_broker_is_down_waited_for_work_is_refused_and_queued_work_runs_after(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    down = make_app(database_file, tmp_path, DOWN)
    started = time.monotonic()
    page = learner(down).post("/me/plan/generate", plan_form(down))
    refused_in = time.monotonic() - started
    text = unescape(page.text)
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "cannot start background work right now" in text and "try again in a minute" in text
    assert 'id="error-summary"' in text and 'name="hours_per_week"' in text
    assert 'value="6"' in text  # what the learner typed is kept
    answer = down.test_client().post("/api/v1/replans", json={}, headers=api_token(down))
    assert answer.status_code == 503 and answer.json is not None
    assert answer.json["code"] == "unavailable" and answer.json["status"] == 503
    assert "try again" in answer.json["message"]
    assert counts(down) == (0, 0)  # nothing promised, nothing half-written

    # A launch's sync is queued anyway (nobody waits for it): it stays in the outbox, unsent.
    with down.app_context(), transaction(down) as session:
        person = session.scalars(select(Person).where(Person.external_id == SOLO)).one()
        tenant = session.get_one(Tenant, person.tenant_id)
        sync_id = jobs.enqueue_sync(session, tenant, [person.id], trigger="launch").id
    unsent = dispatch_of(down, sync_id)
    assert unsent["tries"] == 1 and not unsent["sent"] and "Connection refused" in unsent["error"]

    # The broker is back: a worker running beat sweeps the outbox and the job runs.
    back = time.monotonic()
    workers.start(beat=True, JOB_SWEEP_SECONDS=1)
    up = make_app(database_file, tmp_path, redis_url)
    state = wait_for(up, sync_id, finished, 120, workers.logs)
    recovered_in = time.monotonic() - back  # worker start-up included
    assert state["status"] == "done", (state, workers.logs())
    assert dispatch_of(up, sync_id)["tries"] == 2 and dispatch_of(up, sync_id)["sent"]
    again = learner(up).post("/me/plan/generate", plan_form(up))
    assert again.status_code == 302
    with transaction(up) as session:
        plan_job = session.scalars(select(Job).where(Job.id != sync_id)).one().id
    assert wait_for(up, plan_job, finished, 180, workers.logs)["status"] == "done"
    print(f"refused in {refused_in:.3f} s, queued job done {recovered_in:.1f} s after the broker")


@pytest.mark.integration
def test_a_job_that_never_starts_is_failed_after_its_tries_and_the_learner_reads_why(
    database_file: Path, redis_url: str, tmp_path: Path
) -> None:
    app = make_app(database_file, tmp_path, redis_url, JOB_START_TIMEOUT_S=1, JOB_SEND_TRIES=2)
    browser = learner(app)
    assert browser.post("/me/plan/generate", plan_form(app)).status_code == 302
    with transaction(app) as session:
        job_id = session.scalars(select(Job.id)).one()
    broker = redis.Redis.from_url(redis_url)
    lose_messages: Callable[[], Any] = broker.flushdb  # a broker restart without persistence
    for expected in ({"sent": 1}, {"failed": 1}):
        lose_messages()
        time.sleep(1.2)  # past JOB_START_TIMEOUT_S: the job is due again
        assert outbox.sweep(app) == expected
    broker.close()
    state = wait_for(app, job_id, finished, 5)
    assert state["status"] == "failed" and state["attempts"] == 0
    page = unescape(browser.get("/me/plan").text)
    assert (
        "The last run did not finish: no background worker started it (2 tries); "
        "please try again" in page
    )
