"""What plan pages need around background work: estimates, the latest plan, the latest job."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.db import transaction
from lti_pathing.jobs import work as job_work
from lti_pathing.models import Job, JobKind, Plan, PlanStatus, Tenant
from lti_pathing.services.planning import Limits, PlanningService


def estimate(app: Flask, tenant_id: int, job_id: int) -> dict[str, Any]:
    """Time-to-ready for each (person, role) pair in the job's params, at the given hours."""
    with transaction(app) as session:
        params = dict(session.get_one(Job, job_id).params)
    pairs, hours = params["pairs"], params.get("hours_per_week")
    out: list[dict[str, Any]] = []
    for n, (person_id, role_id) in enumerate(pairs, start=1):
        with transaction(app) as session:  # read-only: nothing of the estimate is stored
            tenant = session.get_one(Tenant, tenant_id)
            planning = PlanningService(session, tenant, limits=Limits.from_config(app.config))
            ready = planning.time_to_ready(
                person_id, role_id, Decimal(hours) if hours is not None else None
            )
        out.append({
            "person_id": person_id, "role_id": role_id, "weeks": ready.weeks,
            "ready_on": ready.ready_on.isoformat() if ready.ready_on else None,
            "closure": ready.closure, "max_closure": ready.max_closure,
        })  # fmt: skip
        job_work.progress(app, job_id, int(100 * n / len(pairs)), f"{n} of {len(pairs)}")
    return {"estimates": out}


def latest_plan(session: Session, tenant: Tenant, person_id: int) -> Plan | None:
    """A person's newest plan that is neither archived nor a pending proposal."""
    stmt = (
        select(Plan)
        .where(
            Plan.tenant_id == tenant.id,
            Plan.person_id == person_id,
            Plan.status.not_in([PlanStatus.archived, PlanStatus.proposed]),
        )
        .order_by(Plan.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def latest_job(
    session: Session, tenant: Tenant, match: dict[str, Any], requested_by: int | None = None
) -> Job | None:
    """The newest plan-kind job whose params contain `match` (among the last 50)."""
    stmt = select(Job).where(Job.tenant_id == tenant.id, Job.kind == JobKind.plan)
    if requested_by is not None:
        stmt = stmt.where(Job.requested_by_id == requested_by)
    for job in session.scalars(stmt.order_by(Job.id.desc()).limit(50)):
        if all(job.params.get(key) == value for key, value in match.items()):
            return job
    return None
