"""The jobs' transactional outbox: work that was promised is sent, or failed with a reason.

A job row and its dispatch record (`JobDispatch`) are written in the caller's transaction, so both
exist or neither does. After the commit the dispatcher (`send`) hands the job to the broker (or
to this process's threads) and notes the outcome. The sweeper (`sweep`: Celery beat, or a thread
in-process) sends again what is due: jobs whose send failed (the broker was down: they go within
one sweep of it coming back) and jobs sent but not started within `JOB_START_TIMEOUT_S` (a message
a broker restart lost, a worker that could not claim it). A job sent `JOB_SEND_TRIES` times that
never started is failed with a message the page polling it shows. A job left `running` with no
sign of life for longer than any task may run (`CELERY_VISIBILITY_TIMEOUT` + 5 minutes: its worker
died, or the database went away under it and it could not record its end) is queued again; jobs
are idempotent, so running one again is safe.

Sending never happens inside a database transaction: a slow broker holds no lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import weakref
from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.db import transaction
from lti_pathing.errors import Unavailable
from lti_pathing.models import Job, JobDispatch, JobKind, JobStatus

log = logging.getLogger(__name__)
SWEEPER = "lti_pathing.jobs.sweeper"
SWEEP_BATCH = 500  # jobs one sweep sends at most (the next sweep takes the rest)
STALE_MARGIN_S = 300  # beyond CELERY_VISIBILITY_TIMEOUT, before a silent running job is revived
UNREACHABLE = (
    "lti-pathing cannot start background work right now (its job queue does not answer), "
    "so nothing was saved; please try again in a minute"
)


def record(session: Session, job: Job) -> None:
    """Add the job's dispatch record to the session that adds the job (due at once)."""
    session.add(JobDispatch(job_id=job.id, tenant_id=job.tenant_id, tries=0, due_at=utcnow()))


def require_broker(app: Flask) -> None:
    """Raise Unavailable when the broker cannot be reached within SERVICE_TIMEOUT_S."""
    from lti_pathing.jobs import uses_celery

    if not uses_celery(app):
        return
    from kombu.exceptions import KombuError

    from lti_pathing.jobs.celery_app import ping

    try:
        ping(app)
    except (KombuError, OSError) as error:
        log.warning("job broker unreachable, request refused: %s", error)
        raise Unavailable(UNREACHABLE) from error


def send(app: Flask, job_id: int) -> str:
    """Send one queued job if it is due; what happened: sent, unsent, failed or skipped."""
    now = utcnow()
    with transaction(app, writes=True) as session:
        taken = _take(app, session, job_id, now)
    if taken is None:
        return "skipped"
    if isinstance(taken, str):
        return taken
    kind, params = taken
    try:
        _transport(app, kind, job_id, params)
    except Exception as error:  # whatever the broker raised: noted, and sent again by a sweep
        log.warning("job %s not sent: %s: %s", job_id, type(error).__name__, error)
        _note(app, job_id, f"{type(error).__name__}: {error}")
        return "unsent"
    _note(app, job_id, None)
    return "sent"


def _take(
    app: Flask, session: Session, job_id: int, now: dt.datetime
) -> tuple[JobKind, dict[str, Any]] | str | None:
    """Count one more try of a due job and push its next due time on (no other sender takes it).

    None when the job is not due (started, finished, or another sender has it); "failed" when
    it had all its tries.
    """
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.status is not JobStatus.queued:
        return None
    dispatch = session.get(JobDispatch, job_id, with_for_update=True)
    if dispatch is None:  # queued by code that predates the outbox
        dispatch = JobDispatch(job_id=job_id, tenant_id=job.tenant_id, tries=0, due_at=now)
        session.add(dispatch)
    if dispatch.due_at > now:
        return None
    if dispatch.tries >= app.config["JOB_SEND_TRIES"]:
        _give_up(job, dispatch, now)
        return "failed"
    dispatch.tries += 1
    dispatch.due_at = now + dt.timedelta(seconds=app.config["JOB_START_TIMEOUT_S"])
    return job.kind, dict(job.params)


