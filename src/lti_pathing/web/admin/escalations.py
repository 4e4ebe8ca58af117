"""Admin page: plans waiting for a decision longer than the organisation's limit, and the limit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing.auth import require
from lti_pathing.services.escalation import EscalationService
from lti_pathing.web.admin.context import admin_context
from lti_pathing.web.form_errors import shows_form_errors

bp = Blueprint("escalations", __name__, url_prefix="/escalations")


@bp.get("/")
@require("admin")
def index() -> str:
    """Escalated plans, longest wait first (computed now, from each plan's submission)."""
    ctx = admin_context()
    return render_template("admin/escalations.html", tenant=ctx.tenant,
                           plans=ctx.service(EscalationService).escalated())  # fmt: skip


@bp.post("/limit")
@require("admin")
@shows_form_errors(lambda: index())
def limit() -> Response:
    """Set how many days a submitted plan may wait before it is escalated."""
    days = (
        admin_context()
        .service(EscalationService)
        .set_limit(request.form.get("approval_limit_days", ""))
    )
    flash(f"Plans are escalated after {days} days." if days else "Plans are never escalated.",
          "success")  # fmt: skip
    return redirect(url_for(".index"))


def init(parent: Blueprint) -> None:
    """Register the escalations page."""
    parent.register_blueprint(bp)
