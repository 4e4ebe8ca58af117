"""Jobs that call the LMS: completion syncs and grade passback. Both retry when the LMS fails.

A sync commits as it goes (what was fetched is kept); afterwards the people whose plan items
it marked done get a grade passback job. A passback sends each target's score in its own
transaction, so a score the LMS accepted is recorded even when another one fails.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import requests
from flask import Flask

from lti_pathing.db import database, transaction, utcnow
from lti_pathing.errors import LtiPathingError
from lti_pathing.jobs.work import Retryable, complete
from lti_pathing.models import (
    Gradebook,
    Job,
    JobStatus,
    LmsConnection,
    Person,
    SyncStatus,
    Tenant,
)

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
    """Send each target's plan progress to its course's chosen grade-book column.

    A refusal for good (a 4xx such as Canvas's 422 for someone who is not a student) is recorded
    on the target and not retried; the job is retried only for failures that may pass (5xx,
    timeouts, no token), and gives up after the runner's retry limit.
    """
    from lti_pathing.services.grades import GradeService

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        tenant_id, people = job.tenant_id, list(job.params["person_ids"])
        tenant = session.get_one(Tenant, tenant_id)
        targets = [t.id for t in GradeService(session, tenant).targets(people)]
    outcomes: dict[str, list[dict[str, Any]]] = {"sent": [], "waiting": [], "refused": [],
                                                 "failed": []}  # fmt: skip
    for target_id in targets:
        with transaction(app) as session:
            kind, outcome = _send_one(session, session.get_one(Tenant, tenant_id), target_id)
        outcomes[kind].append(outcome)
    if outcomes["failed"]:
        failed = outcomes["failed"]
        raise Retryable(f"{len(failed)} score(s) not delivered: {failed[0]['error']}")
    result = {k: v for k, v in outcomes.items() if v or k == "sent"}
    message = f"{len(outcomes['sent'])} score(s) sent"
    if outcomes["refused"]:
        message += f", {len(outcomes['refused'])} refused by the LMS for good"
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        if job.status is not JobStatus.done:
            complete(session, job, result, message)


def _send_one(session: Any, tenant: Tenant, target_id: int) -> tuple[str, dict[str, Any]]:
    """Send one target's score; (sent | waiting | refused | failed, what happened), recorded."""
    from lti_pathing.lti.adapter import service_connector
    from lti_pathing.lti.ags import PlanGrades, ScoreRefused
    from lti_pathing.models import GradePassback
    from lti_pathing.services.grades import GradeService

    grades = GradeService(session, tenant)
    target = session.get_one(GradePassback, target_id)
    plan, score = grades.score_for(target.person_id)
    outcome: dict[str, Any] = {
        "person_id": target.person_id,
        "context": target.context.context_id,
        "plan_id": plan.id if plan else None,
        "score": float(score) if score is not None else None,
    }
    if score is None and target.sent_at is None:  # no progress yet: the grade book stays empty
        return "waiting", outcome
    score = score if score is not None else Decimal("0.00")  # progress gone since: report it
    if target.error is None and target.score == score and target.sent_at is not None:
        return "sent", {**outcome, "unchanged": True}
    context = target.context
    endpoint = {"lineitems": context.lineitems_url, "lineitem": context.lineitem_url}
    if context.gradebook is Gradebook.course:  # the tool's own column, found again by tag
        endpoint["lineitem"] = None
    try:
        book = PlanGrades(service_connector(context.registration, session), endpoint)
        line_item = book.report(target.subject, score, grades.clock()).get_id()
    except ScoreRefused as error:
        log.info("grade passback to %s refused for good: %s", context.lineitems_url, error)
        grades.record_failed(target, error.message, final=error.http_status)
        return "refused", {**outcome, "error": error.message, "http_status": error.http_status}
    except (LtiPathingError, requests.RequestException, ValueError) as error:
        message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        log.info("grade passback to %s failed: %s", context.lineitems_url, message)
        grades.record_failed(target, str(message))
        return "failed", {**outcome, "error": str(message)}
    grades.record_sent(target, plan, score, line_item)
    return "sent", outcome


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