def _give_up(job: Job, dispatch: JobDispatch, now: dt.datetime) -> None:
    """Fail a job that never started, saying why in words its page shows."""
    why = (
        "lti-pathing's job queue could not be reached"
        if dispatch.last_error
        else "no background worker started it"
    )
    job.status, job.finished_at = JobStatus.failed, now
    job.error = f"{why} ({dispatch.tries} tries); please try again"
    log.warning("job %s failed after %s tries: %s", job.id, dispatch.tries, dispatch.last_error)


def _note(app: Flask, job_id: int, error: str | None) -> None:
    """Record a send's outcome: sent, or due again at the next sweep with the reason."""
    with transaction(app, writes=True) as session:
        dispatch = session.get(JobDispatch, job_id, with_for_update=True)
        if dispatch is None:
            return
        if error is None:
            dispatch.sent_at, dispatch.last_error = utcnow(), None
        else:
            dispatch.due_at, dispatch.last_error = utcnow(), error[:500]


def _transport(app: Flask, kind: JobKind, job_id: int, params: dict[str, Any]) -> None:
    """Hand the job to Celery, or to this process's threads."""
    from lti_pathing import jobs

    if jobs.uses_celery(app):
        from lti_pathing.jobs.celery_app import send_job

        send_job(app, kind, job_id, params)
    else:
        jobs.submit(app, job_id)


def sweep(app: Flask) -> dict[str, int]:
    """Send every due job again (or fail those out of tries); how many of each outcome."""
    now = utcnow()
    revived = _requeue_stale(app, now)
    with transaction(app) as session:
        due = list(
            session.scalars(
                select(JobDispatch.job_id)
                .join(Job, Job.id == JobDispatch.job_id)
                .where(Job.status == JobStatus.queued, JobDispatch.due_at <= now)
                .order_by(JobDispatch.due_at)
                .limit(SWEEP_BATCH)
            )
        )
    outcomes = dict(Counter(send(app, job_id) for job_id in due))
    if revived:
        outcomes["requeued"] = revived
    if due:
        log.info("job sweep: %s", outcomes)
    return outcomes


def _requeue_stale(app: Flask, now: dt.datetime) -> int:
    """Queue again the jobs `running` with no progress for longer than any task may take."""
    quiet = dt.timedelta(seconds=app.config["CELERY_VISIBILITY_TIMEOUT"] + STALE_MARGIN_S)
    with transaction(app, writes=True) as session:
        stale = session.scalars(
            select(Job)
            .where(Job.status == JobStatus.running, Job.updated_at < now - quiet)
            .limit(SWEEP_BATCH)
            .with_for_update()
        ).all()
        for job in stale:
            log.warning("job %s running with no sign of life since %s: queued again", job.id,
                        job.updated_at)  # fmt: skip
            job.status = JobStatus.queued
            dispatch = session.get(JobDispatch, job.id)
            if dispatch is None:
                dispatch = JobDispatch(job_id=job.id, tenant_id=job.tenant_id, tries=0, due_at=now)
                session.add(dispatch)
            dispatch.claimed_by, dispatch.due_at = None, now
        return len(stale)


def start_sweeper(app: Flask) -> None:
    """Sweep every JOB_SWEEP_SECONDS on a daemon thread (in-process jobs; Celery has beat).

    The thread holds the app weakly: it ends with the app, or with `stop_sweeper`.
    """
    from lti_pathing.jobs import notifications, uses_celery

    if uses_celery(app) or app.extensions.get(SWEEPER) is not None:
        return
    stop = threading.Event()
    app.extensions[SWEEPER] = stop
    target, interval = weakref.ref(app), float(app.config["JOB_SWEEP_SECONDS"])

    def loop() -> None:
        while not stop.wait(interval):
            found = target()
            if found is None:
                return
            try:
                with found.app_context():
                    sweep(found)
                    notifications.sweep(found)
            except Exception:  # a database that is down now may be back at the next sweep
                log.exception("job sweep failed")
            del found

    threading.Thread(target=loop, name="job-sweeper", daemon=True).start()


def stop_sweeper(app: Flask) -> None:
    """End the app's sweeper thread (demo shutdown, tests)."""
    stop = app.extensions.pop(SWEEPER, None)
    if isinstance(stop, threading.Event):
        stop.set()
