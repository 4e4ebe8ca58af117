"""Background jobs: Celery workers when a broker is set, a small thread pool in-process otherwise.

Callers create a job with `enqueue_*` inside their transaction: the job row and its outbox record
are written together, and the job is sent after that transaction commits (so a worker always finds
the row); what could not be sent is sent again by the sweeper (`jobs.outbox`). Pages poll the Job
row for progress. Work someone waits for is refused at once (503, nothing written) when the broker
cannot be reached; work queued on the side (a launch's sync, a grade passback) waits in the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_pathing.jobs import outbox
from lti_pathing.models import Job, JobKind, JobStatus, Plan, Tenant
from lti_pathing.services.base import TenantService
from lti_pathing.services.planning import PlanSettings, next_monday

log = logging.getLogger(__name__)
EXECUTOR = "lti_pathing.jobs.executor"
SYNC_PENDING_MINUTES = 30
# In-process retries of work that failed for a reason worth retrying (an LMS that did not answer):
# seconds to wait before each new attempt; Celery retries with its own backoff instead.
RETRY_DELAYS = (5.0, 30.0, 120.0)
# Sync triggers nobody waits on: queued even while the broker is down (the outbox sends them).
BACKGROUND_TRIGGERS = ("launch", "schedule")


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
    session: Session,
    tenant: Tenant,
    kind: JobKind,
    params: dict[str, Any],
    actor_id: int | None,
    waiting: bool = True,
) -> Job:
    """The job and its outbox record, sent once the session commits.

    `waiting`: someone waits for this job, so a broker that cannot be reached refuses it now
    (Unavailable, before anything is written) rather than promising work that may be late.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if waiting:
        outbox.require_broker(app)
    job = Job(tenant_id=tenant.id, kind=kind, params=params, requested_by_id=actor_id)
    session.add(job)
    session.flush()
    outbox.record(session, job)
    job_id, params = job.id, dict(job.params)
    _after_commit(session, lambda: dispatch(app, kind, job_id, params))
    return job


def enqueue_plan(
    session: Session,
    tenant: Tenant,
    person_id: int,
    settings: PlanSettings | None = None,
    actor_id: int | None = None,
    plan_id: int | None = None,
    replaces_id: int | None = None,
) -> Job:
    """Generate (or re-generate `plan_id`, or propose a replacement of `replaces_id`) a plan."""
    params = {
        "person_id": person_id,
        "plan_id": plan_id,
        "replaces_id": replaces_id,
        "actor_id": actor_id,
        "settings": (settings or PlanSettings()).to_json(),
    }
    return _create(session, tenant, JobKind.plan, params, actor_id)


def enqueue_from_today(
    session: Session, tenant: Tenant, plan: Plan, actor_id: int | None = None
) -> Job:
    """Re-plan from today: a draft changes in place, a held plan gets a proposal for the manager."""
    # Imported here, as the other job kinds' services: importing jobs stays light for workers.
    from lti_pathing.services.reschedule import RescheduleService

    schedule = RescheduleService(session, tenant)
    settings = schedule.settings_from_today(plan)
    if schedule.how(plan) == "regenerate":
        return enqueue_plan(session, tenant, plan.person_id, settings, actor_id, plan.id)
    return enqueue_plan(session, tenant, plan.person_id, settings, actor_id, replaces_id=plan.id)


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
    return _create(session, tenant, JobKind.plan, params, actor_id)


def enqueue_replan(
    session: Session,
    tenant: Tenant,
    manager_id: int | None = None,
    actor_id: int | None = None,
    today: Any = None,
    policy: str = "total",
) -> Job:
    """Re-plan everyone affected (the whole tenant, or one manager's reporting tree).

    `policy` says who gets mentors and seats when they are short (`solver.org.POLICIES`).
    """
    import datetime as dt

    from lti_pathing.services.replan import ReplanService

    people = ReplanService.affected(session, tenant, manager_id)
    starts = next_monday(today or dt.datetime.now(dt.UTC).date())
    params = {
        "person_ids": people,
        "manager_id": manager_id,
        "actor_id": actor_id,
        "starts_on": starts.isoformat(),
        "policy": ReplanService.checked_policy(policy),
    }
    return _create(session, tenant, JobKind.replan, params, actor_id)


def enqueue_sync(
    session: Session,
    tenant: Tenant,
    person_ids: Sequence[int] | None,
    actor_id: int | None = None,
    trigger: str = "manual",
) -> Job:
    """Pull LMS completions for people (None: everyone); a sync already pending covers it.

    Returns the pending job instead of a new one when an unfinished sync of the tenant (or of
    the same people) was queued in the last `SYNC_PENDING_MINUTES`: no duplicate concurrent
    syncs of a person, and a stuck job blocks no one for long.
    """
    pending = pending_sync(session, tenant, person_ids)
    if pending is not None:
        return pending
    params = {"person_ids": None if person_ids is None else sorted(set(person_ids)),
              "trigger": trigger}  # fmt: skip
    waiting = trigger not in BACKGROUND_TRIGGERS
    return _create(session, tenant, JobKind.lms_sync, params, actor_id, waiting)


