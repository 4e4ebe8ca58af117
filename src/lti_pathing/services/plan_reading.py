"""Read-only access to plans and their items (the planning services write them)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from lti_pathing.models import Plan, PlanStatus
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, paginate


class PlanReadingService(TenantService):
    """List and read the acting tenant's plans with their items."""

    def list_plans(
        self,
        query: ListQuery,
        person_id: int | None = None,
        status: PlanStatus | None = None,
        target_role_id: int | None = None,
    ) -> Page[Plan]:
        """Plans, newest first, with their items loaded."""
        stmt = self.scoped(Plan).options(selectinload(Plan.items))
        if person_id is not None:
            stmt = stmt.where(Plan.person_id == person_id)
        if status is not None:
            stmt = stmt.where(Plan.status == status)
        if target_role_id is not None:
            stmt = stmt.where(Plan.target_role_id == target_role_id)
        return paginate(self.session, stmt.order_by(Plan.id.desc()), query)

    def get_plan(self, plan_id: int) -> Plan:
        """One plan of the tenant."""
        return self.get(Plan, plan_id)
