"""The background work behind plan pages: generate or repair a plan, estimate time-to-ready."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from lti_pathing.models import Job, Plan, PlanStatus, Role, Tenant
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.planning import Limits, PlanningService, PlanSettings


def _planning(session: Session, tenant: Tenant) -> PlanningService:
    return PlanningService(session, tenant, limits=Limits.from_config(current_app.config))


def generate(session: Session, tenant: Tenant, job: Job) -> dict[str, Any]:
    """Generate (or re-generate) a person's plan from the settings in the job's params."""
    p = job.params
    settings = PlanSettings.from_json(p["settings"])
    plan = _planning(session, tenant).generate(
        p["person_id"], settings, actor_id=p["actor_id"], plan_id=p.get("plan_id"), job_id=job.id
    )
    if p.get("repair"):  # a manager's edit: the repaired plan goes back to them for a decision
        approvals = ApprovalService(session, tenant)
        before = plan.status
        plan.status = PlanStatus.submitted
        approvals.flush()
        approvals.log(plan, "repaired", p["actor_id"], None, {"from": before.value})
    return {"plan_ids": [plan.id]}


def estimate(session: Session, tenant: Tenant, job: Job) -> dict[str, Any]:
    """Time-to-ready for each (person, role) in the job's params, at the given hours."""
    planning = _planning(session, tenant)
    out: list[dict[str, Any]] = []
    pairs = job.params["pairs"]
    for n, (person_id, role_id) in enumerate(pairs, start=1):
        hours = job.params.get("hours_per_week")
        ready = planning.time_to_ready(
            person_id, role_id, Decimal(hours) if hours is not None else None
        )
        out.append({
            "person_id": person_id, "role_id": role_id, "weeks": ready.weeks,
            "ready_on": ready.ready_on.isoformat() if ready.ready_on else None,
            "closure": ready.closure, "max_closure": ready.max_closure,
        })  # fmt: skip
        job.progress = max(10, int(100 * n / len(pairs)) - 1)
        session.flush()
    return {"estimates": out}


def latest_plan(session: Session, tenant: Tenant, person_id: int) -> Plan | None:
    """A person's newest plan that is not archived."""
    from sqlalchemy import select

    stmt = (
        select(Plan)
        .where(
            Plan.tenant_id == tenant.id,
            Plan.person_id == person_id,
            Plan.status != PlanStatus.archived,
        )
        .order_by(Plan.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def role_title(session: Session, role_id: int | None) -> str | None:
    """A role's title for messages."""
    role = session.get(Role, role_id) if role_id is not None else None
    return role.title if role is not None else None
