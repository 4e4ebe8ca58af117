"""Sync runs whose process died are marked failed, with their job, and the admin reads why."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.lms.recovery import STALE_AFTER, owner, process_gone, recover_stale_runs
from lti_pathing.models import Job, JobKind, JobStatus, Lms, LmsConnection, LmsSyncRun, SyncStatus
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.lms.conftest import CANVAS_TOKEN, CANVAS_URL, NOW, clock


@pytest.fixture
def canvas(session: Session, tenant: Any, app_ctx: Flask) -> LmsConnection:
    found = LmsConnectionService(session, tenant, clock).connect(
        Lms.canvas, CANVAS_URL, CANVAS_TOKEN
    )
    session.flush()
    return found


def dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def running(
    session: Session, canvas: LmsConnection, *, heard: dt.timedelta,
    run_owner: str | None = None, job: Job | None = None,
) -> LmsSyncRun:  # fmt: skip
    run = LmsSyncRun(tenant_id=canvas.tenant_id, connection=canvas,
                     status=SyncStatus.running, started_at=NOW - heard - dt.timedelta(minutes=1),
                     heartbeat_at=NOW - heard, owner=run_owner, failures=[],
                     job_id=job.id if job is not None else None)  # fmt: skip
    session.add(run)
    session.flush()
    return run


def sync_job(session: Session, tenant: Any) -> Job:
    job = Job(tenant_id=tenant.id, kind=JobKind.lms_sync, status=JobStatus.running,
              params={"person_ids": None, "trigger": "admin"})  # fmt: skip
    session.add(job)
    session.flush()
    return job


def test_a_run_not_heard_from_is_failed_with_its_job_and_a_live_one_is_left(
    session: Session, tenant: Any, canvas: LmsConnection
) -> None:
    job = sync_job(session, tenant)
    silent = running(session, canvas, heard=STALE_AFTER + dt.timedelta(seconds=1),
                     run_owner="worker-7:123", job=job)  # fmt: skip
    alive = running(session, canvas, heard=dt.timedelta(minutes=2), run_owner="worker-8:9")
    assert recover_stale_runs(session, clock) == [silent]
    assert silent.status == SyncStatus.failed and silent.finished_at == NOW
    assert silent.message == (
        f"stopped without finishing: nothing was heard from it since "
        f"{NOW - STALE_AFTER - dt.timedelta(seconds=1):%Y-%m-%d %H:%M} UTC (its process "
        "stopped). What it stored is kept; the next sync fetches the rest."
    )
    assert job.status == JobStatus.failed and job.error == f"sync run {silent.id} {silent.message}"
    assert alive.status == SyncStatus.running


def test_a_run_whose_process_on_this_host_ended_is_failed_at_once(
    session: Session, tenant: Any, canvas: LmsConnection
) -> None:
    gone = f"{socket.gethostname()}:{dead_pid()}"
    assert process_gone(gone) and not process_gone(owner())
    assert not process_gone(f"another-host:{dead_pid()}")  # only its silence tells
    ended = running(session, canvas, heard=dt.timedelta(seconds=5), run_owner=gone)
    ours = running(session, canvas, heard=dt.timedelta(seconds=5), run_owner=owner())
    assert recover_stale_runs(session, clock, canvas.id) == [ended]
    assert ended.message is not None and f"the process running it ({gone}) has ended" in (
        ended.message
    )
    assert ours.status == SyncStatus.running


def test_a_job_with_another_attempt_running_is_not_failed(
    session: Session, tenant: Any, canvas: LmsConnection
) -> None:
    job = sync_job(session, tenant)
    first = running(session, canvas, heard=dt.timedelta(hours=1), job=job)
    running(session, canvas, heard=dt.timedelta(seconds=10), run_owner=owner(), job=job)
    assert recover_stale_runs(session, clock) == [first]
    assert job.status == JobStatus.running  # its redelivered attempt is still at work
