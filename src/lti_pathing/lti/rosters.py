"""Course rosters (LTI Names and Role Provisioning) matched to the tenant's people.

A launch carrying the NRPS claim records its course (`remember`). An admin asks for a course's
roster to be matched (`match`): every member is looked up by the same keys a launch uses
(identity.py: an identity recorded before, an imported LTI subject, the LMS's user id, the SIS id
when the tenant matches on it) and, once found, their identity on this platform is recorded, so
their launches find them whatever the tenant's policy for unknown users. A member no key finds
but whose e-mail address is an active person's is only *suggested*: a platform can claim any
address, so an admin confirms each one (`link_suggested`). What the match found is kept on the
roster for the page and for that confirmation.

Canvas sends its user id only inside each member's launch claims, with NRPS's `rlid` (a resource
link of the tool in the course): the resource link of the last launch from the course is sent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from lti_pathing.errors import Invalid
from lti_pathing.lti import nrps
from lti_pathing.lti.identity import CLAIM, PRODUCTS, LaunchIdentityService, LaunchUser
from lti_pathing.lti.nrps import Member
from lti_pathing.models import CourseRoster, Lms, Person, PlatformRegistration
from lti_pathing.services.base import TenantService

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
Fetch = Callable[[CourseRoster], list[Member]]


@dataclass(frozen=True)
class MatchedMember:
    """A roster member and the person they are (or might be)."""

    user_id: str
    name: str
    roles: list[str]
    person_id: int | None = None
    person_name: str | None = None
    how: str | None = None  # "linked", "LTI subject", "LMS user id", "SIS id", "e-mail"
    retired: bool = False


@dataclass
class RosterMatch:
    """What one match of a course roster found."""

    matched: list[MatchedMember] = field(default_factory=list)
    suggested: list[MatchedMember] = field(default_factory=list)  # by e-mail: admin confirms
    unmatched: list[MatchedMember] = field(default_factory=list)
    inactive: int = 0  # members the LMS lists as inactive (not matched)

    def to_json(self) -> str:
        """Kept on the roster row."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> RosterMatch | None:
        """The stored match, if any."""
        if not text:
            return None
        data = json.loads(text)

        def members(key: str) -> list[MatchedMember]:
            return [MatchedMember(**m) for m in data.get(key) or []]

        return cls(members("matched"), members("suggested"), members("unmatched"),
                   int(data.get("inactive", 0)))  # fmt: skip


