"""Open Badges 3.0 credentials: awarded when earned, signed on first publication, revocable.

A person earns one credential per event (docs/credentials.md):
- **role ready**: their current levels (the trust rule of `services.levels`) meet every required
  level of their target role, or of the target of an approved plan of theirs, and no deciding
  level rests on a self-assessment alone;
- **plan completed**: every item of an approved plan of theirs that is not dropped is completed.

`award_due` is called where levels or plan items change (recorded evidence, LMS completions);
it awards what is newly earned and never a second time (`event_key`, unique per person). A
revoked credential stays revoked: earning it again does not re-issue it.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_pathing.errors import Conflict, Invalid, NotFound
from lti_pathing.models import (
    ActivityOutcome,
    Credential,
    CredentialKind,
    Evidence,
    EvidenceSource,
    ItemStatus,
    Person,
    Plan,
    PlanStatus,
    Role,
    RoleSkill,
    ToolKey,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.credentials import document, status
from lti_pathing.services.credentials.signing import Checked, Signer, check, key_id_of, sign
from lti_pathing.services.levels import CurrentLevel, LevelService
from lti_pathing.services.listing import ListQuery, Page, contains_text, paginate
from lti_pathing.services.pathways import PathwayService

MAX_REASON = 1000


class Standing(enum.StrEnum):
    """What the verification page says about a credential."""

    valid = "valid"
    revoked = "revoked"
    expired = "expired"


def meets(role: Role, levels: dict[int, CurrentLevel]) -> bool:
    """True when assessed levels (not self-assessment alone) meet every required level."""
    if not role.skills:
        return False
    for need in role.skills:
        held = levels.get(need.skill_id)
        if held is None or held.level < need.level or held.basis.source is EvidenceSource.self:
            return False
    return True


def finished(plan: Plan) -> bool:
    """True when an approved plan has items and every item not dropped is completed."""
    kept = [item for item in plan.items if item.status is not ItemStatus.dropped]
    return (
        plan.status is PlanStatus.approved
        and bool(kept)
        and all(item.status is ItemStatus.completed for item in kept)
    )


class CredentialService(TenantService):
    """Award, list, publish and revoke the acting tenant's credentials."""

    def award_due(self, person_id: int) -> list[Credential]:
        """Award every credential the person has newly earned (none twice; none once retired)."""
        person = self.get(Person, person_id)
        if not person.active:
            return []
        plans = list(self.session.scalars(
            self.scoped(Plan).where(Plan.person_id == person.id,
                                    Plan.status == PlanStatus.approved).order_by(Plan.id)
        ))  # fmt: skip
        awarded = self._role_awards(person, plans) + self._plan_awards(person, plans)
        return [credential for credential in awarded if credential is not None]

    def award_everyone(self) -> list[Credential]:
        """`award_due` for every active person of the organisation (after a bulk import)."""
        people = self.session.scalars(
            select(Person.id).where(Person.tenant_id == self.tenant.id, Person.active.is_(True))
            .order_by(Person.id)
        ).all()  # fmt: skip
        return [credential for pid in people for credential in self.award_due(pid)]

    def _role_awards(self, person: Person, plans: list[Plan]) -> list[Credential | None]:
        targets = dict.fromkeys([person.target_role_id, *(p.target_role_id for p in plans)])
        pathways = PathwayService(self.session, self.tenant, self.clock)
        out: list[Credential | None] = []
        for role_id in (r for r in targets if r is not None):
            if self._held(person, f"role:{role_id}") or not self._may_meet(person, role_id):
                continue
            levels = LevelService(self.session, self.tenant, self.clock).current_levels(person.id)
            role = pathways.role_with_skills(role_id)
            if role.active and meets(role, levels):
                plain = {sid: lv.level for sid, lv in levels.items()}
                snap = document.snapshot_role(self.tenant, role, plain)
                out.append(self._award(person, CredentialKind.role_ready, f"role:{role.id}",
                                       snap, role_id=role.id))  # fmt: skip
        return out

    def _plan_awards(self, person: Person, plans: list[Plan]) -> list[Credential | None]:
        out: list[Credential | None] = []
        for plan in plans:
            if finished(plan) and not self._held(person, f"plan:{plan.id}"):
                snap = document.snapshot_plan(self.tenant, plan, self._taught(plan))
                kind, key = CredentialKind.plan_completed, f"plan:{plan.id}"
                out.append(self._award(person, kind, key, snap, role_id=plan.target_role_id,
                                       plan_id=plan.id))  # fmt: skip
        return out

    def _taught(self, plan: Plan) -> list[dict[str, Any]]:
        """The skills the plan's completed activities grant, each at the highest level granted."""
        done = [i.activity_id for i in plan.items if i.status is ItemStatus.completed]
        best: dict[int, ActivityOutcome] = {}
        for outcome in self.session.scalars(
            self.scoped(ActivityOutcome).where(ActivityOutcome.activity_id.in_(done))
        ):
            if outcome.skill_id not in best or best[outcome.skill_id].level < outcome.level:
                best[outcome.skill_id] = outcome
        rows = [document.skill_row(o.skill, o.level, o.level) for o in best.values()]
        return sorted(rows, key=lambda row: str(row["name"]).lower())

    def _may_meet(self, person: Person, role_id: int) -> bool:
        """One query that rules most people out before the trust rule is applied in full.

        Meeting a role needs, for every required skill, some evidence that is not a
        self-assessment at or above the required level (the deciding evidence is one such).
        """
        required = (RoleSkill.tenant_id == self.tenant.id, RoleSkill.role_id == role_id)
        shown = exists().where(
            Evidence.tenant_id == self.tenant.id, Evidence.person_id == person.id,
            Evidence.skill_id == RoleSkill.skill_id, Evidence.level >= RoleSkill.level,
            Evidence.source != EvidenceSource.self,
        )  # fmt: skip
        count = select(func.count()).select_from(RoleSkill)
        need, met = self.session.execute(
            select(count.where(*required).scalar_subquery(),
                   count.where(*required, shown).scalar_subquery())
        ).one()  # fmt: skip
        return bool(need) and need == met

    def _held(self, person: Person, event_key: str) -> bool:
        found = self.session.scalar(
            select(Credential.id).where(
                Credential.tenant_id == self.tenant.id, Credential.person_id == person.id,
                Credential.event_key == event_key,
            )
        )  # fmt: skip
        return found is not None

    def _award(self, person: Person, kind: CredentialKind, event_key: str,
               snapshot: dict[str, Any], **links: int | None) -> Credential | None:  # fmt: skip
        credential = Credential(
            tenant_id=self.tenant.id, public_id=str(uuid.uuid4()), person_id=person.id,
            kind=kind, event_key=event_key, achievement=snapshot, awarded_at=self.clock(),
            **links,
        )  # fmt: skip
        try:
            with self.session.begin_nested():  # another process may award the same event now
                self.session.add(credential)
                self.session.flush()
        except IntegrityError:
            return None
        return credential

    def of_person(self, person_id: int) -> list[Credential]:
        """A person's credentials, newest first."""
        return list(self.session.scalars(
            self.scoped(Credential).where(Credential.person_id == person_id)
            .order_by(Credential.awarded_at.desc(), Credential.id.desc())
        ))  # fmt: skip

    def list_credentials(self, query: ListQuery) -> Page[Credential]:
        """Every credential of the tenant (search: person or achievement), newest first."""
        stmt = self.scoped(Credential).join(Person, Credential.person_id == Person.id)
        if query.search:
            stmt = stmt.where(or_(contains_text(Person.name, query.search),
                                  contains_text(Person.external_id, query.search)))  # fmt: skip
        stmt = stmt.order_by(Credential.awarded_at.desc(), Credential.id.desc())
        return paginate(self.session, stmt, query)

    def find(self, public_id: str) -> Credential:
        """The tenant's credential with this public id, or NotFound."""
        found = self.session.scalar(
            self.scoped(Credential).where(Credential.public_id == public_id)
        )
        if found is None:
            raise NotFound("no such credential")
        return found

    def own(self, person_id: int, public_id: str) -> Credential:
        """One of the person's own credentials (NotFound for anyone else's)."""
        credential = self.find(public_id)
        if credential.person_id != person_id:
            raise NotFound("no such credential")
        return credential

    def show_name(self, person_id: int, public_id: str, show: bool) -> Credential:
        """The learner lets the public page name them, or not."""
        credential = self.own(person_id, public_id)
        credential.show_name = show
        self.flush()
        return credential

    def revoke(self, public_id: str, actor_id: int | None, reason: str) -> Credential:
        """Revoke a credential, saying why (shown on its public page); never undone."""
        credential = self.find(public_id)
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            message = "say why it is revoked" if not reason else f"at most {MAX_REASON} characters"
            raise Invalid("credential not revoked", {"reason": [message]})
        if credential.revoked_at is not None:
            raise Conflict("this credential is already revoked")
        actor = self.optional(Person, actor_id)
        credential.revoked_at = self.clock()
        credential.revoked_by_id = actor.id if actor is not None else None
        credential.revoke_reason = reason
        self.flush()
        return credential

    def standing(self, credential: Credential) -> Standing:
        """Revoked, expired (past its validUntil) or valid, by the service's clock."""
        if credential.revoked_at is not None:
            return Standing.revoked
        if credential.valid_until is not None and credential.valid_until <= self.clock():
            return Standing.expired
        return Standing.valid

    def revocation_list(self, signer: Signer, urls: document.Addresses) -> str:
        """The organisation's Bitstring Status List credential, signed now (VC-JWT)."""
        revoked = self.session.scalars(
            select(Credential.id).where(
                Credential.tenant_id == self.tenant.id, Credential.revoked_at.is_not(None)
            )
        )
        issuer = {"id": urls.issuer, "type": ["Profile"], "name": self.tenant.name}
        body = status.list_credential(urls.status, issuer, document.stamp(self.clock()), revoked)
        return sign(body, signer, urls.key)

    def publish(self, credential: Credential, signer: Signer, urls: document.Addresses,
                valid_days: int) -> Credential:  # fmt: skip
        """Make and sign the credential's document on its first publication (then never again)."""
        if credential.compact_jws is not None:
            return credential
        if valid_days:
            credential.valid_until = credential.awarded_at + dt.timedelta(days=valid_days)
        body = document.open_badge(credential, self.tenant, urls, credential.valid_until)
        credential.credential_json = json.dumps(body, sort_keys=True)
        credential.compact_jws = sign(body, signer, urls.key)
        credential.key_id = signer.key_id
        credential.public_jwk = json.dumps(signer.public_jwk, sort_keys=True)
        self.flush()
        return credential


