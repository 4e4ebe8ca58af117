"""Jobs that call the LMS: completion syncs and grade passback. Both retry when the LMS fails.

A sync commits as it goes (what was fetched is kept); afterwards the people whose plan items
it marked done get a grade passback job. A passback sends each target's score in its own
transaction, so a score the LMS accepted is recorded even when another one fails.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from flask import Flask

from lti_pathing.db import database, transaction, utcnow
from lti_pathing.errors import LtiPathingError
from lti_pathing.jobs.work import Retryable, complete
from lti_pathing.models import Job, JobStatus, LmsConnection, Person, SyncStatus, Tenant

log = logging.getLogger(__name__)


def sync(app: Flask, job_id: int) -> None:
    """Sync the job's people (None: the whole tenant) over every active connection."""
    from lti_pathing.jobs import enqueue_passback
    from lti_pathing.lms.sync import sync_person, sync_tenant
    from lti_pathing.services.grades import GradeService

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        tenant_id, params = job.tenant_id, dict(job.params)
    started = utcnow()
    trigger = str(params.get("trigger") or "manual")
    with database(app).sessions() as session:  # the sync commits as it goes
        tenant = session.get_one(Tenant, tenant_id)
        if params.get("person_ids") is None:
            runs = sync_tenant(session, tenant, trigger=trigger)
        else:
            runs = []
            for person_id in params["person_ids"]:
                person = session.get(Person, person_id)
                if person is not None and person.tenant_id == tenant_id:
                    runs += sync_person(session, tenant, person, trigger=trigger)
        summary = [_summary(run) for run in runs]
        session.commit()
    with transaction(app) as session:
        tenant = session.get_one(Tenant, tenant_id)
        changed = GradeService(session, tenant).people_with_items_done_since(started)
        if changed:
            enqueue_passback(session, tenant, changed)
    broken = [r for r in summary if r["status"] == SyncStatus.failed.value]
    if broken and len(broken) == len(summary):  # nothing fetched anywhere: the LMS is down
        raise Retryable(f"no LMS answered ({len(broken)} run(s) failed)")
    message = f"{len(runs)} run(s), {sum(r['recorded'] for r in summary)} new completion(s)"
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        complete(session, job, {"runs": summary, "passback": changed}, message if runs else
                 "nothing to sync: no active connection or no LMS user id")  # fmt: skip


def _summary(run: Any) -> dict[str, Any]:
    """What a job's result says about one sync run."""
    return {
        "run_id": run.id,
        "status": run.status.value,
        "fetched": run.fetched,
        "recorded": run.recorded,
        "items_completed": run.items_completed,
        "failed": run.people_failed,
    }


def passback(app: Flask, job_id: int) -> None:
    """Send each target's plan progress to its course's "Career plan progress" line item."""
    from lti_pathing.services.grades import GradeService

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        tenant_id, people = job.tenant_id, list(job.params["person_ids"])
        tenant = session.get_one(Tenant, tenant_id)
        targets = [t.id for t in GradeService(session, tenant).targets(people)]
    sent: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for target_id in targets:
        with transaction(app) as session:
            outcome = _send_one(session, session.get_one(Tenant, tenant_id), target_id)
        (failed if "error" in outcome else sent).append(outcome)
    if failed:
        raise Retryable(f"{len(failed)} score(s) not accepted: {failed[0]['error']}")
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        if job.status is not JobStatus.done:
            complete(session, job, {"sent": sent}, f"{len(sent)} score(s) sent")


def _send_one(session: Any, tenant: Tenant, target_id: int) -> dict[str, Any]:
    """Send one target's score; the outcome (sent or the LMS's refusal) is recorded on it."""
    from pylti1p3.exception import LtiException

    from lti_pathing.lti.adapter import service_connector
    from lti_pathing.lti.ags import PlanGrades
    from lti_pathing.models import GradePassback
    from lti_pathing.services.grades import GradeService

    grades = GradeService(session, tenant)
    target = session.get_one(GradePassback, target_id)
    plan, score = grades.score_for(target.person_id)
    outcome: dict[str, Any] = {
        "person_id": target.person_id,
        "context": target.context.context_id,
        "plan_id": plan.id if plan else None,
        "score": float(score),
    }
    if target.error is None and target.score == score and target.sent_at is not None:
        return {**outcome, "unchanged": True}
    try:
        connector = service_connector(target.context.registration, session)
        book = PlanGrades(connector, {"lineitems": target.context.lineitems_url})
        line_item = book.report(target.subject, float(score), grades.clock()).get_id()
    except (LtiPathingError, LtiException, requests.RequestException, ValueError) as error:
        message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        log.info("grade passback to %s refused: %s", target.context.lineitems_url, message)
        grades.record_failed(target, str(message))
        return {**outcome, "error": str(message)}
    grades.record_sent(target, plan, score, line_item)
    return outcome


def queue_scheduled_syncs(app: Flask) -> int:
    """Queue a whole-tenant sync for every active tenant with an active LMS connection."""
    from sqlalchemy import select

    from lti_pathing.jobs import enqueue_sync

    queued = 0
    with transaction(app) as session:
        tenants = session.scalars(
            select(Tenant)
            .join(LmsConnection, LmsConnection.tenant_id == Tenant.id)
            .where(Tenant.active.is_(True), LmsConnection.active.is_(True))
            .distinct()
        ).all()
        for tenant in tenants:
            enqueue_sync(session, tenant, None, trigger="schedule")
            queued += 1
    return queued
