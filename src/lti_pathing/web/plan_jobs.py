"""What plan pages need around background work: the latest plan, the latest job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Job, JobKind, Plan, PlanStatus, Tenant


def latest_plan(session: Session, tenant: Tenant, person_id: int) -> Plan | None:
    """A person's newest plan that is neither archived nor a pending proposal."""
    stmt = (
        select(Plan)
        .where(
            Plan.tenant_id == tenant.id,
            Plan.person_id == person_id,
            Plan.status.not_in([PlanStatus.archived, PlanStatus.proposed]),
        )
        .order_by(Plan.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def plans_shown(
    session: Session, tenant: Tenant, person_id: int
) -> tuple[Plan | None, Plan | None]:
    """(the plan in effect, a newer version or re-plan proposal to show alongside it).

    The newest approved plan stays the one in effect while a newer draft (re-generated after
    approval) or submitted version waits; with no newer version, a pending proposal to replace
    it is shown alongside. Without an approved plan, the newest plan is shown alone.
    """
    latest = latest_plan(session, tenant, person_id)
    approved = _newest(session, tenant, person_id, Plan.status == PlanStatus.approved)
    if latest is not None and approved is not None and latest.id != approved.id:
        return approved, latest
    if latest is None or latest.status is not PlanStatus.approved:
        return latest, None
    proposal = _newest(
        session, tenant, person_id,
        Plan.status == PlanStatus.proposed, Plan.replaces_id == latest.id,
    )  # fmt: skip
    return latest, proposal


def _newest(session: Session, tenant: Tenant, person_id: int, *where: Any) -> Plan | None:
    stmt = select(Plan).where(Plan.tenant_id == tenant.id, Plan.person_id == person_id, *where)
    return session.scalar(stmt.order_by(Plan.id.desc()).limit(1))


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
