"""A manager's decisions in bulk (the approval queue's batch form) and delegation while away."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import jobs
from lti_pathing.auth import require
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.delegation import DelegationService
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.manager import index, queue
from lti_pathing.web.viewing import acting, form_int, service, template_globals

bp = Blueprint("decisions", __name__, url_prefix="/team")
bp.context_processor(template_globals)
DONE = {"approve": "approved", "reject": "rejected", "request_changes": "sent back for changes"}


@bp.post("/queue/decide")
@require("manager")
@shows_form_errors(queue)
def batch() -> BaseResponse:
    """Decide the ticked plans at once; rejecting or asking for changes needs a comment each."""
    actor, tenant = acting()
    action = request.form.get("action", "")
    picked = {}
    for key in request.form:
        if key.startswith("pick-") and key[5:].isascii() and key[5:].isdigit():
            plan_id = int(key[5:])
            picked[plan_id] = (form_int(f"version-{plan_id}", 1),
                               request.form.get(f"comment-{plan_id}", ""))  # fmt: skip
    approvals = service(ApprovalService, tenant)
    decided = approvals.act_many(actor.person_id, action, picked)
    if action == "approve":
        jobs.enqueue_passback(approvals.session, tenant, [p.person_id for p in decided],
                              actor.person_id)  # fmt: skip
    names = ", ".join(p.person.name for p in decided)
    flash(f"{len(decided)} plan{'' if len(decided) == 1 else 's'} {DONE[action]}: {names}.",
          "success")  # fmt: skip
    return redirect(url_for("manager.queue"))


@bp.post("/delegation")
@require("manager")
@shows_form_errors(lambda: _team_page())
def delegate() -> BaseResponse:
    """Name someone to decide my reports' plans while I am away."""
    actor, tenant = acting()
    form = request.form
    made = service(DelegationService, tenant).delegate(
        actor.person_id, form.get("delegate_id", ""), form.get("starts_on", ""),
        form.get("ends_on", ""),
    )  # fmt: skip
    flash(f"{made.delegate.name} decides your team's plans from {made.starts_on} to "
          f"{made.ends_on}; each decision is recorded as theirs, for you.", "success")  # fmt: skip
    return redirect(url_for("manager.index", _anchor="away"))


@bp.post("/delegation/<int:delegation_id>/end")
@require("manager")
@shows_form_errors(lambda delegation_id: _team_page())
def end(delegation_id: int) -> BaseResponse:
    """End a delegation."""
    actor, tenant = acting()
    service(DelegationService, tenant).end(actor.person_id, delegation_id)
    flash("Delegation ended.", "success")
    return redirect(url_for("manager.index", _anchor="away"))


def _team_page() -> str:
    return index()
