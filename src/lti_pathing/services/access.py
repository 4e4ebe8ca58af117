"""Who may do what in a tenant, granted by the tenant: admins, and launches of unknown LMS users.

The tool admin is an explicit grant (DESIGN.md, "L&D admin"): people marked admin here, and LMS
roles allowlisted per platform registration (lti/platforms.py). The unmatched-launch policy says
whether an LMS user whom no person matches becomes a new person, or is refused with a page that
names whom to ask. SIS-id matching says whether the LMS's SIS user id finds a person by their
employee id (lti/identity.py).
"""

from __future__ import annotations

from sqlalchemy import or_

from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import Person, UnmatchedLaunch
from lti_pathing.services.base import TenantService


class AccessService(TenantService):
    """Grant and withdraw the admin role; set how launches find people and the unmatched policy."""

    def find_person(self, key: str) -> Person:
        """The person with this employee id or e-mail address (exactly one)."""
        key = key.strip()
        found = list(
            self.session.scalars(
                self.scoped(Person)
                .where(or_(Person.external_id == key, Person.email == key))
                .order_by(Person.id)
                .limit(2)
            )
        )
        if not found:
            raise NotFound(f"nobody has the employee id or e-mail {key!r}")
        if len(found) > 1:
            raise Invalid(f"several people have the e-mail {key!r}: give the employee id")
        return found[0]

    def set_admin(self, person: Person, admin: bool) -> None:
        """Mark a person an admin of the tool, or not (at their next request)."""
        person.is_admin = admin
        self.flush()

    def admins(self) -> list[Person]:
        """The people marked admin, by name."""
        stmt = self.scoped(Person).where(Person.is_admin.is_(True)).order_by(Person.name)
        return list(self.session.scalars(stmt))

    def set_unmatched_launch(self, policy: UnmatchedLaunch, contact: str | None = None) -> None:
        """Create people for unknown LMS users, or refuse them naming `contact` to ask."""
        tenant = self.tenant
        if contact is not None:
            tenant.access_contact = contact.strip()[:200]
        if policy is UnmatchedLaunch.refuse and not tenant.access_contact:
            raise Invalid(
                "say whom refused users should ask", {"contact": ["is required to refuse"]}
            )
        tenant.unmatched_launch = policy
        self.flush()

    def set_match_sis_id(self, on: bool) -> None:
        """Let the LMS's SIS user id (`lis.person_sourcedid`) find people by their employee id."""
        self.tenant.match_sis_id = on
        self.flush()
