"""What each kind of job does, run the same way by a Celery worker or an in-process thread.

Every job writes its results and its own `done` status in one transaction, so a task that is
delivered again (a worker died before acknowledging it) finds the job done and does nothing, or
finds nothing written and does it all again: plans are never duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.db import transaction, utcnow
from lti_pathing.errors import LtiPathingError
from lti_pathing.models import Job, JobKind, JobStatus, Tenant

log = logging.getLogger(__name__)


class Retryable(Exception):
    """A failure worth retrying later (an LMS that did not answer); Celery retries with backoff."""


def start(app: Flask, job_id: int) -> bool:
    """Mark the job running (one more attempt); False when it is already finished."""
    with transaction(app) as session:
        job = session.get(Job, job_id)
        if job is None or job.finished:
            return False
        job.status = JobStatus.running
        job.attempts += 1
        job.started_at = job.started_at or utcnow()
        return True


def progress(app: Flask, job_id: int, percent: int, message: str | None = None) -> None:
    """Record progress for pages that poll the job (its own short transaction)."""
    with transaction(app) as session:
        job = session.get(Job, job_id)
        if job is not None and not job.finished:
            job.progress = max(0, min(99, percent))
            job.message = message


def complete(session: Session, job: Job, result: dict[str, Any], message: str) -> None:
    """Mark the job done inside the transaction that wrote its results."""
    job.status, job.progress, job.message = JobStatus.done, 100, message
    job.result, job.error, job.finished_at = result, None, utcnow()


def fail(app: Flask, job_id: int, error: str) -> None:
    """Mark the job failed with a message people can read."""
    with transaction(app) as session:
        job = session.get(Job, job_id)
        if job is not None and not job.finished:
            job.status, job.error, job.finished_at = JobStatus.failed, error, utcnow()


def run_job(app: Flask, job_id: int) -> None:
    """Run one job to its end: done, or failed with the reason (deterministic errors)."""
    if not start(app, job_id):
        log.info("job %s already finished; nothing to do", job_id)
        return
    with transaction(app) as session:
        kind = session.get_one(Job, job_id).kind
    try:
        RUNNERS[kind](app, job_id)
    except LtiPathingError as error:  # the input cannot be planned: retrying would not help
        log.info("job %s failed: %s", job_id, error.message)
        fail(app, job_id, _describe(error))
    except Retryable:
        raise
    except Exception as error:
        log.exception("job %s crashed", job_id)
        fail(app, job_id, f"internal error: {type(error).__name__}")
        raise


def _describe(error: LtiPathingError) -> str:
    """The error and its per-field reasons as one readable text."""
    lines = [error.message]
    if isinstance(error.errors, dict):
        lines += [f"{field}: {'; '.join(map(str, msgs))}" for field, msgs in error.errors.items()]
    return "\n".join(lines)


def _plan(app: Flask, job_id: int) -> None:
    """One person's plan (or a manager's team)."""
    from lti_pathing.services.planning import Limits, PlanningService, PlanSettings

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        if job.status is JobStatus.done:
            return
        tenant = session.get_one(Tenant, job.tenant_id)
        service = PlanningService(session, tenant, limits=Limits.from_config(app.config))
        p = job.params
        settings = PlanSettings.from_json(p.get("settings", {}))
        if "manager_id" in p:
            plans = service.plan_team(p["manager_id"], settings, p.get("actor_id"), job.id)
        else:
            plans = [
                service.generate(
                    p["person_id"], settings, p.get("actor_id"), p.get("plan_id"), job.id
                )
            ]
        complete(
            session, job, {"plan_ids": [plan.id for plan in plans]}, f"{len(plans)} plan(s) ready"
        )


def _replan(app: Flask, job_id: int) -> None:
    """An organisation re-plan run in this process: every chunk, then the settle step."""
    from lti_pathing.services.replan import ReplanService, chunks

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        people = list(job.params["person_ids"])
        size = app.config["REPLAN_CHUNK"]
    ideals: list[dict[str, Any]] = []
    parts = list(chunks(people, size))
    for index, part in enumerate(parts):
        with transaction(app) as session:
            ideals.append(ReplanService.for_job(session, app, job_id).ideal_chunk(part))
        progress(app, job_id, 90 * (index + 1) // max(1, len(parts)), "planning each learner")
    with transaction(app) as session:
        ReplanService.for_job(session, app, job_id).settle_and_store(ideals)


def _sync(app: Flask, job_id: int) -> None:
    """Pull LMS completions for people, through the LMS sync when it is installed."""
    import importlib

    lms_sync: Any
    try:  # the LMS engineer's module; this hook wires itself up once it exists
        lms_sync = importlib.import_module("lti_pathing.lms.sync")
    except ImportError:
        lms_sync = None
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        if lms_sync is None or not hasattr(lms_sync, "sync_person"):
            raise LtiPathingError("LMS completion sync is not installed in this version")
        tenant = session.get_one(Tenant, job.tenant_id)
        try:
            results = [
                lms_sync.sync_person(session, tenant, pid) for pid in job.params["person_ids"]
            ]
        except (ConnectionError, TimeoutError, OSError) as error:
            raise Retryable(str(error)) from error
        complete(session, job, {"synced": len(results)}, f"synced {len(results)} person(s)")


RUNNERS: dict[JobKind, Callable[[Flask, int], None]] = {
    JobKind.plan: _plan,
    JobKind.replan: _replan,
    JobKind.lms_sync: _sync,
}