def public_credential(session: Session, public_id: str) -> Credential | None:
    """The credential a public URL names, whichever tenant issued it.

    The only look-up across tenants: the random public id is the credential's address, handed
    out by its holder; nothing else of the tenant is reachable from it.
    """
    return session.scalar(select(Credential).where(Credential.public_id == public_id))


def published_key(session: Session, key_id: str) -> dict[str, Any] | None:
    """The public JWK of a tool key that signed (or may sign) credentials, by its kid.

    Tool keys belong to the tool, not a tenant. A key pruned after rotation lives on in the
    credentials it signed (their stored public half), so they keep verifying.
    """
    key = session.scalar(select(ToolKey).where(ToolKey.kid == key_id))
    if key is not None:
        return key.jwk()
    stored = session.scalar(
        select(Credential.public_jwk).where(Credential.key_id == key_id).limit(1)
    )
    if stored is None:
        return None
    public: dict[str, Any] = json.loads(stored)
    return public


def verify_stored(session: Session, credential: Credential, now: dt.datetime) -> Checked:
    """Check a published credential's signature against the tool's published key for its kid."""
    if credential.compact_jws is None:
        return Checked(None, "not signed yet")
    key_id = key_id_of(credential.compact_jws)
    public = published_key(session, key_id) if key_id else None
    return check(credential.compact_jws, public, now)
