"""Background jobs: Celery workers when a broker is set, a small thread pool in-process otherwise.

Callers create a job with `enqueue_*` inside their transaction; the job is sent after that
transaction commits (so a worker always finds the row), and pages poll the Job row for progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lti_pathing.models import Job, JobKind, Tenant
from lti_pathing.services.base import TenantService
from lti_pathing.services.planning import PlanSettings, next_monday

log = logging.getLogger(__name__)
EXECUTOR = "lti_pathing.jobs.executor"


class JobService(TenantService):
    """Jobs of the acting tenant, for pages that show progress."""

    def get_job(self, job_id: int) -> Job:
        """One job (NotFound for another tenant's)."""
        return self.get(Job, job_id)

    def recent(self, limit: int = 20) -> list[Job]:
        """The newest jobs first."""
        return list(self.session.scalars(self.scoped(Job).order_by(Job.id.desc()).limit(limit)))


def uses_celery(app: Flask) -> bool:
    """True when a broker is configured (production); False runs jobs in-process."""
    return bool(app.config.get("CELERY_BROKER_URL"))


def _after_commit(session: Session, send: Callable[[], None]) -> None:
    """Send once the session's transaction commits (never for a rolled-back one)."""

    def on_commit(_: Session) -> None:
        send()

    event.listen(session, "after_commit", on_commit, once=True)


def _create(
    session: Session, tenant: Tenant, kind: JobKind, params: dict[str, Any], actor_id: int | None
) -> Job:
    job = Job(tenant_id=tenant.id, kind=kind, params=params, requested_by_id=actor_id)
    session.add(job)
    session.flush()
    return job


def enqueue_plan(
    session: Session,
    tenant: Tenant,
    person_id: int,
    settings: PlanSettings | None = None,
    actor_id: int | None = None,
    plan_id: int | None = None,
) -> Job:
    """Generate (or re-generate `plan_id`) one person's plan in the background."""
    params = {
        "person_id": person_id,
        "plan_id": plan_id,
        "actor_id": actor_id,
        "settings": (settings or PlanSettings()).to_json(),
    }
    job = _create(session, tenant, JobKind.plan, params, actor_id)
    _schedule(session, job)
    return job


def enqueue_team(
    session: Session,
    tenant: Tenant,
    manager_id: int,
    settings: PlanSettings | None = None,
    actor_id: int | None = None,
) -> Job:
    """Plan a manager's reports together in the background."""
    params = {
        "manager_id": manager_id,
        "actor_id": actor_id,
        "settings": (settings or PlanSettings()).to_json(),
    }
    job = _create(session, tenant, JobKind.plan, params, actor_id)
    _schedule(session, job)
    return job


def enqueue_replan(
    session: Session,
    tenant: Tenant,
    manager_id: int | None = None,
    actor_id: int | None = None,
    today: Any = None,
) -> Job:
    """Re-plan everyone affected (the whole tenant, or one manager's reporting tree)."""
    import datetime as dt

    from lti_pathing.services.replan import ReplanService

    people = ReplanService.affected(session, tenant, manager_id)
    starts = next_monday(today or dt.datetime.now(dt.UTC).date())
    params = {
        "person_ids": people,
        "manager_id": manager_id,
        "actor_id": actor_id,
        "starts_on": starts.isoformat(),
    }
    job = _create(session, tenant, JobKind.replan, params, actor_id)
    _schedule(session, job)
    return job


def enqueue_sync(
    session: Session, tenant: Tenant, person_ids: Sequence[int], actor_id: int | None = None
) -> Job:
    """Pull LMS completions for people (through `lti_pathing.lms.sync.sync_person`, if present)."""
    job = _create(session, tenant, JobKind.lms_sync, {"person_ids": list(person_ids)}, actor_id)
    _schedule(session, job)
    return job


def _schedule(session: Session, job: Job) -> None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    kind, job_id, params = job.kind, job.id, dict(job.params)
    _after_commit(session, lambda: dispatch(app, kind, job_id, params))


def dispatch(app: Flask, kind: JobKind, job_id: int, params: dict[str, Any]) -> None:
    """Hand a committed job to Celery, or to the in-process pool."""
    if uses_celery(app):
        _send(app, kind, job_id, params)
        return
    from lti_pathing.jobs.work import run_job

    executor = app.extensions.get(EXECUTOR)
    if executor is None:
        executor = ThreadPoolExecutor(app.config["JOB_THREADS"], thread_name_prefix="job")
        app.extensions[EXECUTOR] = executor

    def run() -> None:
        with app.app_context():
            try:
                run_job(app, job_id)
            except Exception:  # already logged and recorded on the job by run_job
                log.debug("in-process job %s ended with an error", job_id)

    executor.submit(run)


def _send(app: Flask, kind: JobKind, job_id: int, params: dict[str, Any]) -> None:
    from celery import chord

    from lti_pathing.jobs.celery_app import celery_for, time_limits
    from lti_pathing.services.replan import chunks

    celery = celery_for(app)
    if kind is JobKind.replan:
        size = app.config["REPLAN_CHUNK"]
        parts = list(chunks(params["person_ids"], size))
        soft, hard = time_limits(app, "chunk", size)
        header = [
            celery.signature(
                "lti_pathing.replan_chunk", (job_id, part), soft_time_limit=soft, time_limit=hard
            )
            for part in parts
        ]
        soft, hard = time_limits(app, "settle", len(params["person_ids"]))
        body = celery.signature(
            "lti_pathing.replan_settle", (job_id,), soft_time_limit=soft, time_limit=hard
        )
        chord(header)(body)  # an empty header runs the body at once
        return
    name = "lti_pathing.sync_job" if kind is JobKind.lms_sync else "lti_pathing.run_job"
    soft, hard = time_limits(app, "plan")
    celery.send_task(name, (job_id,), soft_time_limit=soft, time_limit=hard)
