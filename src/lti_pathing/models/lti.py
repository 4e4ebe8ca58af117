"""LTI 1.3: the platforms registered with the tool, their deployments, and the tool's own keys.

A registration is one (issuer, client_id) pair: a platform may register the tool many times (every
Canvas cloud school shares one issuer), so the pair is unique across all tenants; the launch finds
its tenant through it. Deployments belong to one registration only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from lti_pathing.columns import Base, Flag, Timestamp, intpk, utcnow
from lti_pathing.models.base import TenantOwned, Timestamped, enum_type
from lti_pathing.models.people import Lms

Url = String(500)


class PlatformRegistration(TenantOwned, Timestamped, Base):
    """The tool as registered in one LMS: issuer + client_id, and the platform's endpoints."""

    __tablename__ = "lti_registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[intpk]
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")  # a label for admins
    auth_login_url: Mapped[str] = mapped_column(Url)  # the platform's OIDC authorization endpoint
    auth_token_url: Mapped[str] = mapped_column(Url)  # OAuth 2 token endpoint (AGS, NRPS)
    auth_audience: Mapped[str | None] = mapped_column(Url)  # token `aud` when not the token URL
    key_set_url: Mapped[str | None] = mapped_column(Url)  # the platform's JWKS
    key_set: Mapped[str | None] = mapped_column(Text)  # or its JWKS pasted in, as JSON text
    # Registered without a deployment id (Canvas dynamic registration): the first valid launch
    # records the deployment it carries, and clears this flag.
    deployment_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The LMS roles that make a launch a tool admin, one full role URI a line (lti/roles.py).
    admin_roles_text: Mapped[str] = mapped_column(
        "admin_roles", Text, default="", server_default=""
    )
    # Dynamic registration: what the platform granted of what the tool asked for, as JSON
    # (lti/registration.py `registration_outcome`); None for registrations made by hand.
    registration_outcome: Mapped[str | None] = mapped_column(Text)
    active: Mapped[Flag]

    deployments: Mapped[list[PlatformDeployment]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="PlatformDeployment.id",
    )

    def key_set_json(self) -> dict[str, Any] | None:
        """The stored JWKS as a dict, when one was pasted in."""
        return json.loads(self.key_set) if self.key_set else None

    @staticmethod
    def roles_of(text: str | None) -> list[str]:
        """The roles stored in an `admin_roles` column value (one a line)."""
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def outcome(self) -> dict[str, Any] | None:
        """What dynamic registration granted and refused, when it recorded that."""
        if not self.registration_outcome:
            return None
        data: dict[str, Any] = json.loads(self.registration_outcome)
        return data

    @property
    def admin_roles(self) -> list[str]:
        """The allowlisted LMS roles, in the order they were given."""
        return self.roles_of(self.admin_roles_text)

    @admin_roles.setter
    def admin_roles(self, roles: list[str]) -> None:
        self.admin_roles_text = "\n".join(dict.fromkeys(r.strip() for r in roles if r.strip()))

    def __repr__(self) -> str:
        return f"<PlatformRegistration {self.issuer} {self.client_id}>"


class PlatformDeployment(TenantOwned, Timestamped, Base):
    """A deployment id the platform sends in launches, valid for its registration only."""

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[intpk]
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    active: Mapped[Flag]

    registration: Mapped[PlatformRegistration] = relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key pair of the tool (not of a tenant: one JWKS for the whole tool).

    The newest activated, unretired key signs; retired keys stay published in the JWKS until
    `retired_at` + the overlap period, so platforms that cached the old key set keep working.
    """

    __tablename__ = "lti_tool_key"

    id: Mapped[intpk]
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    # 1 for the first key, +1 per rotation: unique, so two processes racing to make the first
    # key (or to rotate) cannot both succeed; the loser re-reads the winner's key.
    generation: Mapped[int] = mapped_column(unique=True)
    private_key: Mapped[str] = mapped_column(Text)  # PEM, encrypted with crypto.encrypt
    public_jwk: Mapped[str] = mapped_column(Text)  # JSON of the public JWK (kid, alg, use)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    activated_at: Mapped[Timestamp | None]
    retired_at: Mapped[Timestamp | None]

    def jwk(self) -> dict[str, Any]:
        """The public JWK as a dict."""
        data: dict[str, Any] = json.loads(self.public_jwk)
        return data

    def state(self, now: dt.datetime, overlap: dt.timedelta) -> str:
        """'signing', 'published' (retired, still in the JWKS), 'expired' or 'pending'."""
        if self.retired_at is not None:
            return "published" if self.retired_at + overlap > now else "expired"
        return "signing" if self.activated_at is not None else "pending"


class RegistrationInvite(TenantOwned, Base):
    """A dynamic-registration link that has been used (its jti): each link registers once."""

    __tablename__ = "lti_registration_invite"

    id: Mapped[intpk]
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class CourseRoster(TenantOwned, Timestamped, Base):
    """An LMS course whose roster the tool may read (NRPS), as its last launch described it.

    Recorded at launches that carry the Names and Role Provisioning claim; an admin matches the
    roster to the tenant's people (services/rosters.py). `resource_link_id` is sent as NRPS's
    `rlid`, with which Canvas adds each member's launch claims (its user id among them).
    """

    __tablename__ = "lti_roster"
    __table_args__ = (UniqueConstraint("registration_id", "context_id"),)

    id: Mapped[intpk]
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True
    )
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    memberships_url: Mapped[str] = mapped_column(Url)
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    lms: Mapped[Lms | None] = mapped_column(enum_type(Lms, "lms"))  # the launch's tool_platform
    matched_at: Mapped[Timestamp | None]
    # The last match, as JSON: members found, suggested by e-mail, not found (for the page and
    # for linking suggestions an admin confirms).
    last_match: Mapped[str | None] = mapped_column(Text)

    registration: Mapped[PlatformRegistration] = relationship()
