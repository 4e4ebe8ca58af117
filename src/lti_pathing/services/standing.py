"""What the tool's data says now about a signed-in person: one small query per request.

A session cookie says who signed in and what they could do at their launch; this says whether
that still holds (person and organisation active) and what grants them roles today (marked
admin, still has reports, the allowlist of the platform they launched from). `auth.py` asks on
every request that reads the signed-in user, so retiring someone or withdrawing a grant takes
effect on their next click, not at the end of their session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from lti_pathing.columns import utcnow
from lti_pathing.models import ApprovalDelegation, Mentor, Person, PlatformRegistration, Tenant


@dataclass(frozen=True)
class Standing:
    """A signed-in person's record as stored now."""

    name: str
    person_active: bool
    tenant_active: bool
    marked_admin: bool
    manages: bool  # someone active reports to them, or they stand in for such a manager
    mentors: bool  # an active mentor of the catalog
    # The admin allowlist of the registration they launched from; empty when it is inactive,
    # gone, or they were not signed in by a launch.
    admin_roles: tuple[str, ...]


@cache
def _standing_statement() -> Select[Any]:
    """The standing query, built once: every request runs it, and building it (an aliased
    `Person`, several subqueries) cost more than running it."""
    report = aliased(Person)
    manages = exists().where(
        report.tenant_id == Person.tenant_id,
        report.manager_id == Person.id,
        report.active.is_(True),
    )
    today: BindParameter[dt.date] = bindparam("today")
    stands_in = exists().where(  # holds a manager's decisions while they are away
        ApprovalDelegation.tenant_id == Person.tenant_id,
        ApprovalDelegation.delegate_id == Person.id,
        ApprovalDelegation.starts_on <= today, ApprovalDelegation.ends_on >= today,
    )  # fmt: skip
    mentors = exists().where(
        Mentor.tenant_id == Person.tenant_id, Mentor.person_id == Person.id,
        Mentor.active.is_(True),
    )  # fmt: skip
    allowlist = (
        select(PlatformRegistration.admin_roles_text)
        .where(
            PlatformRegistration.id == bindparam("registration_id"),
            PlatformRegistration.tenant_id == Person.tenant_id,
            PlatformRegistration.active.is_(True),
        )
        .scalar_subquery()
    )
    return (
        select(
            Person.name,
            Person.active,
            Tenant.active,
            Person.is_admin,
            or_(manages, stands_in),
            mentors,
            allowlist,
        )
        .join(Tenant, Tenant.id == Person.tenant_id)
        .where(Person.id == bindparam("person_id"), Person.tenant_id == bindparam("tenant_id"))
    )


def current_standing(
    session: Session, tenant_id: int, person_id: int, registration_id: int | None
) -> Standing | None:
    """The person's standing in their tenant, or None when the record no longer exists."""
    params = {"tenant_id": tenant_id, "person_id": person_id,
              "registration_id": registration_id or 0, "today": utcnow().date()}  # fmt: skip
    row = session.execute(_standing_statement(), params).one_or_none()
    if row is None:
        return None
    name, person_active, tenant_active, marked_admin, has_reports, is_mentor, roles_text = row
    return Standing(
        name=name,
        person_active=bool(person_active),
        tenant_active=bool(tenant_active),
        marked_admin=bool(marked_admin),
        manages=bool(has_reports),
        mentors=bool(is_mentor),
        admin_roles=tuple(PlatformRegistration.roles_of(roles_text)),
    )
