"""Jobs that call the LMS: completion syncs and grade passback. Both retry when the LMS fails.

A sync commits as it goes (what was fetched is kept) and never holds a transaction while the LMS
is asked (lms/sync.py); afterwards the people whose plan items it marked done get a grade
passback job. A passback reads what to send, sends it outside any transaction, and records the
outcome of each target in a short transaction of its own, so a score the LMS accepted is
recorded even when another one fails. An LMS whose circuit breaker is open is not retried: the
next sync after its cool-down tries it again. `recover_stale_syncs` marks runs whose process died
failed (at start and by a periodic sweep).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.db import database, transaction
from lti_pathing.errors import LtiPathingError
from lti_pathing.jobs.work import Retryable, complete
from lti_pathing.lms.circuit import SKIPPED
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
    from lti_pathing.lms.guard import SyncLimits
    from lti_pathing.lms.sync import sync_person, sync_tenant
    from lti_pathing.services.grades import GradeService

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        tenant_id, params = job.tenant_id, dict(job.params)
    started = utcnow()
    options: dict[str, Any] = {
        "trigger": str(params.get("trigger") or "manual"),
        "limits": SyncLimits.from_config(app.config),
        "job_id": job_id,
    }
    with database(app).sessions() as session:  # the sync commits as it goes
        tenant = session.get_one(Tenant, tenant_id)
        if params.get("person_ids") is None:
            runs = sync_tenant(session, tenant, **options)
        else:
            runs = []
            for person_id in params["person_ids"]:
                person = session.get(Person, person_id)
                if person is not None and person.tenant_id == tenant_id:
                    runs += sync_person(session, tenant, person, **options)
        summary = [_summary(run) for run in runs]
        session.commit()
    with transaction(app) as session:
        tenant = session.get_one(Tenant, tenant_id)
        changed = GradeService(session, tenant).people_with_items_done_since(started)
        if changed:
            enqueue_passback(session, tenant, changed)
    broken = [r for r in summary if r["status"] == SyncStatus.failed.value]
    paused = [r for r in broken if r["paused"]]
    if broken and len(broken) == len(summary) and len(paused) < len(broken):
        raise Retryable(f"no LMS answered ({len(broken)} run(s) failed)")  # the LMS is down
    message = f"{len(runs)} run(s), {sum(r['recorded'] for r in summary)} new completion(s)"
    if paused:  # retrying now would fail fast again; the next sync after the cool-down tries
        message += f"; {paused[0]['message']}"
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        complete(session, job, {"runs": summary, "passback": changed}, message[:500] if runs else
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
        "paused": (run.message or "").startswith(SKIPPED),
        "message": run.message,
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
        with database(app).sessions() as session:
            kind, outcome = _send_one(session, tenant_id, target_id)
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


@dataclass
class _Score:
    """What one target's score needs, read before any LMS call."""

    outcome: dict[str, Any]
    subject: str
    score: Decimal
    when: Any
    endpoint: dict[str, Any]
    connector: Any


def _send_one(session: Session, tenant_id: int, target_id: int) -> tuple[str, dict[str, Any]]:
    """Send one target's score; (sent | waiting | refused | failed, what happened), recorded.

    Three steps, so that no transaction is open while the LMS is asked: read what to send (and
    the tool key) and end that transaction, call the LMS, record the outcome in a new one.
    """
    from lti_pathing.lti.ags import PlanGrades, ScoreRefused

    ready = _prepare(session, tenant_id, target_id)
    if isinstance(ready, tuple):
        return ready
    session.commit()
    url = ready.endpoint.get("lineitems")
    try:
        book = PlanGrades(ready.connector, ready.endpoint)
        line_item = book.report(ready.subject, ready.score, ready.when).get_id()
    except ScoreRefused as error:
        log.info("grade passback to %s refused for good: %s", url, error)
        _record(session, tenant_id, target_id, error=error.message, final=error.http_status)
        return "refused", {**ready.outcome, "error": error.message,
                           "http_status": error.http_status}  # fmt: skip
    except (LtiPathingError, requests.RequestException, ValueError) as error:
        message = str(getattr(error, "message", None) or f"{type(error).__name__}: {error}")
        log.info("grade passback to %s failed: %s", url, message)
        _record(session, tenant_id, target_id, error=message)
        return "failed", {**ready.outcome, "error": message}
    _record(session, tenant_id, target_id, score=ready.score, line_item=line_item,
            plan_id=ready.outcome["plan_id"])  # fmt: skip
    return "sent", ready.outcome


def _prepare(
    session: Session, tenant_id: int, target_id: int
) -> _Score | tuple[str, dict[str, Any]]:
    """What to send for one target, or (waiting | sent, outcome) when nothing must be sent."""
    from lti_pathing.lti.adapter import service_connector
    from lti_pathing.models import GradePassback
    from lti_pathing.services.grades import GradeService

    grades = GradeService(session, session.get_one(Tenant, tenant_id))
    target = session.get_one(GradePassback, target_id)
    plan, score = grades.score_for(target.person_id)
    outcome: dict[str, Any] = {
        "person_id": target.person_id,
        "context": target.context.context_id,
        "plan_id": plan.id if plan else None,
        "score": float(score) if score is not None else None,
    }
    if score is None and target.sent_at is None:  # no progress yet: the grade book stays empty
        session.commit()
        return "waiting", outcome
    score = score if score is not None else Decimal("0.00")  # progress gone since: report it
    if target.error is None and target.score == score and target.sent_at is not None:
        session.commit()
        return "sent", {**outcome, "unchanged": True}
    context = target.context
    endpoint = {"lineitems": context.lineitems_url, "lineitem": context.lineitem_url}
    if context.gradebook is Gradebook.course:  # the tool's own column, found again by tag
        endpoint["lineitem"] = None
    connector = service_connector(context.registration, session)
    return _Score(outcome, target.subject, score, grades.clock(), endpoint, connector)


def _record(
    session: Session,
    tenant_id: int,
    target_id: int,
    *,
    score: Decimal | None = None,
    line_item: str | None = None,
    error: str | None = None,
    final: int | None = None,
    plan_id: int | None = None,
) -> None:
    """Record what the LMS said about one target's score, in a transaction of its own."""
    from lti_pathing.models import GradePassback, Plan
    from lti_pathing.services.grades import GradeService

    session.commit()  # end anything a lazy load may have begun meanwhile
    grades = GradeService(session, session.get_one(Tenant, tenant_id))
    target = session.get_one(GradePassback, target_id)
    if error is not None:
        grades.record_failed(target, error, final=final)
    else:
        assert score is not None
        plan = session.get(Plan, plan_id) if plan_id is not None else None
        grades.record_sent(target, plan, score, line_item)
    session.commit()


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
