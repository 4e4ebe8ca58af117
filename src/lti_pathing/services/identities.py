"""The LMS identities an admin or an import records for a person (no platform named).

Identities recorded by LTI launches (with an issuer) are the launch's business and are only read
here; this service keeps the import-style ones: a Moodle user id, a Canvas user id, an LTI subject.
"""

from __future__ import annotations

from sqlalchemy import select

from lti_pathing.errors import Invalid
from lti_pathing.models import Lms, LmsIdentity, Person
from lti_pathing.services.base import TenantService

# Form/import column -> the LMS it names (None: the LTI subject, valid on any platform).
COLUMNS: dict[str, Lms | None] = {
    "moodle_user_id": Lms.moodle,
    "canvas_user_id": Lms.canvas,
    "lti_subject": None,
}


class IdentityService(TenantService):
    """Read and replace a person's platform-less LMS identities."""

    def imported(self, person: Person) -> dict[str, str | None]:
        """The person's current values per column (None when absent)."""
        values: dict[str, str | None] = dict.fromkeys(COLUMNS)
        for identity in person.identities:
            if identity.issuer != "":
                continue
            for column, lms in COLUMNS.items():
                value = identity.lms_user_id if lms is not None else identity.subject
                if identity.lms == lms and value is not None:
                    values[column] = value
        return values

    def launched(self, person: Person) -> list[LmsIdentity]:
        """Identities that LTI launches recorded (read-only here)."""
        return [identity for identity in person.identities if identity.issuer != ""]

    def move_launched(self, from_id: int, to_id: int) -> list[LmsIdentity]:
        """Link an LMS user to the right person: their launch identities move to `to_id`.

        For someone a launch made into a new person before an admin could match them: their next
        launch signs them in as `to_id`. The emptied record stays for the admin to retire.
        """
        source, target = self.get(Person, from_id), self.get(Person, to_id)
        if source.id == target.id:
            raise Invalid("choose another person", {"person_id": ["is this person already"]})
        moved = self.launched(source)
        for identity in moved:
            identity.person = target
        if moved:
            self.touch(source)
            self.touch(target)
            self.flush()
        return moved

    def set_imported(self, person_id: int, values: dict[str, str | None]) -> bool:
        """Make the person's platform-less identities match `values`; True if anything changed."""
        person = self.get(Person, person_id)
        self._check_unused(person, values)
        changed = False
        for column, lms in COLUMNS.items():
            if column in values:
                changed = self._set(person, lms, values[column]) or changed
        if changed:
            self.touch(person)
            self.flush()
        return changed

    def _check_unused(self, person: Person, values: dict[str, str | None]) -> None:
        errors: dict[str, list[str]] = {}
        for column, lms in COLUMNS.items():
            value = values.get(column)
            if not value:
                continue
            attribute = LmsIdentity.lms_user_id if lms is not None else LmsIdentity.subject
            stmt = self.scoped(LmsIdentity).where(
                LmsIdentity.issuer == "",
                LmsIdentity.lms.is_(None) if lms is None else LmsIdentity.lms == lms,
                attribute == value,
                LmsIdentity.person_id != person.id,
            )
            other = self.session.scalar(stmt)
            if other is not None:
                owner = self.session.scalar(select(Person).where(Person.id == other.person_id))
                name = owner.name if owner is not None else "someone else"
                errors[column] = [f"{value!r} already belongs to {name}"]
        if errors:
            raise Invalid("identity already used", errors)

    def _set(self, person: Person, lms: Lms | None, value: str | None) -> bool:
        attribute = "lms_user_id" if lms is not None else "subject"
        mine = [
            i for i in person.identities
            if i.issuer == "" and i.lms == lms and getattr(i, attribute) is not None
        ]  # fmt: skip
        if not value:
            for identity in mine:
                person.identities.remove(identity)
            return bool(mine)
        if mine:
            if getattr(mine[0], attribute) == value:
                return False
            setattr(mine[0], attribute, value)
            return True
        identity = LmsIdentity(tenant_id=self.tenant.id, lms=lms, issuer="", client_id="")
        setattr(identity, attribute, value)
        person.identities.append(identity)
        return True
