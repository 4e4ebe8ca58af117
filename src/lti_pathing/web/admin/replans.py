"""Admin page for organisation re-plans: start one, watch its progress, see what it proposed."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from lti_pathing import jobs
from lti_pathing.auth import require
from lti_pathing.jobs import JobService
from lti_pathing.models import Job, JobKind, Person
from lti_pathing.services.base import TenantService
from lti_pathing.services.replan import SHARING_POLICIES
from lti_pathing.web.admin.context import admin_context

bp = Blueprint("replans", __name__, url_prefix="/replans")


@bp.get("/")
@require("admin")
def index() -> str:
    """Recent re-plans with their progress (the page refreshes while one runs)."""
    ctx = admin_context()
    service = ctx.service(JobService)
    runs = list(
        ctx.session.scalars(
            service.scoped(Job).where(Job.kind == JobKind.replan).order_by(Job.id.desc()).limit(20)
        )
    )
    managers = ctx.session.scalars(
        service.scoped(Person)
        .where(
            Person.active.is_(True),
            Person.id.in_(select(Person.manager_id).where(Person.tenant_id == ctx.tenant_id)),
        )
        .order_by(Person.name)
    ).all()
    chunk = int(current_app.config["REPLAN_CHUNK"])
    return render_template(
        "admin/replans.html", runs=runs, managers=managers, chunk=chunk, policies=SHARING_POLICIES
    )


@bp.post("/")
@require("admin")
def start() -> Response:
    """Re-plan everyone with a target role (or one manager's tree) in the background."""
    ctx = admin_context()
    manager_id = None
    if request.form.get("manager"):
        person = ctx.service(TenantService).get(Person, int(request.form["manager"]))
        manager_id = person.id
    policy = request.form.get("policy") or "total"
    job = jobs.enqueue_replan(
        ctx.session, ctx.tenant, manager_id, ctx.actor.person_id, policy=policy
    )
    count = len(job.params["person_ids"])
    flash(
        f"Re-plan {job.id} started for {count} person(s); approved plans get proposals.", "success"
    )
    return redirect(url_for(".index"))


def init(parent: Blueprint) -> None:
    """Register the re-plan page."""
    parent.register_blueprint(bp)
