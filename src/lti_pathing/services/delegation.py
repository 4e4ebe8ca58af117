"""Delegation while on leave: a manager names a delegate and dates; the delegate decides the
manager's reports' plans in that time, and each decision is recorded as "by X for Y"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import ApprovalDelegation, Person
from lti_pathing.services.base import TenantService

MAX_DAYS = 366


class DelegationService(TenantService):
    """Name, end and look up delegations of plan decisions."""

    def delegate(self, manager_id: int, delegate: str, first: str, last: str) -> ApprovalDelegation:
        """The manager hands their decisions to `delegate` (a person id) from first to last day."""
        errors: dict[str, list[str]] = {}
        who = self._person(delegate, manager_id, errors)
        days = _days(first, last, self.clock().date(), errors)
        if errors:
            raise Invalid("the delegation cannot be saved", errors)
        assert who is not None and days is not None
        found = ApprovalDelegation(manager_id=manager_id, delegate_id=who.id, starts_on=days[0],
                                   ends_on=days[1])  # fmt: skip
        return self.add(found)

    def end(self, manager_id: int, delegation_id: int) -> None:
        """The manager ends one of their delegations (it is removed)."""
        found = self.get(ApprovalDelegation, delegation_id)
        if found.manager_id != manager_id:
            raise NotFound(f"no ApprovalDelegation with id {delegation_id}")
        self.session.delete(found)
        self.flush()

    def given_by(self, manager_id: int) -> list[ApprovalDelegation]:
        """The manager's delegations that have not ended yet, soonest first."""
        stmt = self.scoped(ApprovalDelegation).where(
            ApprovalDelegation.manager_id == manager_id,
            ApprovalDelegation.ends_on >= self.clock().date(),
        )
        return list(self.session.scalars(stmt.order_by(ApprovalDelegation.starts_on)))

    def managers_for(self, delegate_id: int, day: dt.date | None = None) -> list[Person]:
        """The managers whose decisions `delegate_id` holds on `day` (default: today)."""
        day = day or self.clock().date()
        stmt = (
            select(Person).join(ApprovalDelegation, ApprovalDelegation.manager_id == Person.id)
            .where(ApprovalDelegation.tenant_id == self.tenant.id,
                   ApprovalDelegation.delegate_id == delegate_id,
                   ApprovalDelegation.starts_on <= day, ApprovalDelegation.ends_on >= day)
        )  # fmt: skip
        return list(self.session.scalars(stmt.order_by(Person.name)).unique())

    def candidates(self, manager_id: int) -> list[Person]:
        """Whom the manager can name: the tenant's active people but themself, by name."""
        stmt = self.scoped(Person).where(Person.active.is_(True), Person.id != manager_id)
        return list(self.session.scalars(stmt.order_by(Person.name, Person.id)))

    def _person(self, text: str, manager_id: int, errors: dict[str, list[str]]) -> Person | None:
        value = text.strip()
        found = None
        if value.isascii() and value.isdigit() and len(value) < 10:
            found = self.session.scalar(self.scoped(Person).where(Person.id == int(value)))
        if found is None or not found.active:
            errors["delegate_id"] = ["choose a person from the list"]
        elif found.id == manager_id:
            errors["delegate_id"] = ["choose someone else than yourself"]
        return found


def _days(
    first: str, last: str, today: dt.date, errors: dict[str, list[str]]
) -> tuple[dt.date, dt.date] | None:
    """First and last day, in order, not over, at most MAX_DAYS long."""
    parsed: dict[str, dt.date] = {}
    for name, text in (("starts_on", first), ("ends_on", last)):
        try:
            parsed[name] = dt.date.fromisoformat(text.strip())
        except ValueError:
            errors[name] = ["a date like 2027-03-01"]
    if len(parsed) < 2:
        return None
    start, end = parsed["starts_on"], parsed["ends_on"]
    if end < start:
        errors["ends_on"] = ["on or after the first day"]
    elif end < today:
        errors["ends_on"] = ["today or later"]
    elif (end - start).days > MAX_DAYS:
        errors["ends_on"] = [f"at most {MAX_DAYS} days after the first day"]
    return start, end
