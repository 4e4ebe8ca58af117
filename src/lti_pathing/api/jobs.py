"""Background work over the API: an LMS sync, an organisation re-plan, and their progress."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from lti_pathing import db, jobs
from lti_pathing.api.core import ApiBlueprint, current_tenant, service
from lti_pathing.api.fields import Integer
from lti_pathing.errors import NotFound
from lti_pathing.jobs import JobService
from lti_pathing.models import Job, Person
from lti_pathing.services.base import TenantService
from lti_pathing.services.replan import SHARING_POLICIES as POLICIES

work = ApiBlueprint(
    "jobs", __name__, url_prefix="/api/v1",
    description="Background jobs: LMS completion syncs and organisation re-plans (202 with the "
    "job; poll GET /jobs/{id} for its progress).",
)  # fmt: skip
BLUEPRINTS = (work,)


class JobSchema(ma.Schema):
    """A background job and how far it is."""

    id = Integer()
    kind = ma.fields.Function(lambda job: job.kind.value)
    status = ma.fields.Function(lambda job: job.status.value)
    progress = Integer(metadata={"description": "0-100"})
    message = ma.fields.String(allow_none=True)
    result = ma.fields.Dict(allow_none=True)
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    finished_at = ma.fields.DateTime(allow_none=True)


class SyncArgs(ma.Schema):
    """Whom to sync (everyone when no one is named)."""

    people = ma.fields.List(
        ma.fields.String(), load_default=None,
        metadata={"description": "employee ids (external ids) to sync; omit for everyone"},
    )  # fmt: skip


class ReplanArgs(ma.Schema):
    """Whom to re-plan (everyone with a target role, or one manager's reporting tree)."""

    manager = ma.fields.String(
        load_default=None, metadata={"description": "employee id of a manager: only their tree"}
    )
    policy = ma.fields.String(
        load_default="total",
        validate=ma.validate.OneOf(list(POLICIES)),
        metadata={
            "description": "who gets scarce mentors and seats: "
            + "; ".join(f"{k}: {v}" for k, v in POLICIES.items())
        },
    )


def _person_ids(external_ids: list[str]) -> list[int]:
    people = service(TenantService)
    found = {e: people.by_external_id(Person, e) for e in external_ids}
    missing = sorted(e for e, p in found.items() if p is None)
    if missing:
        raise NotFound(f"no person with employee id {', '.join(missing)}")
    return [p.id for p in found.values() if p is not None]


@work.route("/lms/sync", methods=["POST"])
@work.arguments(SyncArgs)
@work.response(202, JobSchema)
def sync(args: dict[str, Any]) -> Job:
    """Sync completions from the LMS now (a sync already pending for them is returned)."""
    people = None if args["people"] is None else _person_ids(args["people"])
    return jobs.enqueue_sync(db.session(), current_tenant(), people, trigger="api")


@work.route("/replans", methods=["POST"])
@work.arguments(ReplanArgs)
@work.response(202, JobSchema)
def replan(args: dict[str, Any]) -> Job:
    """Re-plan everyone affected; approved and submitted plans get proposals, not changes."""
    manager = None if args["manager"] is None else _person_ids([args["manager"]])[0]
    return jobs.enqueue_replan(db.session(), current_tenant(), manager, policy=args["policy"])


@work.route("/jobs/<int:job_id>")
@work.response(200, JobSchema)
def job(job_id: int) -> Job:
    """One job of the tenant and its progress."""
    return service(JobService).get_job(job_id)
