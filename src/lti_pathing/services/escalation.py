"""Escalation to L&D: a submitted plan that waits longer than the tenant's limit.

Computed on read (the admin's page asks `escalated`): a plan is escalated from the moment its
wait passes the limit, with no job to run and nothing stored but the limit itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from lti_pathing.errors import Invalid
from lti_pathing.models import Person, Plan, PlanEvent, PlanStatus
from lti_pathing.services.base import TenantService
from lti_pathing.services.delegation import DelegationService

MAX_LIMIT = 365


@dataclass(frozen=True)
class Escalated:
    """A plan waiting too long: since when, how many days, and who should decide it."""

    plan: Plan
    since: dt.datetime
    days: int
    manager: Person | None
    delegates: tuple[Person, ...]  # who stands in for the manager today


class EscalationService(TenantService):
    """The tenant's approval limit, and the plans waiting past it."""

    def set_limit(self, days: str) -> int | None:
        """Days a submitted plan may wait (empty: never escalate)."""
        text = days.strip()
        if not text:
            self.tenant.approval_limit_days = None
        elif text.isascii() and text.isdigit() and 1 <= int(text[:4]) <= MAX_LIMIT:
            self.tenant.approval_limit_days = int(text)
        else:
            wrong = f"a whole number of days, 1 to {MAX_LIMIT}"
            raise Invalid("limit out of range", {"approval_limit_days": [wrong]})
        self.flush()
        return self.tenant.approval_limit_days

    def escalated(self) -> list[Escalated]:
        """Submitted plans waiting longer than the limit, longest wait first."""
        limit = self.tenant.approval_limit_days
        if limit is None:
            return []
        now = self.clock()
        since = (
            select(PlanEvent.plan_id, func.max(PlanEvent.at).label("at"))
            .where(PlanEvent.tenant_id == self.tenant.id, PlanEvent.kind == "submitted")
            .group_by(PlanEvent.plan_id).subquery()
        )  # fmt: skip
        stmt = (
            select(Plan, since.c.at).join(since, since.c.plan_id == Plan.id)
            .where(Plan.tenant_id == self.tenant.id, Plan.status == PlanStatus.submitted,
                   since.c.at < now - dt.timedelta(days=limit))
            .order_by(since.c.at, Plan.id)
        )  # fmt: skip
        delegation = DelegationService(self.session, self.tenant, self.clock)
        out = []
        for plan, at in self.session.execute(stmt):
            manager = plan.person.manager
            stand_ins = tuple(
                d.delegate for d in (delegation.given_by(manager.id) if manager else ())
                if d.starts_on <= now.date()
            )  # fmt: skip
            out.append(Escalated(plan, at, (now - at).days, manager, stand_ins))
        return out
