"""Reporting lines as a manager sees them: who are my direct and indirect reports."""

from __future__ import annotations

from sqlalchemy import select

from lti_pathing.errors import NotFound
from lti_pathing.models import Person
from lti_pathing.services.base import TenantService


class TeamService(TenantService):
    """Answer "who reports to whom" inside one tenant; the data-level check of manager pages."""

    def report_ids(self, manager_id: int) -> set[int]:
        """Ids of everyone below `manager_id` in the reporting lines (direct and indirect)."""
        found: set[int] = set()
        frontier = {manager_id}
        while frontier:
            below = set(
                self.session.scalars(
                    select(Person.id).where(
                        Person.tenant_id == self.tenant.id, Person.manager_id.in_(frontier)
                    )
                )
            )
            frontier = below - found - {manager_id}
            found |= frontier
        return found

    def reports(self, manager_id: int, active_only: bool = True) -> list[Person]:
        """Direct and indirect reports of `manager_id`, by name."""
        ids = self.report_ids(manager_id)
        if not ids:
            return []
        stmt = self.scoped(Person).where(Person.id.in_(ids))
        if active_only:
            stmt = stmt.where(Person.active.is_(True))
        return list(self.session.scalars(stmt.order_by(Person.name, Person.id)))

    def is_manager(self, person_id: int) -> bool:
        """True when someone reports directly to `person_id`."""
        stmt = select(Person.id).where(
            Person.tenant_id == self.tenant.id, Person.manager_id == person_id
        )
        return self.session.scalar(stmt.limit(1)) is not None

    def report_of(self, manager_id: int, person_id: int) -> Person:
        """The person if they report (directly or not) to the manager; NotFound otherwise.

        A non-report looks exactly like a missing person, so a manager cannot probe ids.
        """
        if person_id not in self.report_ids(manager_id):
            raise NotFound(f"no Person with id {person_id}")
        return self.get(Person, person_id)