class RosterService(TenantService):
    """Courses whose roster the tool may read, and matching them to people."""

    def remember(self, registration: PlatformRegistration, claims: Mapping[str, Any]) -> None:
        """Record (or refresh) the launch's course when the launch offers its roster."""
        service = claims.get(NRPS_CLAIM) or {}
        context = claims.get(CLAIM + "context") or {}
        url = service.get("context_memberships_url") if isinstance(service, dict) else None
        if not isinstance(url, str) or not url or not isinstance(context, dict):
            return
        if not context.get("id"):
            return
        context_id = str(context["id"])[:255]
        row = self.session.scalar(
            self.scoped(CourseRoster).where(
                CourseRoster.registration_id == registration.id,
                CourseRoster.context_id == context_id,
            )
        ) or self.add(CourseRoster(registration_id=registration.id, context_id=context_id,
                                   memberships_url=url[:500]))  # fmt: skip
        row.memberships_url = url[:500]
        row.title = str(context.get("title") or context.get("label") or "")[:255]
        link = claims.get(CLAIM + "resource_link") or {}
        if isinstance(link, dict) and link.get("id"):
            row.resource_link_id = str(link["id"])[:255]
        row.lms = _product(claims)
        self.flush()

    def get_roster(self, roster_id: int) -> CourseRoster:
        """One course roster of the tenant."""
        return self.get(CourseRoster, roster_id)

    def rosters(self) -> list[CourseRoster]:
        """The courses the tool may read the roster of, by title."""
        stmt = (
            self.scoped(CourseRoster)
            .options(selectinload(CourseRoster.registration))
            .order_by(CourseRoster.title, CourseRoster.id)
        )
        return list(self.session.scalars(stmt))

    def match(self, roster_id: int, fetch: Fetch, now: dt.datetime) -> RosterMatch:
        """Read the course's roster, record the identities of members found, keep the result."""
        roster = self.get(CourseRoster, roster_id)
        if not roster.registration.active:
            raise Invalid("this course's LMS registration is disabled")
        people = LaunchIdentityService(self.session, self.tenant)
        result = RosterMatch()
        for member in fetch(roster):
            if not member.active:
                result.inactive += 1
                continue
            user = self._user(roster, member)
            person = people.find(user)
            if person is not None:
                how = people.how_found(user)
                if person.active:
                    people.link(person, user)
                result.matched.append(_entry(member, person, how, retired=not person.active))
                continue
            by_email = self._by_email(member.email)
            if by_email is not None:
                result.suggested.append(_entry(member, by_email, "e-mail"))
            else:
                result.unmatched.append(_entry(member, None, None))
        roster.last_match, roster.matched_at = result.to_json(), now
        self.flush()
        return result

    def last_match(self, roster: CourseRoster) -> RosterMatch | None:
        """The result of the roster's last match, if it was matched."""
        return RosterMatch.from_json(roster.last_match)

    def link_suggested(self, roster_id: int, user_ids: Iterable[str]) -> list[MatchedMember]:
        """Link the chosen e-mail suggestions of the last match (an admin confirmed them)."""
        roster = self.get(CourseRoster, roster_id)
        found = self.last_match(roster)
        chosen = set(user_ids)
        if found is None or not chosen:
            raise Invalid("choose the suggested people to link", {"user_id": ["choose one"]})
        suggested = {m.user_id: m for m in found.suggested}
        if chosen - set(suggested):
            raise Invalid("match the roster again: these suggestions are no longer offered",
                          {"user_id": sorted(chosen - set(suggested))})  # fmt: skip
        people = LaunchIdentityService(self.session, self.tenant)
        linked = []
        for user_id in sorted(chosen):
            entry = suggested[user_id]
            person = self.get(Person, int(entry.person_id or 0))
            member = Member(user_id, entry.name, None, tuple(entry.roles), True)
            people.link(person, self._user(roster, member))
            linked.append(MatchedMember(**{**asdict(entry), "how": "confirmed by an admin"}))
        found.suggested = [m for m in found.suggested if m.user_id not in chosen]
        found.matched.extend(linked)
        roster.last_match = found.to_json()
        self.flush()
        return linked

    def _user(self, roster: CourseRoster, member: Member) -> LaunchUser:
        registration = roster.registration
        lms_user_id = member.user_id if roster.lms is Lms.moodle else member.canvas_user_id
        return LaunchUser(
            issuer=registration.issuer, client_id=registration.client_id,
            subject=member.user_id, name=member.name, email=member.email, lms=roster.lms,
            lms_user_id=lms_user_id[:64] if lms_user_id else None, sourcedid=member.sourcedid,
        )  # fmt: skip

    def _by_email(self, email: str | None) -> Person | None:
        if not email:
            return None
        found = list(self.session.scalars(
            self.scoped(Person)
            .where(func.lower(Person.email) == email.lower(), Person.active.is_(True))
            .limit(2)
        ))  # fmt: skip
        return found[0] if len(found) == 1 else None


def read_roster(roster: CourseRoster) -> list[Member]:
    """The course's members, read from the LMS now (NRPS, every page).

    With the resource link of the last launch as `rlid` (Canvas then adds its user ids); a
    platform that refuses that link (deleted since) is asked again without it.
    """
    from lti_pathing.lti import adapter

    connector = adapter.service_connector(roster.registration)
    if roster.resource_link_id:
        try:
            return nrps.roster(connector, roster.memberships_url, roster.resource_link_id)
        except nrps.LinkRefused:
            pass
    return nrps.roster(connector, roster.memberships_url)


def _product(claims: Mapping[str, Any]) -> Lms | None:
    platform = claims.get(CLAIM + "tool_platform") or {}
    code = platform.get("product_family_code") if isinstance(platform, dict) else None
    return PRODUCTS.get(str(code or "").lower())


def _entry(
    member: Member, person: Person | None, how: str | None, retired: bool = False
) -> MatchedMember:
    return MatchedMember(
        user_id=member.user_id, name=member.name or member.email or member.user_id,
        roles=[r.rsplit("#", 1)[-1] for r in member.roles],
        person_id=person.id if person else None, person_name=person.name if person else None,
        how=how, retired=retired,
    )  # fmt: skip
