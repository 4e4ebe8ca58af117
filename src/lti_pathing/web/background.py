"""Time-to-ready estimates in the background (plan solves go through `lti_pathing.jobs`).

Estimates store nothing but their result on the `Job` row, which pages poll. They run on a small
in-process pool once the request that created the job has committed; the job bookkeeping
(running, progress, done, failed) is the one `lti_pathing.jobs.work` uses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lti_pathing import db
from lti_pathing.errors import LtiPathingError
from lti_pathing.jobs import work as job_work
from lti_pathing.models import Job, JobKind, Tenant

log = logging.getLogger(__name__)
# Work gets the app, tenant id and job id and opens its own short transactions (a long one
# would go stale on SQLite while progress is written beside it).
Work = Callable[[Flask, int, int], dict[str, Any]]
EXTENSION = "lti_pathing.journeys.executor"


def start(tenant: Tenant, actor_id: int, params: dict[str, Any], work: Work) -> Job:
    """Record a queued job; `work` starts on a worker thread once the request commits."""
    session = db.session()
    job = Job(tenant_id=tenant.id, kind=JobKind.plan, params=params, requested_by_id=actor_id)
    session.add(job)
    session.flush()
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    job_id = job.id

    def on_commit(_: Session) -> None:
        submit(app, tenant.id, job_id, work)

    event.listen(session, "after_commit", on_commit, once=True)
    return job


def submit(app: Flask, tenant_id: int, job_id: int, work: Work) -> None:
    """Run the job on the pool (tests replace this to run it inline)."""
    pool = app.extensions.get(EXTENSION)
    if pool is None:
        pool = ThreadPoolExecutor(int(app.config["JOB_THREADS"]), thread_name_prefix="estimate")
        app.extensions[EXTENSION] = pool
    pool.submit(run, app, tenant_id, job_id, work)


def run(app: Flask, tenant_id: int, job_id: int, work: Work) -> None:
    """Run one job to its end: done with its result, or failed with the reason in words."""
    with app.app_context():
        if not job_work.start(app, job_id):
            return
        try:
            result = work(app, tenant_id, job_id)
            with db.transaction(app) as session:
                job_work.complete(session, session.get_one(Job, job_id), result, "estimates ready")
        except LtiPathingError as error:
            job_work.fail(app, job_id, error.message)
        except Exception as error:  # a worker records every failure; it never dies silently
            log.exception("estimate job %s crashed", job_id)
            job_work.fail(app, job_id, f"internal error: {type(error).__name__}")
