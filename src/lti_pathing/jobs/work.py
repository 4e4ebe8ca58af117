"""What each kind of job does, run the same way by a Celery worker or an in-process thread.

Every job writes its results and its own `done` status in one transaction, so a task that is
delivered again (a worker died before acknowledging it) finds the job done and does nothing, or
finds nothing written and does it all again: plans are never duplicated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import case, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.db import transaction
from lti_pathing.errors import LtiPathingError
from lti_pathing.models import Job, JobDispatch, JobKind, JobStatus, Tenant

log = logging.getLogger(__name__)


class Retryable(Exception):
    """A failure worth retrying later (an LMS that did not answer); Celery retries with backoff."""


class NotStarted(Exception):
    """The job could not be claimed (the database did not answer): deliver it again later."""


T = TypeVar("T")
LOCK_RETRIES = 4


def retry_locked(attempt: Callable[[], T]) -> T:
    """Run a whole transaction again when SQLite reports a lock (another writer won the race).

    Jobs hold a transaction while they solve; on SQLite a second writer that committed meanwhile
    makes the first one's write fail at once. The work is idempotent, so doing it again is safe.
    PostgreSQL never needs this.
    """
    for tries in range(LOCK_RETRIES):
        try:
            return attempt()
        except OperationalError as error:
            if "locked" not in str(error) or tries == LOCK_RETRIES - 1:
                raise
            log.info("database locked; retrying the transaction (%s)", tries + 1)
            time.sleep(0.2 * (tries + 1))
    raise AssertionError("unreachable")


def mark_running(app: Flask, job_id: int) -> None:
    """Note that a re-plan has started (chunks may run on many workers at once)."""
    with transaction(app, writes=True) as session:
        job = session.get(Job, job_id)
        if job is not None and job.status is JobStatus.queued:
            job.status, job.started_at, job.attempts = JobStatus.running, utcnow(), 1


def chunk_done(app: Flask, job_id: int, chunks: int) -> None:
    """Count one more of the re-plan's `chunks` done, in one UPDATE (chunks end concurrently).

    The chunks take the progress to 90 %; storing the plans takes the rest. A chunk delivered
    twice (its worker died after counting it) counts twice, so the count stops at `chunks`.
    """
    done = case((Job.steps_done < chunks, Job.steps_done + 1), else_=Job.steps_done)
    with transaction(app, writes=True) as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.running)
            .values(steps_done=done, progress=done * 90 // max(1, chunks))
        )


def start(app: Flask, job_id: int, delivery: str | None = None) -> bool:
    """Claim the job for `delivery` and mark it running (one more attempt); False: do nothing.

    Nothing is done for a finished job, nor for one another delivery already runs: the outbox
    may have sent a job twice (its first message was late, not lost). The same delivery again
    is a redelivery (its worker died, or a retry): it runs again. `delivery` None always runs.
    """
    try:
        with transaction(app, writes=True) as session:
            job = session.get(Job, job_id, with_for_update=True)
            if job is None or job.finished:
                return False
            record = session.get(JobDispatch, job_id, with_for_update=True)
            if delivery is not None and record is not None:
                if job.status is JobStatus.running and record.claimed_by not in (None, delivery):
                    log.info("job %s already runs (%s); %s does nothing", job_id,
                             record.claimed_by, delivery)  # fmt: skip
                    return False
                record.claimed_by = delivery
            job.status = JobStatus.running
            job.attempts += 1
            job.started_at = job.started_at or utcnow()
            return True
    except DBAPIError as error:
        raise NotStarted(f"the database did not answer: {error.orig}") from error


def progress(app: Flask, job_id: int, percent: int, message: str | None = None) -> None:
    """Record progress for pages that poll the job (its own short transaction)."""
    with transaction(app, writes=True) as session:
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
    with transaction(app, writes=True) as session:
        job = session.get(Job, job_id)
        if job is not None and not job.finished:
            job.status, job.error, job.finished_at = JobStatus.failed, error, utcnow()


def run_job(app: Flask, job_id: int, delivery: str | None = None) -> None:
    """Run one job to its end: done, or failed with the reason (deterministic errors)."""
    if not start(app, job_id, delivery):
        log.info("job %s finished or running elsewhere; nothing to do", job_id)
        return
    with transaction(app) as session:
        kind = session.get_one(Job, job_id).kind
    try:
        retry_locked(lambda: RUNNERS[kind](app, job_id))
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
            _plan_team(session, job, service, settings)
            return
        plan = service.generate(
            p["person_id"], settings, p.get("actor_id"), p.get("plan_id"), job.id,
            p.get("replaces_id"),
        )  # fmt: skip
        complete(session, job, {"plan_ids": [plan.id]}, "1 plan(s) ready")


def _plan_team(session: Session, job: Job, service: Any, settings: Any) -> None:
    """A manager's reports planned together: proposals, and what sharing cost each of them.

    No progress is written meanwhile: on SQLite another write during this transaction's solve
    would make its own write fail (see `retry_locked`) and the whole solve run again.
    """
    from lti_pathing.services.planning.team import TeamPlanner

    team = TeamPlanner(service).plan(
        job.params["manager_id"], settings, job.params.get("actor_id"), job.id
    )
    complete(session, job, team.result, f"{len(team.plans)} plan(s) proposed")


def _replan(app: Flask, job_id: int) -> None:
    """An organisation re-plan run in this process: every chunk, then the settle step."""
    from lti_pathing.services.replan import ReplanService, chunks

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        people = list(job.params["person_ids"])
        size = app.config["REPLAN_CHUNK"]
    ideals: list[dict[str, Any]] = []
    parts = list(chunks(people, size))
    for part in parts:
        with transaction(app) as session:
            ideals.append(ReplanService.for_job(session, app, job_id).ideal_chunk(part))
        chunk_done(app, job_id, len(parts))
    settle(app, job_id, ideals)


def settle(
    app: Flask,
    job_id: int,
    ideals: list[dict[str, Any]],
    groups: list[dict[str, Any]] | None = None,
) -> None:
    """The re-plan's sharing and storing, in one transaction with the job's `done`.

    `groups`: contention groups settled on workers (`group_works`); otherwise settled here.
    """
    from lti_pathing.services.replan import ReplanService

    progress(app, job_id, 95, "sharing mentors and seats")

    def attempt() -> None:
        with transaction(app) as session:
            ReplanService.for_job(session, app, job_id).settle_and_store(ideals, groups)

    retry_locked(attempt)


def group_works(app: Flask, job_id: int, ideals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The re-plan's contention groups, each a task's work (read only: no transaction kept)."""
    from lti_pathing.services.replan import ReplanService

    progress(app, job_id, 92, "sharing mentors and seats")
    with transaction(app) as session:
        return ReplanService.for_job(session, app, job_id).group_works(ideals)


def _sync(app: Flask, job_id: int) -> None:
    from lti_pathing.jobs import lms

    lms.sync(app, job_id)


def _passback(app: Flask, job_id: int) -> None:
    from lti_pathing.jobs import lms

    lms.passback(app, job_id)


def _estimate(app: Flask, job_id: int) -> None:
    from lti_pathing.jobs import alternatives, estimates
    from lti_pathing.services.plan_alternatives import PURPOSE

    with transaction(app) as session:
        purpose = session.get_one(Job, job_id).params.get("purpose")
    (alternatives if purpose == PURPOSE else estimates).run(app, job_id)


def queue_scheduled_syncs(app: Flask) -> int:
    """Queue a sync of every tenant with an active LMS connection (Celery beat calls this)."""
    from lti_pathing.jobs import lms

    return lms.queue_scheduled_syncs(app)


RUNNERS: dict[JobKind, Callable[[Flask, int], None]] = {
    JobKind.plan: _plan,
    JobKind.replan: _replan,
    JobKind.lms_sync: _sync,
    JobKind.grade_passback: _passback,
    JobKind.estimate: _estimate,
}
