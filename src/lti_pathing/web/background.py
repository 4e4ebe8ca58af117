"""Start plan solves in the background and report their progress (the page never waits on one).

A `Job` row is the truth: queued -> running -> done/failed, with a progress percentage the
pages poll. The work runs on a small in-process thread pool after the request has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from lti_pathing import db
from lti_pathing.errors import LtiPathingError
from lti_pathing.models import Job, JobKind, JobStatus, Tenant

Work = Callable[[Session, Tenant, Job], dict[str, Any]]
EXTENSION = "lti_pathing.journeys.executor"


def _executor(app: Flask) -> ThreadPoolExecutor:
    pool = app.extensions.get(EXTENSION)
    if pool is None:
        pool = ThreadPoolExecutor(max_workers=int(app.config.get("JOB_THREADS", 2)))
        app.extensions[EXTENSION] = pool
    return pool


def start(tenant: Tenant, actor_id: int, kind: JobKind, params: dict[str, Any], work: Work) -> Job:
    """Record a queued job, commit, and hand `work` to a worker thread."""
    session = db.session()
    job = Job(tenant_id=tenant.id, kind=kind, params=params, requested_by_id=actor_id)
    session.add(job)
    session.commit()  # the worker reads the job (and what the request wrote) from the database
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    submit(app, tenant.id, job.id, work)
    return job


def submit(app: Flask, tenant_id: int, job_id: int, work: Work) -> None:
    """Run the job on the pool (tests replace this to run it inline on their session)."""
    _executor(app).submit(run, app, tenant_id, job_id, work)


def run(app: Flask, tenant_id: int, job_id: int, work: Work) -> None:
    """Run one job in its own transaction; record the result, or the error in words."""
    with app.app_context():
        with db.transaction(app) as session:
            job = session.get_one(Job, job_id)
            job.status, job.progress, job.attempts = JobStatus.running, 10, job.attempts + 1
            job.started_at = db.utcnow()
        try:
            with db.transaction(app) as session:
                tenant = session.get_one(Tenant, tenant_id)
                job = session.get_one(Job, job_id)
                result = work(session, tenant, job)
                job.status, job.progress, job.result = JobStatus.done, 100, result
                job.finished_at = db.utcnow()
        except LtiPathingError as error:
            _fail(app, job_id, error.message, error.errors)
        except Exception as error:  # a worker must record every failure, never die silently
            app.logger.exception("job %s failed", job_id)
            _fail(app, job_id, f"the solve failed unexpectedly ({type(error).__name__})", None)


def _fail(app: Flask, job_id: int, message: str, errors: Any) -> None:
    with db.transaction(app) as session:
        job = session.get_one(Job, job_id)
        job.status, job.progress = JobStatus.failed, 100
        job.error = message if not errors else f"{message}: {errors}"
        job.finished_at = dt.datetime.now(dt.UTC)
