"""`/jobs/<id>`: the status of a background job, which static/jobs.js polls on pages in progress."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from lti_pathing.auth import require
from lti_pathing.errors import NotFound
from lti_pathing.models import Job
from lti_pathing.services.base import TenantService
from lti_pathing.web.viewing import acting, service

bp = Blueprint("job_status", __name__)


@bp.get("/jobs/<int:job_id>")
@require()
def status(job_id: int) -> dict[str, Any]:
    """How far the job is: the requester's own, or any of the tenant's for managers and admins."""
    actor, tenant = acting()
    job = service(TenantService, tenant).get(Job, job_id)
    if job.requested_by_id != actor.person_id and not (actor.has("manager") or actor.has("admin")):
        raise NotFound(f"no Job with id {job_id}")
    return {
        "status": job.status.value,
        "progress": job.progress,
        "finished": job.finished,
    }
