"""What plan pages need around background work: the latest job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Job, JobKind, Tenant


def latest_job(
    session: Session, tenant: Tenant, match: dict[str, Any], requested_by: int | None = None
) -> Job | None:
    """The newest plan or estimate job whose params contain `match` (among the last 50)."""
    stmt = select(Job).where(
        Job.tenant_id == tenant.id, Job.kind.in_((JobKind.plan, JobKind.estimate))
    )
    if requested_by is not None:
        stmt = stmt.where(Job.requested_by_id == requested_by)
    for job in session.scalars(stmt.order_by(Job.id.desc()).limit(50)):
        if all(job.params.get(key) == value for key, value in match.items()):
            return job
    return None
