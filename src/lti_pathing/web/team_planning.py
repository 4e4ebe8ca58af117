"""Plan my team together: start the team-planning job, watch it, approve its proposals."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import db, jobs
from lti_pathing.auth import require
from lti_pathing.errors import Invalid
from lti_pathing.models import Job
from lti_pathing.services.team_plans import TeamPlanService
from lti_pathing.web import plan_jobs
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.viewing import acting, service, template_globals

CHOICE = re.compile(r"[0-9]{1,9}:[0-9]{1,9}")
bp = Blueprint("team_planning", __name__, url_prefix="/team/together")
bp.context_processor(template_globals)


def _latest_job(manager_id: int) -> Job | None:
    _actor, tenant = acting()
    return plan_jobs.latest_job(db.session(), tenant, {"manager_id": manager_id}, manager_id)


@bp.get("/")
@require("manager")
def index() -> str:
    """The latest team plan: its progress while it runs, then each report's proposal."""
    actor, tenant = acting()
    job = _latest_job(actor.person_id)
    plans = service(TeamPlanService, tenant)
    result = plans.result(actor.person_id, job) if job is not None and job.finished else None
    return render_template("manager/together.html", job=job, result=result)


def _start_page() -> str:
    """Where a refused start is shown again: the team page when it was posted from there."""
    from lti_pathing.web import manager

    return manager.index() if request.form.get("back") == "team" else index()


@bp.post("/")
@require("manager")
@shows_form_errors(_start_page)
def start() -> BaseResponse:
    """Plan every direct report with a target role together (in the background)."""
    actor, tenant = acting()
    running = _latest_job(actor.person_id)
    if running is not None and not running.finished:
        flash("Your team is already being planned; this page shows it when it is ready.", "success")
        return redirect(url_for(".index"))
    service(TeamPlanService, tenant).can_plan(actor.person_id)
    jobs.enqueue_team(db.session(), tenant, actor.person_id, actor_id=actor.person_id)
    flash("Planning your team together; this page shows the plans when they are ready.", "success")
    return redirect(url_for(".index"))


@bp.post("/approve")
@require("manager")
@shows_form_errors(index)
def approve() -> BaseResponse:
    """Approve one proposal or all of them (each `plan` value is "id:version")."""
    actor, tenant = acting()
    choices = [_choice(value) for value in request.form.getlist("plan")]
    plans = service(TeamPlanService, tenant)
    approved = plans.approve(actor.person_id, choices, request.form.get("comment", ""))
    jobs.enqueue_passback(plans.session, tenant, [p.person_id for p in approved], actor.person_id)
    names = ", ".join(p.person.name for p in approved)
    s = "" if len(approved) == 1 else "s"
    flash(f"Approved the plan{s} of {names}; each sees theirs at the top of their plan.", "success")
    return redirect(url_for(".index"))


def _choice(value: str) -> tuple[int, int]:
    """A posted "plan id:version" pair."""
    if not CHOICE.fullmatch(value):
        raise Invalid("unknown proposal", {"plan": ["choose one of the proposals shown"]})
    plan_id, _, version = value.partition(":")
    return int(plan_id), int(version)