def pending_sync(session: Session, tenant: Tenant, person_ids: Sequence[int] | None) -> Job | None:
    """An unfinished recent sync job that already covers these people (None: everyone)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=SYNC_PENDING_MINUTES)
    stmt = select(Job).where(
        Job.tenant_id == tenant.id,
        Job.kind == JobKind.lms_sync,
        Job.status.in_((JobStatus.queued, JobStatus.running)),
        Job.created_at >= since,
    )
    wanted = None if person_ids is None else set(person_ids)
    for job in session.scalars(stmt.order_by(Job.id.desc())):
        covered = job.params.get("person_ids")
        if covered is None or (wanted is not None and wanted <= set(covered)):
            return job
    return None


def enqueue_estimate(
    session: Session, tenant: Tenant, params: dict[str, Any], actor_id: int | None = None
) -> Job:
    """Time-to-ready for `params["pairs"]` ([person id, role id], ...) in the background."""
    return _create(session, tenant, JobKind.estimate, params, actor_id)


def enqueue_alternatives(session: Session, tenant: Tenant, plan: Plan, actor_id: int) -> Job:
    """The cheapest and fastest alternatives to a submitted plan, solved in the background."""
    # Imported here, as the other job kinds' services: importing jobs stays light for workers.
    from lti_pathing.services.plan_alternatives import KINDS, MAX_PROBES, PURPOSE

    params = {"purpose": PURPOSE, "plan_id": plan.id, "version": plan.version,
              "solves": MAX_PROBES + len(KINDS) - 1}  # fmt: skip
    return _create(session, tenant, JobKind.estimate, params, actor_id)


def enqueue_passback(
    session: Session, tenant: Tenant, person_ids: Sequence[int], actor_id: int | None = None
) -> Job | None:
    """Send these people's plan progress to their LMS grade books (None: nowhere to send)."""
    from lti_pathing.services.grades import GradeService

    people = GradeService(session, tenant).with_targets(person_ids)
    if not people:
        return None
    params = {"person_ids": people}
    return _create(session, tenant, JobKind.grade_passback, params, actor_id, waiting=False)


def dispatch(app: Flask, kind: JobKind, job_id: int, params: dict[str, Any]) -> None:
    """Send a committed job now (the outbox notes whether it went; tests run jobs inline here).

    The job is committed already: whatever goes wrong here is logged, never the caller's error,
    and the outbox's sweep sends the job later.
    """
    try:
        outbox.send(app, job_id)
    except Exception:  # the database or broker failed right after the commit: the sweep retries
        log.exception("job %s not sent after its commit; the next sweep sends it", job_id)


def _executor(app: Flask) -> ThreadPoolExecutor:
    executor = app.extensions.get(EXECUTOR)
    if executor is None:
        executor = ThreadPoolExecutor(app.config["JOB_THREADS"], thread_name_prefix="job")
        app.extensions[EXECUTOR] = executor
        outbox.start_sweeper(app)  # this process runs jobs: it also sends again what is due
    return executor


def run_in_background(app: Flask, work: Callable[[], object]) -> None:
    """Run `work` on this process's job threads, in the app's context (errors are logged)."""

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # nobody waits for it: logged, and the next sweep tries again
                log.exception("background work failed")

    _executor(app).submit(run)


def submit(app: Flask, job_id: int) -> None:
    """Run a job on this process's threads (the in-process broker)."""
    _submit(app, job_id, 0, uuid.uuid4().hex)


def _submit(app: Flask, job_id: int, retries: int, delivery: str) -> None:
    """Run a job on the pool; a Retryable failure is tried again after a delay, then given up."""
    from lti_pathing.jobs.work import NotStarted, Retryable, fail, run_job

    def run() -> None:
        with app.app_context():
            try:
                run_job(app, job_id, delivery)
            except (Retryable, NotStarted) as error:
                if retries >= len(RETRY_DELAYS):
                    fail(app, job_id, f"gave up after {retries + 1} attempts: {error}")
                    return
                log.info("job %s will be retried: %s", job_id, error)
                again = (app, job_id, retries + 1, delivery)
                timer = threading.Timer(RETRY_DELAYS[retries], _submit, again)
                timer.daemon = True
                timer.start()
            except Exception:  # already logged and recorded on the job by run_job
                log.debug("in-process job %s ended with an error", job_id)

    _executor(app).submit(run)
