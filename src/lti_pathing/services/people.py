"""People (with reporting lines and LMS identities) and mentors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select

from lti_pathing.errors import Invalid, Reference
from lti_pathing.models import (
    ActivityMentor,
    Evidence,
    Lms,
    LmsIdentity,
    Mentor,
    Person,
    Plan,
    PlanItem,
    Role,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, filtered, paginate

PERSON_FIELDS = frozenset(
    {"external_id", "name", "email", "current_role_id", "target_role_id", "manager_id",
     "hours_per_week", "active", "is_admin"}
)  # fmt: skip
MENTOR_FIELDS = frozenset({"capacity", "active"})
# Identities set by an admin or an import name no platform (issuer ""); LTI launches add their own.
IDENTITY_FIELDS: dict[str, Lms | None] = {
    "moodle_user_id": Lms.moodle, "canvas_user_id": Lms.canvas, "lti_subject": None,
}  # fmt: skip


class PeopleService(TenantService):
    """Create, edit, list and retire people and mentors; keep reporting lines a forest."""

    def list_people(
        self,
        query: ListQuery,
        manager_id: int | None = None,
        current_role_id: int | None = None,
        target_role_id: int | None = None,
    ) -> Page[Person]:
        """People matching the query, by name."""
        stmt = filtered(self.scoped(Person), Person, query, ("name", "external_id", "email"))
        for column, value in (
            (Person.manager_id, manager_id),
            (Person.current_role_id, current_role_id),
            (Person.target_role_id, target_role_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        return paginate(self.session, stmt.order_by(Person.name, Person.id), query)

    def get_person(self, person_id: int) -> Person:
        """One person of the tenant."""
        return self.get(Person, person_id)

    def create_person(
        self, fields: Mapping[str, Any], identities: Mapping[str, str | None] | None = None
    ) -> Person:
        """Add a person; `identities` maps IDENTITY_FIELDS names to LMS user ids / LTI subject."""
        person = Person(tenant_id=self.tenant.id)
        self._check_references(fields, None)
        self.apply(person, fields, PERSON_FIELDS)
        self._set_identities(person, identities or {})
        return self.add(person)

    def update_person(
        self,
        person_id: int,
        expected_version: int | None,
        fields: Mapping[str, Any],
        identities: Mapping[str, str | None] | None = None,
    ) -> Person:
        """Change a person (name, roles, manager, budget, active, admin-set LMS identities)."""
        person = self.get(Person, person_id)
        self.check_version(person, expected_version)
        self._check_references(fields, person)
        # One edit is one version: no query below may flush the field change on its own.
        with self.session.no_autoflush:
            self.apply(person, fields, PERSON_FIELDS)
            if self._set_identities(person, identities or {}):
                self.touch(person)
        self.flush()
        return person

    def restore_person(self, person_id: int, expected_version: int | None) -> Person:
        """Mark someone who left as active again."""
        person = self.get(Person, person_id)
        self.set_active(person, expected_version, True)
        return person

    def _set_identities(self, person: Person, wanted: Mapping[str, str | None]) -> bool:
        """Set or clear the admin-set identities named in `wanted` (None clears one)."""
        changed = False
        for name, value in wanted.items():
            lms = IDENTITY_FIELDS[name]
            attribute = "lms_user_id" if lms is not None else "subject"
            if value is not None:
                self._require_unused_identity(person, name, lms, attribute, value)
            mine = [
                i for i in person.identities
                if i.issuer == "" and i.lms == lms and getattr(i, attribute) is not None
            ]  # fmt: skip
            if value is None:
                for identity in mine:
                    person.identities.remove(identity)
                changed |= bool(mine)
            elif mine:
                changed |= getattr(mine[0], attribute) != value
                setattr(mine[0], attribute, value)
            else:
                identity = LmsIdentity(tenant_id=self.tenant.id, lms=lms, issuer="", client_id="")
                setattr(identity, attribute, value)
                person.identities.append(identity)
                changed = True
        return changed

    def _require_unused_identity(
        self, person: Person, name: str, lms: Lms | None, attribute: str, value: str
    ) -> None:
        stmt = self.scoped(LmsIdentity).where(
            LmsIdentity.issuer == "", getattr(LmsIdentity, attribute) == value
        )
        if lms is not None:
            stmt = stmt.where(LmsIdentity.lms == lms)
        if person.id is not None:
            stmt = stmt.where(LmsIdentity.person_id != person.id)
        if self.session.scalar(stmt) is not None:
            raise Invalid(f"{name} already used", {name: [f"{value!r} belongs to someone else"]})

    def retire_person(self, person_id: int, expected_version: int | None) -> Person:
        """Mark someone as having left; their history stays."""
        person = self.get(Person, person_id)
        self.set_active(person, expected_version, False)
        return person

    def delete_person(self, person_id: int, expected_version: int | None) -> None:
        """Delete a person with no history and no reports; otherwise refused with the list."""
        person = self.get(Person, person_id)
        self.delete(person, expected_version, self.person_references(person))

    def person_references(self, person: Person) -> list[Reference]:
        """Reports, mentor record, plans and evidence of or by this person."""
        refs = [
            Reference("person", p.id, f"{p.name} reports to them")
            for p in self.session.scalars(select(Person).where(Person.manager_id == person.id))
        ]
        mentor = self.session.scalar(select(Mentor).where(Mentor.person_id == person.id))
        if mentor is not None:
            refs.append(Reference("mentor", mentor.id, "is a mentor"))
        plans = self.session.scalars(select(Plan).where(Plan.person_id == person.id))
        refs += [Reference("plan", p.id, f"plan #{p.id}") for p in plans]
        evidence = self.session.scalars(
            select(Evidence).where(
                or_(Evidence.person_id == person.id, Evidence.recorded_by_id == person.id)
            )
        )
        refs += [Reference("evidence", e.id, f"evidence #{e.id}") for e in evidence]
        return refs

    def reports_chain(self, person: Person) -> list[Person]:
        """The person's managers, nearest first."""
        chain: list[Person] = []
        current = person.manager
        while current is not None and current not in chain:
            chain.append(current)
            current = current.manager
        return chain

    def list_mentors(self, query: ListQuery) -> Page[Mentor]:
        """Mentors (by their person's name)."""
        stmt = self.scoped(Mentor).join(Person, Mentor.person_id == Person.id)
        stmt = filtered(stmt, Person, ListQuery(search=query.search), ("name", "external_id"))
        if query.active is not None:
            stmt = stmt.where(Mentor.active.is_(query.active))
        return paginate(self.session, stmt.order_by(Person.name, Mentor.id), query)

    def make_mentor(self, person_id: int, capacity: int) -> Mentor:
        """Make a person a mentor with a capacity of concurrent mentees."""
        person = self.get(Person, person_id)
        _check_capacity(capacity)
        return self.add(Mentor(person_id=person.id, capacity=capacity))

    def update_mentor(
        self, mentor_id: int, expected_version: int | None, fields: Mapping[str, Any]
    ) -> Mentor:
        """Change a mentor's capacity or active flag."""
        mentor = self.get(Mentor, mentor_id)
        self.check_version(mentor, expected_version)
        if "capacity" in fields:
            _check_capacity(fields["capacity"])
        self.apply(mentor, fields, MENTOR_FIELDS)
        self.flush()
        return mentor

    def delete_mentor(self, mentor_id: int, expected_version: int | None) -> None:
        """Delete a mentor no activity or plan names; otherwise refused (retire instead)."""
        mentor = self.get(Mentor, mentor_id)
        refs = [
            Reference("activity", am.activity_id, "lists them as a mentor")
            for am in self.session.scalars(
                select(ActivityMentor).where(ActivityMentor.mentor_id == mentor.id)
            )
        ]
        refs += [
            Reference("plan_item", item.id, f"plan #{item.plan_id}")
            for item in self.session.scalars(
                select(PlanItem).where(PlanItem.mentor_id == mentor.id)
            )
        ]
        self.delete(mentor, expected_version, refs)

    def _check_references(self, fields: Mapping[str, Any], person: Person | None) -> None:
        for key in ("current_role_id", "target_role_id"):
            if fields.get(key) is not None:
                self.get(Role, fields[key])
        manager_id = fields.get("manager_id")
        if manager_id is None:
            return
        manager = self.get(Person, manager_id)
        if person is not None and (
            manager.id == person.id or person in self.reports_chain(manager)
        ):
            raise Invalid("reporting cycle", {"manager_id": ["this would make a reporting cycle"]})


def _check_capacity(capacity: int) -> None:
    if not 0 <= capacity <= 20:
        raise Invalid("bad capacity", {"capacity": ["must be from 0 to 20"]})
