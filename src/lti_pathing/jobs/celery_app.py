"""The Celery application: Redis broker and results, late acknowledgement, one task at a time.

Workers start with `lti-pathing worker` (or `celery -A lti_pathing.jobs.worker worker`). Tasks
only carry a job id: the Job row holds the parameters, and the work is in `jobs.work`.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from lti_pathing.jobs import work

QUEUE = "lti_pathing"
SYNC_RETRIES = 5
SCHEDULED_SYNC = "lti_pathing.scheduled_sync"
SWEEP_SYNCS = "lti_pathing.sweep_lms_syncs"


def time_limits(app: Flask, kind: str, learners: int = 1) -> tuple[float, float]:
    """(soft, hard) seconds for a task, from the solver's time limit and the work it holds."""
    limit = float(app.config["SOLVER_TIME_LIMIT_S"])
    quick = float(app.config["QUICK_TIME_LIMIT_S"])
    if kind == "chunk":
        soft = quick * learners * 1.5 + 60
    elif kind == "settle":
        soft = 3 * limit + 0.1 * learners + 120
    elif kind == "estimate":
        soft = quick * learners * 1.5 + 60
    elif kind == "plan":
        # a team plan or a plan with explanations: the limit, plus what-ifs for infeasible pins
        soft = 2 * limit + 10 * quick + 60
    else:
        soft = 600.0
    return soft, soft + 60


def make_celery(app: Flask) -> Celery:
    """A Celery app bound to the Flask app's settings, with the project's tasks registered."""
    broker = app.config["CELERY_BROKER_URL"]
    celery = Celery(
        app.import_name, broker=broker, backend=app.config["CELERY_RESULT_BACKEND"] or broker
    )

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery.Task = FlaskTask
    celery.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,  # a long solve never holds other tasks hostage
        task_acks_late=True,  # acknowledged after the work: a crashed worker loses nothing
        task_reject_on_worker_lost=True,  # ... and a killed child puts its task back
        task_track_started=True,
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        # Unacknowledged tasks of a worker that died are redelivered after this; it must be
        # longer than the longest task (see docs/deploy.md).
        broker_transport_options={"visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]},
        result_backend_transport_options={
            "visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]
        },
        worker_hijack_root_logger=False,
    )
    celery.conf.beat_schedule = _beat_schedule(app)
    _register(celery, app)
    app.extensions["lti_pathing.celery"] = celery
    return celery


def _beat_schedule(app: Flask) -> dict[str, Any]:
    """Run beat with the workers: `lti-pathing worker -B` (one of them) or `celery beat`."""
    from lti_pathing.jobs.sweep import SWEEP_MINUTES

    # Syncs whose worker died are marked failed (they would otherwise stay "running" for good).
    schedule: dict[str, Any] = {
        "lms-sync-sweep": {
            "task": SWEEP_SYNCS,
            "schedule": 60.0 * SWEEP_MINUTES,
            "options": {"queue": QUEUE},
        }
    }
    minutes = app.config["LMS_SYNC_INTERVAL_MINUTES"]
    if minutes:
        schedule["lms-sync"] = {
            "task": SCHEDULED_SYNC,
            "schedule": 60.0 * minutes,
            "options": {"queue": QUEUE},
        }
    return schedule


def _register(celery: Celery, app: Flask) -> None:
    """The tasks; names are stable because producers send them by name."""

    @celery.task(name="lti_pathing.run_job")  # type: ignore[untyped-decorator,unused-ignore]
    def run_job(job_id: int) -> None:
        """Plans: deterministic, so never retried (an infeasible solve stays infeasible)."""
        work.run_job(app, job_id)

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.sync_job", bind=True, max_retries=SYNC_RETRIES
    )
    def sync_job(self: Task, job_id: int) -> None:
        """LMS calls (completion syncs, grade passback): retried with backoff, then given up."""
        try:
            work.run_job(app, job_id)
        except work.Retryable as error:
            tries = int(self.request.retries)
            if tries >= SYNC_RETRIES:
                work.fail(app, job_id, f"gave up after {tries + 1} attempts: {error}")
                return
            raise self.retry(exc=error, countdown=min(600, 30 * 2**tries)) from error

    @celery.task(name=SCHEDULED_SYNC)  # type: ignore[untyped-decorator,unused-ignore]
    def scheduled_sync() -> int:
        """Celery beat: queue a sync of every tenant that has an active LMS connection."""
        return work.queue_scheduled_syncs(app)

    @celery.task(name="lti_pathing.replan_chunk")  # type: ignore[untyped-decorator,unused-ignore]
    def replan_chunk(job_id: int, person_ids: list[int], chunks: int = 1) -> dict[str, Any]:
        """One chunk of an organisation re-plan: each learner alone (pure: safe to redo)."""
        from lti_pathing.db import transaction
        from lti_pathing.services.replan import ReplanService

        def ideal_chunk() -> dict[str, Any]:
            with transaction(app) as session:
                return ReplanService.for_job(session, app, job_id).ideal_chunk(person_ids)

        work.retry_locked(lambda: work.mark_running(app, job_id))
        ideal = work.retry_locked(ideal_chunk)
        work.retry_locked(lambda: work.chunk_done(app, job_id, chunks))
        return ideal

    @celery.task(name="lti_pathing.replan_settle")  # type: ignore[untyped-decorator,unused-ignore]
    def replan_settle(ideals: list[dict[str, Any]], job_id: int) -> None:
        """Ledger, repair and storing (one transaction with the job's `done`: safe to redo)."""
        try:
            work.settle(app, job_id, ideals)
        except Exception as error:
            work.fail(app, job_id, f"re-plan failed: {type(error).__name__}: {error}")
            raise

    @celery.task(name=SWEEP_SYNCS)  # type: ignore[untyped-decorator,unused-ignore]
    def sweep_lms_syncs() -> int:
        """Celery beat: mark LMS sync runs whose worker died failed (and their jobs)."""
        from lti_pathing.jobs.sweep import recover_stale_syncs

        return recover_stale_syncs(app)


def celery_for(app: Flask) -> Celery:
    """The app's Celery (made on first use)."""
    found = app.extensions.get("lti_pathing.celery")
    return found if found is not None else make_celery(app)
