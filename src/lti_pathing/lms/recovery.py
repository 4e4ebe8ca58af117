"""Sync runs whose process died are found and marked failed, with a message the admin reads.

A running sync shows it is alive: `owner` names its process ("host:pid") and `heartbeat_at` is
written between people and every few seconds while it waits for the LMS. A run still `running`
is stale when

- its process is gone: the owner is on this host and that pid no longer exists (known at once,
  e.g. when the tool or a worker starts again after a restart or a crash);
- or nothing was heard from it for `STALE_AFTER`, longer than one LMS call with its retries can
  take (a process on another host that was killed).

A stale run becomes `failed`; what it stored is kept and the next sync fetches the rest. Its
`lms_sync` job fails with it, unless another attempt of that job is running. This runs at app
and worker start, in a periodic sweep (Celery beat, or a thread in-process), and whenever a sync
starts on a connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.lms.http import Clock
from lti_pathing.models import Job, JobStatus, LmsSyncRun, SyncStatus

log = logging.getLogger("lti_pathing.lms")
# Longer than any silence of a live run: one call (5 s to connect, LMS_TIMEOUT_S to answer) and
# the longest wait before a retry (120 s), with room to spare.
STALE_AFTER = dt.timedelta(minutes=10)


def owner() -> str:
    """This process, as a run records who runs it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(run_owner: str | None) -> bool:
    """True when `run_owner` is a process of this host that no longer exists."""
    host, _, pid = (run_owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's process: only its silence tells
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def stale_reason(run: LmsSyncRun, now: dt.datetime) -> str | None:
    """Why a running run is stale, or None while it may still be alive."""
    if process_gone(run.owner):
        return f"the process running it ({run.owner}) has ended"
    last = run.heartbeat_at or run.started_at
    if now - last > STALE_AFTER:
        return f"nothing was heard from it since {last:%Y-%m-%d %H:%M} UTC (its process stopped)"
    if run.deadline_at is not None and now - run.deadline_at > STALE_AFTER:
        return f"it was still running {STALE_AFTER.total_seconds() / 60:g} min after its deadline"
    return None


def recover_stale_runs(
    session: Session, clock: Clock = utcnow, connection_id: int | None = None
) -> list[LmsSyncRun]:
    """Mark every stale running run failed (of one connection, or all); the runs marked."""
    now = clock()
    stmt = select(LmsSyncRun).where(LmsSyncRun.status == SyncStatus.running)
    if connection_id is not None:
        stmt = stmt.where(LmsSyncRun.connection_id == connection_id)
    recovered = []
    for run in session.scalars(stmt.order_by(LmsSyncRun.id)).all():
        reason = stale_reason(run, now)
        if reason is not None:
            _mark_failed(session, run, now, reason)
            recovered.append(run)
    session.flush()
    return recovered


def _mark_failed(session: Session, run: LmsSyncRun, now: dt.datetime, reason: str) -> None:
    run.status = SyncStatus.failed
    run.finished_at = now
    run.message = (
        f"stopped without finishing: {reason}. What it stored is kept; the next sync fetches "
        "the rest."
    )
    log.warning("lms sync %s marked failed: %s", run.id, reason)
    if run.job_id is None:
        return
    job = session.get(Job, run.job_id)
    other_attempt = session.scalar(
        select(
            exists().where(
                LmsSyncRun.job_id == run.job_id,
                LmsSyncRun.id != run.id,
                LmsSyncRun.status == SyncStatus.running,
            )
        )
    )
    if job is not None and not job.finished and not other_attempt:
        job.status, job.finished_at = JobStatus.failed, now
        job.error = f"sync run {run.id} {run.message}"
