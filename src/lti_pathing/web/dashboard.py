"""The L&D admin's organisation dashboard (the CRUD pages live elsewhere under /admin/)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import db, jobs
from lti_pathing.auth import require
from lti_pathing.services.metrics import MetricsService
from lti_pathing.services.succession import SuccessionService
from lti_pathing.web import plan_jobs
from lti_pathing.web.viewing import acting, service, template_globals

bp = Blueprint("dashboard", __name__, url_prefix="/admin/dashboard")
bp.context_processor(template_globals)


@bp.get("/")
@require("admin")
def index() -> str:
    """Gap coverage per role, plans by status, completion, internal moves, succession."""
    _actor, tenant = acting()
    metrics = service(MetricsService, tenant)
    job = plan_jobs.latest_job(db.session(), tenant, {"purpose": "succession"})
    estimates: dict[tuple[int, int], Any] = {}
    for e in (job.result or {}).get("estimates", []) if job else []:
        estimates[(e["person_id"], e["role_id"])] = e
    return render_template(
        "dashboard/index.html", coverage=metrics.gap_coverage(), statuses=metrics.plans_by_status(),
        completion=metrics.approved_completion(), moves=metrics.internal_moves(),
        benches=service(SuccessionService, tenant).benches(estimates), job=job,
    )  # fmt: skip


@bp.post("/succession")
@require("admin")
def estimate_succession() -> BaseResponse:
    """Estimate time-to-ready for each critical role's candidates (in the background)."""
    actor, tenant = acting()
    pairs = service(SuccessionService, tenant).pairs_to_estimate()
    params = {"purpose": "succession", "pairs": pairs}
    jobs.enqueue_estimate(db.session(), tenant, params, actor.person_id)
    flash("Estimating time to ready for the critical roles; the page updates when it is done.",
          "success")  # fmt: skip
    return redirect(url_for("dashboard.index"))
