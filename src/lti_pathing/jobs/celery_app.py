"""The Celery application: Redis broker and results, late acknowledgement, one task at a time.

Workers start with `lti-pathing worker` (or `celery -A lti_pathing.jobs.worker worker`). Tasks
only carry a job id: the Job row holds the parameters, and the work is in `jobs.work`. The web
process only publishes (`send_job`), never waits for a result: it needs the broker alone, and a
broker it cannot reach costs it `SERVICE_TIMEOUT_S`, not the result store's 20 reconnections.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from lti_pathing.jobs import work
from lti_pathing.models import JobKind
from lti_pathing.services.replan import SETTLE_S_PER_LEARNER

QUEUE = "lti_pathing"
SYNC_RETRIES = 5
CLAIM_RETRIES = 5  # a worker that cannot reach the database to start a job tries again later
SCHEDULED_SYNC = "lti_pathing.scheduled_sync"
PURGE_AUDIT = "lti_pathing.purge_audit"
SWEEP = "lti_pathing.sweep_jobs"
SWEEP_SYNCS = "lti_pathing.sweep_lms_syncs"
NOTIFY = "lti_pathing.deliver_notifications"
NOTIFY_SWEEP = "lti_pathing.sweep_notifications"
EXPIRE_BOOKINGS = "lti_pathing.expire_bookings"


def time_limits(app: Flask, kind: str, learners: int = 1) -> tuple[float, float]:
    """(soft, hard) seconds for a task, from the solver's time limit and the work it holds."""
    limit = float(app.config["SOLVER_TIME_LIMIT_S"])
    quick = float(app.config["QUICK_TIME_LIMIT_S"])
    if kind == "chunk":
        soft = quick * learners * 1.5 + 60
    elif kind == "settle":
        soft = 3 * limit + 0.1 * learners + 120
    elif kind == "group":  # one contention group of the settle step
        soft = 2 * SETTLE_S_PER_LEARNER * learners + 2 * limit + 60
    elif kind == "estimate":
        soft = quick * learners * 1.5 + 60
    elif kind == "plan":
        # a team plan or a plan with explanations: the limit, plus what-ifs for infeasible pins
        soft = 2 * limit + 10 * quick + 60
    elif kind == "start":  # claiming a re-plan and sending its chunks
        soft = 60.0
    else:
        soft = 600.0
    return soft, soft + 60


def make_celery(app: Flask) -> Celery:
    """A Celery app bound to the Flask app's settings, with the project's tasks registered."""
    broker = app.config["CELERY_BROKER_URL"]
    timeout = app.config["SERVICE_TIMEOUT_S"]
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
        # A broker that is down is known within `timeout`: the outbox sends the job again later,
        # so a publish is tried twice at most (Celery's default waits up to 3 times).
        broker_connection_timeout=timeout,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        # Unacknowledged tasks of a worker that died are redelivered after this; it must be
        # longer than the longest task (see docs/deploy.md). The socket timeout is longer than
        # kombu's 1 s BRPOP wait, so an idle worker is never mistaken for a dead connection.
        broker_transport_options={
            "visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"],
            "socket_connect_timeout": timeout,
            "socket_timeout": 5 * timeout + 5,
        },
        result_backend_transport_options={
            "visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]
        },
        redis_socket_connect_timeout=timeout,
        redis_socket_timeout=5 * timeout + 5,
        worker_hijack_root_logger=False,
    )
    celery.conf.beat_schedule = _beat_schedule(app)
    _register(celery, app)
    app.extensions["lti_pathing.celery"] = celery
    return celery


def _beat_schedule(app: Flask) -> dict[str, Any]:
    """Run beat with the workers: `lti-pathing worker -B` (one of them) or `celery beat`."""
    from lti_pathing.jobs.retention import PURGE_HOURS
    from lti_pathing.jobs.sweep import SWEEP_MINUTES

    # Syncs whose worker died are marked failed (they would otherwise stay "running" for good).
    schedule: dict[str, Any] = {
        # Jobs the outbox holds (unsent, or sent and never started) are sent again.
        "job-sweep": {
            "task": SWEEP,
            "schedule": float(app.config["JOB_SWEEP_SECONDS"]),
            "options": {"queue": QUEUE, "expires": float(app.config["JOB_SWEEP_SECONDS"])},
        },
        # Notifications due later (quiet hours, digests, retries) and the daily look for plans
        # behind schedule and check-ins coming up.
        "notify-sweep": {
            "task": NOTIFY_SWEEP,
            "schedule": float(app.config["JOB_SWEEP_SECONDS"]),
            "options": {"queue": QUEUE, "expires": float(app.config["JOB_SWEEP_SECONDS"])},
        },
        "lms-sync-sweep": {
            "task": SWEEP_SYNCS,
            "schedule": 60.0 * SWEEP_MINUTES,
            "options": {"queue": QUEUE},
        },
        # Audit records past their tenant's retention are deleted (jobs.retention).
        "audit-retention": {
            "task": PURGE_AUDIT,
            "schedule": 3600.0 * PURGE_HOURS,
            "options": {"queue": QUEUE},
        },
        # Mentor booking requests nobody answered in time expire; their plans are re-planned.
        "expire-bookings": {"task": EXPIRE_BOOKINGS, "schedule": 3600.0,
                            "options": {"queue": QUEUE}},
    }  # fmt: skip
    minutes = app.config["LMS_SYNC_INTERVAL_MINUTES"]
    if minutes:
        schedule["lms-sync"] = {
            "task": SCHEDULED_SYNC,
            "schedule": 60.0 * minutes,
            "options": {"queue": QUEUE},
        }
    return schedule


