"""The cheapest and fastest alternatives to a submitted plan: an estimate job that stores only
its result (the variants), which the approval page shows and approves from.

Each variant is solved in its own short, read-only transaction (a long one would go stale on
SQLite while progress is written beside it).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from lti_pathing.db import transaction
from lti_pathing.jobs.work import complete, progress
from lti_pathing.models import Job, JobStatus, Plan, Tenant
from lti_pathing.services.plan_alternatives import KINDS, PlanAlternativeService
from lti_pathing.services.planning import Limits


def alternatives(app: Flask, job_id: int) -> dict[str, Any]:
    """Solve each variant of the job's plan; the result names the plan version it was made for."""
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        params, tenant_id = dict(job.params), job.tenant_id
    out: dict[str, Any] = {"plan_id": params["plan_id"], "version": params["version"]}
    for n, kind in enumerate(KINDS, start=1):
        with transaction(app) as session:  # read-only: nothing of the what-if is stored
            tenant = session.get_one(Tenant, tenant_id)
            plan = session.get_one(Plan, params["plan_id"])
            service = PlanAlternativeService(session, tenant, limits=Limits.from_config(app.config))
            found = service.variant(plan, kind)
            out[kind] = found.to_json() if found is not None else None
        progress(app, job_id, int(100 * n / len(KINDS)), f"{n} of {len(KINDS)} alternatives")
    return out


def run(app: Flask, job_id: int) -> None:
    """Solve, then store the result with the job's `done` (a redelivered job redoes it)."""
    result = alternatives(app, job_id)
    with transaction(app) as session:
        job = session.get_one(Job, job_id)
        if job.status is not JobStatus.done:
            complete(session, job, result, "alternatives ready")
