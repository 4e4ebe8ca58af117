"""Time-to-ready estimates (career-path page, succession): a job kind that stores only its result.

Each estimate opens its own short, read-only transaction: a long one would go stale on SQLite
while progress is written beside it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask

from lti_pathing.db import transaction
from lti_pathing.jobs.work import complete, progress
from lti_pathing.models import Job, JobStatus, Tenant


def estimates(app: Flask, job_id: int) -> dict[str, Any]:
    """Time-to-ready for each (person, role) pair in the job's params, at the given hours."""
    from lti_pathing.services.planning import Limits, PlanningService

    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        params, tenant_id = dict(job.params), job.tenant_id
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
        progress(app, job_id, int(100 * n / len(pairs)), f"{n} of {len(pairs)}")
    return {"estimates": out}


def run(app: Flask, job_id: int) -> None:
    """Estimate, then store the result with the job's `done` (a redelivered job redoes it)."""
    result = estimates(app, job_id)
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        if job.status is not JobStatus.done:
            complete(session, job, result, "estimates ready")
