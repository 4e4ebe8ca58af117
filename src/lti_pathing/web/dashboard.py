"""The L&D admin's organisation dashboard (the CRUD pages live elsewhere under /admin/)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import db
from lti_pathing.auth import require
from lti_pathing.models import Job, JobKind
from lti_pathing.services.metrics import MetricsService
from lti_pathing.web import background, plan_jobs
from lti_pathing.web.viewing import acting, service, template_globals

bp = Blueprint("dashboard", __name__, url_prefix="/admin/dashboard")
bp.context_processor(template_globals)


@bp.get("/")
@require("admin")
def index() -> str:
    """Gap coverage per role, plans by status, completion, internal moves, succession."""
    _actor, tenant = acting()
    metrics = service(MetricsService, tenant)
    job = _latest_succession_job(tenant.id)
    estimates: dict[tuple[int, int], Any] = {}
    for e in (job.result or {}).get("estimates", []) if job else []:
        estimates[(e["person_id"], e["role_id"])] = e
    return render_template(
        "dashboard/index.html", coverage=metrics.gap_coverage(), statuses=metrics.plans_by_status(),
        completion=metrics.approved_completion(), moves=metrics.internal_moves(),
        succession=metrics.succession(), job=job, estimates=estimates,
    )  # fmt: skip


@bp.post("/succession")
@require("admin")
def estimate_succession() -> BaseResponse:
    """Estimate time-to-ready for each critical role's candidates (in the background)."""
    actor, tenant = acting()
    pairs = [
        [c.person.id, role.id]
        for role, candidates in service(MetricsService, tenant).succession()
        for c in candidates
    ]
    params = {"purpose": "succession", "pairs": pairs}
    background.start(tenant, actor.person_id, JobKind.plan, params, plan_jobs.estimate)
    return redirect(url_for("dashboard.index") + "#succession")


def _latest_succession_job(tenant_id: int) -> Job | None:
    stmt = select(Job).where(Job.tenant_id == tenant_id).order_by(Job.id.desc()).limit(50)
    for job in db.session().scalars(stmt):
        if job.params.get("purpose") == "succession":
            return job
    return None