def _register(celery: Celery, app: Flask) -> None:
    """The tasks; names are stable because producers send them by name.

    `shared=False`: each Celery app has its own tasks, bound to its own Flask app. Shared tasks
    (Celery's default) would be added to every Celery app made later in the process, where the
    first registration wins (and Celery 5.6+ warns about the second).
    """

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.run_job", bind=True, shared=False
    )
    def run_job(self: Task, job_id: int) -> None:
        """Plans: deterministic, so never retried (an infeasible solve stays infeasible)."""
        _claimed(self, job_id, lambda delivery: work.run_job(app, job_id, delivery))

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.sync_job", bind=True, max_retries=None, shared=False
    )
    def sync_job(self: Task, job_id: int) -> None:
        """LMS calls (completion syncs, grade passback): retried with backoff, then given up."""
        try:
            _claimed(self, job_id, lambda delivery: work.run_job(app, job_id, delivery))
        except work.Retryable as error:
            tries = int(self.request.retries)
            if tries >= SYNC_RETRIES:
                work.fail(app, job_id, f"gave up after {tries + 1} attempts: {error}")
                return
            raise self.retry(exc=error, countdown=min(600, 30 * 2**tries)) from error

    @celery.task(name=SCHEDULED_SYNC, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def scheduled_sync() -> int:
        """Celery beat: queue a sync of every tenant that has an active LMS connection."""
        return work.queue_scheduled_syncs(app)

    @celery.task(name=EXPIRE_BOOKINGS, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def expire_bookings() -> int:
        """Celery beat: expire unanswered mentor booking requests (see jobs.mentoring)."""
        from lti_pathing.jobs.mentoring import expire_bookings as expire

        return expire(app)

    @celery.task(name=SWEEP, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def sweep_jobs() -> dict[str, int]:
        """Celery beat: send again the jobs the outbox holds that are due (see jobs.outbox)."""
        from lti_pathing.jobs import outbox

        return outbox.sweep(app)

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.replan_start", bind=True, shared=False
    )
    def replan_start(self: Task, job_id: int) -> None:
        """Claim an organisation re-plan and start its chord of chunks (built here, on a worker)."""
        _claimed(self, job_id, lambda delivery: _start_chord(celery, app, job_id, delivery))

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.replan_chunk", shared=False
    )
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

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.replan_settle", shared=False
    )
    def replan_settle(ideals: list[dict[str, Any]], job_id: int) -> None:
        """Share mentors and seats: contention groups as a chord over workers, then storing.

        Without any group (nobody contends) the plans are stored here (one transaction with the
        job's `done`: safe to redo).
        """
        try:
            groups = work.group_works(app, job_id, ideals)
            if not groups:
                work.settle(app, job_id, ideals)
                return
            _group_chord(celery, app, job_id, ideals, groups)
        except Exception as error:
            work.fail(app, job_id, f"re-plan failed: {type(error).__name__}: {error}")
            raise

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.replan_group", shared=False
    )
    def replan_group(group: dict[str, Any]) -> dict[str, Any]:
        """One contention group settled (no database: pure, safe to redo)."""
        from solver.org import settle_group
        from solver.org_format import settled_to_json, work_from_json

        return settled_to_json(settle_group(work_from_json(group)))

    @celery.task(  # type: ignore[untyped-decorator,unused-ignore]
        name="lti_pathing.replan_store", shared=False
    )
    def replan_store(
        groups: list[dict[str, Any]], job_id: int, ideals: list[dict[str, Any]]
    ) -> None:
        """The settled groups merged and every plan stored (with the job's `done`)."""
        try:
            work.settle(app, job_id, ideals, groups)
        except Exception as error:
            work.fail(app, job_id, f"re-plan failed: {type(error).__name__}: {error}")
            raise

    @celery.task(name=PURGE_AUDIT, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def purge_audit() -> int:
        """Celery beat: delete audit records past their tenant's retention."""
        from lti_pathing.jobs.retention import purge_all

        return purge_all(app)

    @celery.task(name=NOTIFY, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def deliver_notifications() -> dict[str, int]:
        """After a commit that recorded notifications: send what is due (at most once each)."""
        from lti_pathing.jobs import notifications

        return notifications.deliver_due(app)

    @celery.task(name=NOTIFY_SWEEP, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def sweep_notifications() -> dict[str, int]:
        """Celery beat: notifications due now, and the look for time-based events."""
        from lti_pathing.jobs import notifications

        return notifications.sweep(app)

    @celery.task(name=SWEEP_SYNCS, shared=False)  # type: ignore[untyped-decorator,unused-ignore]
    def sweep_lms_syncs() -> int:
        """Celery beat: mark LMS sync runs whose worker died failed (and their jobs)."""
        from lti_pathing.jobs.sweep import recover_stale_syncs

        return recover_stale_syncs(app)


def _claimed(task: Task, job_id: int, run: Any) -> None:
    """Run `run(delivery)`; when the database cannot be reached to start the job, retry later.

    The message is acknowledged either way (late, after this returns), so without the retry a
    worker whose database connection was cut would leave the job queued (the outbox's sweeper
    sends it again too, after JOB_START_TIMEOUT_S).
    """
    try:
        run(str(task.request.id))
    except work.NotStarted as error:
        tries = int(task.request.retries)
        if tries >= CLAIM_RETRIES:
            raise
        raise task.retry(exc=error, countdown=min(300, 5 * 2**tries)) from error


def _start_chord(celery: Celery, app: Flask, job_id: int, delivery: str) -> None:
    """The re-plan's chunks, then its settle step, as one chord (run on a worker)."""
    from celery import chord

    from lti_pathing.db import transaction
    from lti_pathing.models import Job
    from lti_pathing.services.replan import chunks

    if not work.start(app, job_id, delivery):
        return
    with transaction(app) as session:
        people = list(session.get_one(Job, job_id).params["person_ids"])
    size = app.config["REPLAN_CHUNK"]
    parts = list(chunks(people, size))
    soft, hard = time_limits(app, "chunk", size)
    header = [
        celery.signature(
            "lti_pathing.replan_chunk",
            (job_id, part, len(parts)),
            soft_time_limit=soft,
            time_limit=hard,
        )
        for part in parts
    ]
    soft, hard = time_limits(app, "settle", len(people))
    body = celery.signature(
        "lti_pathing.replan_settle", (job_id,), soft_time_limit=soft, time_limit=hard
    )
    chord(header)(body)  # an empty header runs the body at once


def _group_chord(
    celery: Celery,
    app: Flask,
    job_id: int,
    ideals: list[dict[str, Any]],
    groups: list[dict[str, Any]],
) -> None:
    """Each contention group on any worker, then the merge and the storing (run on a worker)."""
    from celery import chord

    header = []
    for group in groups:
        soft, hard = time_limits(app, "group", len(group["plans"]))
        header.append(celery.signature("lti_pathing.replan_group", (group,),
                                       soft_time_limit=soft, time_limit=hard))  # fmt: skip
    soft, hard = time_limits(app, "settle", sum(len(g["plans"]) for g in groups))
    body = celery.signature(
        "lti_pathing.replan_store", (job_id, ideals), soft_time_limit=soft, time_limit=hard
    )
    chord(header)(body)


def send_job(app: Flask, kind: JobKind, job_id: int, params: dict[str, Any]) -> None:
    """Publish one job's task (the outbox calls this after the job's transaction committed)."""
    if kind is JobKind.replan:
        name, (soft, hard) = "lti_pathing.replan_start", time_limits(app, "start")
    elif kind in (JobKind.lms_sync, JobKind.grade_passback):
        name, (soft, hard) = "lti_pathing.sync_job", time_limits(app, "plan")
    elif kind is JobKind.estimate:
        name, (soft, hard) = (
            "lti_pathing.run_job",
            time_limits(app, "estimate", len(params.get("pairs", [])) or params.get("solves", 1)),
        )
    else:
        name, (soft, hard) = "lti_pathing.run_job", time_limits(app, "plan")
    # No result is kept or awaited: the Job row is the truth (and the producer never connects to
    # the result store).
    celery_for(app).send_task(
        name, (job_id,), soft_time_limit=soft, time_limit=hard, ignore_result=True
    )


def ping(app: Flask) -> None:
    """Connect to the broker once, within SERVICE_TIMEOUT_S; kombu's OperationalError if not."""
    with celery_for(app).connection_for_write() as connection:
        connection.ensure_connection(max_retries=0, timeout=app.config["SERVICE_TIMEOUT_S"])


def celery_for(app: Flask) -> Celery:
    """The app's Celery (made on first use)."""
    found = app.extensions.get("lti_pathing.celery")
    return found if found is not None else make_celery(app)
