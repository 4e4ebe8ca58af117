"""Organisation dashboard numbers: gap coverage, plans by status, completion, moves.

Succession (the bench per critical role) lives in services/succession.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lti_pathing.models import (
    Activity,
    ActivityOutcome,
    ItemStatus,
    Person,
    Plan,
    PlanItem,
    PlanStatus,
    Role,
)
from lti_pathing.services.base import TenantService


@dataclass(frozen=True)
class RoleCoverage:
    """How much of a role's requirements the catalog can teach, and who holds or targets it."""

    role: Role
    required: int
    coverable: int
    holders: int
    targeting: int

    @property
    def percent(self) -> int:
        """Share of required skill levels some active activity teaches, in whole percent."""
        return int(100 * self.coverable / self.required) if self.required else 100


@dataclass(frozen=True)
class Completion:
    """Progress over all approved plans."""

    plans: int
    items: int
    done: int

    @property
    def percent(self) -> int:
        """Share of approved items completed."""
        return int(100 * self.done / self.items) if self.items else 0


class MetricsService(TenantService):
    """Read-only numbers for the L&D admin's organisation dashboard."""

    def gap_coverage(self) -> list[RoleCoverage]:
        """Per active role: required skill levels the catalog can teach; holders; targeters."""
        roles = self.session.scalars(
            self.scoped(Role).where(Role.active.is_(True)).options(selectinload(Role.skills))
            .order_by(Role.family_id, Role.level_rank, Role.title)
        ).all()  # fmt: skip
        teach = dict(
            self.session.execute(
                select(ActivityOutcome.skill_id, func.max(ActivityOutcome.level))
                .join(Activity, Activity.id == ActivityOutcome.activity_id)
                .where(ActivityOutcome.tenant_id == self.tenant.id, Activity.active.is_(True))
                .group_by(ActivityOutcome.skill_id)
            ).all()
        )
        holders = self._count_people(Person.current_role_id)
        targeting = self._count_people(Person.target_role_id)
        return [
            RoleCoverage(
                role, len(role.skills),
                sum(1 for rs in role.skills if teach.get(rs.skill_id, 0) >= rs.level),
                holders.get(role.id, 0), targeting.get(role.id, 0),
            )
            for role in roles
        ]  # fmt: skip

    def plans_by_status(self) -> dict[str, int]:
        """How many plans are in each status."""
        stmt = (
            select(Plan.status, func.count())
            .where(Plan.tenant_id == self.tenant.id)
            .group_by(Plan.status)
        )
        counts = {status.value: 0 for status in PlanStatus}
        counts.update({status.value: n for status, n in self.session.execute(stmt)})
        return counts

    def approved_completion(self) -> Completion:
        """Items completed over the items of approved plans (dropped items left out)."""
        base = (
            select(PlanItem.status, func.count())
            .join(Plan, Plan.id == PlanItem.plan_id)
            .where(Plan.tenant_id == self.tenant.id, Plan.status == PlanStatus.approved)
            .where(PlanItem.status != ItemStatus.dropped)
            .group_by(PlanItem.status)
        )
        by_status = {row[0]: row[1] for row in self.session.execute(base).all()}
        plans = self.session.scalar(
            select(func.count()).select_from(Plan)
            .where(Plan.tenant_id == self.tenant.id, Plan.status == PlanStatus.approved)
        ) or 0  # fmt: skip
        return Completion(plans, sum(by_status.values()), by_status.get(ItemStatus.completed, 0))

    def internal_moves(self) -> list[Plan]:
        """Approved (or since archived) plans whose person now holds the plan's target role."""
        stmt = (
            self.scoped(Plan)
            .join(Person, Person.id == Plan.person_id)
            .where(
                Plan.status.in_([PlanStatus.approved, PlanStatus.archived]),
                Plan.target_role_id == Person.current_role_id,
            )
            .order_by(Plan.updated_at.desc())
        )
        return list(self.session.scalars(stmt))

    def _count_people(self, column: object) -> dict[int, int]:
        stmt = (
            select(column, func.count())  # type: ignore[call-overload]
            .where(Person.tenant_id == self.tenant.id, Person.active.is_(True))
            .group_by(column)
        )
        return {role_id: n for role_id, n in self.session.execute(stmt) if role_id is not None}
