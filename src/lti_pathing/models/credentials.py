"""Open Badges 3.0 credentials awarded to people, signed once and published at a public URL."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Timestamp, intpk, utcnow
from lti_pathing.models.base import TenantOwned, enum_type
from lti_pathing.models.people import Person


class CredentialKind(enum.StrEnum):
    """What a credential recognises."""

    role_ready = "role_ready"  # every required level of a role met, by assessed evidence
    plan_completed = "plan_completed"  # every item of an approved plan completed


class Credential(TenantOwned, Base):
    """One achievement of one person; `event_key` makes the award happen at most once.

    What it says is fixed when it is awarded (`achievement`, a snapshot of the role or plan);
    the signed document (`credential_json`, `compact_jws`) is made on its first publication,
    when the tool's public address is known, and never changes after. The public half of the
    signing key is kept with it so that it still verifies after the key is rotated and pruned.
    """

    __tablename__ = "credential"
    __table_args__ = (UniqueConstraint("tenant_id", "person_id", "event_key"),)

    id: Mapped[intpk]
    public_id: Mapped[str] = mapped_column(String(36), unique=True)  # a UUID, in public URLs
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CredentialKind] = mapped_column(enum_type(CredentialKind, "credential_kind"))
    event_key: Mapped[str] = mapped_column(String(100))  # "role:<id>" or "plan:<id>"
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("role.id", ondelete="SET NULL"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="SET NULL"), index=True
    )
    achievement: Mapped[dict[str, Any]] = mapped_column(JSON)
    awarded_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # The learner chooses whether the public page names them (it never does by default).
    show_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    credential_json: Mapped[str | None] = mapped_column(Text)
    compact_jws: Mapped[str | None] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(100), index=True)
    public_jwk: Mapped[str | None] = mapped_column(Text)
    valid_until: Mapped[Timestamp | None]
    revoked_at: Mapped[Timestamp | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    revoked_by: Mapped[Person | None] = relationship(foreign_keys=[revoked_by_id])
