"""Who a launch is: the tenant's Person for an LTI user, found or created, and their LMS identity.

Found, in order, by: the identity this platform registration recorded before (issuer, client_id,
sub); an imported identity naming the same LTI `sub` without a platform; the LMS's own user id
(Moodle's `sub` is its user id; Canvas sends `$Canvas.user.id` as the custom field
`canvas_user_id`); and, when the tenant says its LMS's SIS user ids are its employee ids
(`Tenant.match_sis_id`), the SIS id the launch names (`lis.person_sourcedid`) equal to an active
person's `external_id`. Otherwise, by the tenant's policy (`Tenant.unmatched_launch`), a new
person is made from the claims (name and email are optional), or the launch is refused with a
page that names whom to ask and the identifiers an admin enters on the person's page to link
them. E-mail addresses are never used to match: a platform can claim any address (a roster
match only suggests them to an admin, lti/rosters.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from lti_pathing.errors import PermissionDenied
from lti_pathing.models import Lms, LmsIdentity, Person, UnmatchedLaunch
from lti_pathing.services.base import TenantService

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
PRODUCTS = {"moodle": Lms.moodle, "canvas": Lms.canvas}


@dataclass(frozen=True)
class LaunchUser:
    """The user an LTI launch names, as the platform described them."""

    issuer: str
    client_id: str
    subject: str
    name: str | None = None
    email: str | None = None
    lms: Lms | None = None
    lms_user_id: str | None = None
    sourcedid: str | None = None  # the LMS's SIS user id (`lis.person_sourcedid`)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], client_id: str) -> LaunchUser:
        """Read the user from validated id_token claims."""
        platform = claims.get(CLAIM + "tool_platform") or {}
        lms = PRODUCTS.get(str(platform.get("product_family_code", "")).lower())
        custom = claims.get(CLAIM + "custom") or {}
        lms_user_id: str | None = None
        if lms is Lms.moodle:
            lms_user_id = str(claims["sub"])  # Moodle's sub is its user id
        elif lms is Lms.canvas:
            value = str(custom.get("canvas_user_id") or "")
            lms_user_id = value if value and not value.startswith("$") else None
        lis = claims.get(CLAIM + "lis")
        sourcedid = _text(lis.get("person_sourcedid"), 64) if isinstance(lis, dict) else None
        return cls(
            issuer=str(claims["iss"]),
            client_id=client_id,
            subject=str(claims["sub"]),
            name=_name(claims),
            email=_text(claims.get("email"), 255),
            lms=lms,
            lms_user_id=lms_user_id[:64] if lms_user_id else None,
            # Canvas sends "$Person.sourcedId" itself for a user without a SIS id.
            sourcedid=sourcedid if sourcedid and not sourcedid.startswith("$") else None,
        )


def _text(value: Any, limit: int) -> str | None:
    text = str(value).strip() if isinstance(value, str) else ""
    return text[:limit] if text else None


def _name(claims: Mapping[str, Any]) -> str | None:
    parts = (_text(claims.get("given_name"), 100), _text(claims.get("family_name"), 100))
    given = " ".join(part for part in parts if part)
    return _text(claims.get("name"), 200) or _text(given, 200)


class LaunchIdentityService(TenantService):
    """Resolve launch users to people of the acting tenant."""

    def person_for(self, user: LaunchUser) -> Person:
        """The person this user is (created if new); refused when their record is retired."""
        recorded = self._recorded(user)  # most launches: one query, with the person
        if recorded is not None:
            person = recorded.person
        else:
            person = self._imported(user) or self._by_sis_id(user) or self._unmatched(user)
        if not person.active:
            raise PermissionDenied(
                f"{person.name}'s lti-pathing record is retired; ask an administrator"
            )
        if recorded is None:
            self.link(person, user)
        return person

    def find(self, user: LaunchUser) -> Person | None:
        """The person this LMS user is, by the keys above (never by e-mail); None if unknown."""
        recorded = self._recorded(user)
        return recorded.person if recorded else self._imported(user) or self._by_sis_id(user)

    def how_found(self, user: LaunchUser) -> str | None:
        """Which key finds this user ("linked", "LTI subject", "LMS user id", "SIS id")."""
        if self._recorded(user) is not None:
            return "linked"
        if self._imported_subject(user) is not None:
            return "LTI subject"
        if self._imported_lms_id(user) is not None:
            return "LMS user id"
        return "SIS id" if self._by_sis_id(user) is not None else None

    def link(self, person: Person, user: LaunchUser) -> None:
        """Record the user's identity of this platform for the person (found at once next time)."""
        self._record_identity(person, user)
        self.flush()

    def has_reports(self, person: Person) -> bool:
        """Whether anyone active reports to this person (what makes a manager)."""
        found = self.session.scalar(
            self.scoped(Person)
            .where(Person.manager_id == person.id, Person.active.is_(True))
            .limit(1)
        )
        return found is not None

    def _recorded(self, user: LaunchUser) -> LmsIdentity | None:
        """The identity this registration recorded for the user, its person loaded with it."""
        return self.session.scalar(
            self.scoped(LmsIdentity)
            .where(
                LmsIdentity.issuer == user.issuer,
                LmsIdentity.client_id == user.client_id,
                LmsIdentity.subject == user.subject,
            )
            .options(joinedload(LmsIdentity.person))
        )

    def _imported(self, user: LaunchUser) -> Person | None:
        identity = self._imported_subject(user) or self._imported_lms_id(user)
        return identity.person if identity is not None else None

    def _imported_subject(self, user: LaunchUser) -> LmsIdentity | None:
        by_subject = self.scoped(LmsIdentity).where(
            LmsIdentity.issuer == "", LmsIdentity.subject == user.subject
        )
        return self.session.scalar(by_subject.order_by(LmsIdentity.id).limit(1))

    def _imported_lms_id(self, user: LaunchUser) -> LmsIdentity | None:
        if user.lms is None or user.lms_user_id is None:
            return None
        return self.session.scalar(
            self.scoped(LmsIdentity)
            .where(
                LmsIdentity.lms == user.lms,
                LmsIdentity.lms_user_id == user.lms_user_id,
                or_(LmsIdentity.issuer == "", LmsIdentity.issuer == user.issuer),
            )
            .order_by(LmsIdentity.id)
            .limit(1)
        )

    def _by_sis_id(self, user: LaunchUser) -> Person | None:
        """The person whose employee id is the LMS's SIS id, if the tenant matches on it."""
        if not self.tenant.match_sis_id or not user.sourcedid:
            return None
        return self.session.scalar(self.scoped(Person).where(Person.external_id == user.sourcedid))

    def _unmatched(self, user: LaunchUser) -> Person:
        if self.tenant.unmatched_launch is UnmatchedLaunch.create:
            return self._create(user)
        contact = self.tenant.access_contact or "your organisation's lti-pathing administrator"
        ids = [f"LTI subject: {user.subject}"]
        if user.lms is not None and user.lms_user_id is not None:
            ids.insert(0, f"{user.lms.value.capitalize()} user id: {user.lms_user_id}")
        raise PermissionDenied(
            f"lti-pathing does not know you yet{f' ({user.name})' if user.name else ''}: ask "
            f"{contact} to add you. Tell them what your LMS calls you:",
            ids,
        )

    def _create(self, user: LaunchUser) -> Person:
        key = "\n".join((user.issuer, user.client_id, user.subject)).encode()
        external_id = "lti-" + hashlib.sha256(key).hexdigest()[:32]
        name = user.name or user.email or f"LMS user {user.subject[:40]}"
        person = Person(external_id=external_id, name=name, email=user.email)
        return self.add(person)

    def _record_identity(self, person: Person, user: LaunchUser) -> None:
        if self._recorded(user) is not None:
            return
        lms_user_id = user.lms_user_id
        if lms_user_id is not None and self._lms_id_taken(user):
            lms_user_id = None  # the same LMS user through another client_id: one holds the id
        identity = LmsIdentity(
            tenant_id=self.tenant.id,
            lms=user.lms,
            issuer=user.issuer,
            client_id=user.client_id,
            subject=user.subject,
            lms_user_id=lms_user_id,
        )
        person.identities.append(identity)

    def _lms_id_taken(self, user: LaunchUser) -> bool:
        stmt = select(LmsIdentity.id).where(
            LmsIdentity.tenant_id == self.tenant.id,
            LmsIdentity.lms == user.lms,
            LmsIdentity.issuer == user.issuer,
            LmsIdentity.lms_user_id == user.lms_user_id,
        )
        return self.session.scalar(stmt.limit(1)) is not None
