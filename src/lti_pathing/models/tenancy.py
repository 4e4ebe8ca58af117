"""Tenants: the organisation that owns LTI registrations and every other row."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Enum, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from lti_pathing.columns import Base, Flag, Hours, Name, intpk
from lti_pathing.models.base import Timestamped, Versioned


class UnmatchedLaunch(enum.StrEnum):
    """What a launch by an LMS user whom no person matches does."""

    create = "create"  # a new person of the organisation (the default)
    refuse = "refuse"  # a page naming whom to ask; nothing is written


class Tenant(Versioned, Timestamped, Base):
    """An organisation using the tool; the boundary no query crosses."""

    __tablename__ = "tenant"
    __table_args__ = (CheckConstraint("default_hours_per_week > 0", name="default_hours"),)

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[Name]
    default_hours_per_week: Mapped[Hours] = mapped_column(default=Decimal("2"))
    active: Mapped[Flag]
    # An LMS user no person matches: "create" a person, or "refuse" with a page naming whom to ask.
    # No CHECK constraint (values are checked on write): adding one on SQLite would copy the
    # tenant table, and dropping the old one deletes every tenant-owned row.
    unmatched_launch: Mapped[UnmatchedLaunch] = mapped_column(
        Enum(UnmatchedLaunch, native_enum=False, create_constraint=False, length=32,
             validate_strings=True, values_callable=lambda members: [m.value for m in members]),
        default=UnmatchedLaunch.create,
        server_default=UnmatchedLaunch.create.value,
    )  # fmt: skip
    access_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Launches and rosters may find a person by the LMS's SIS user id (`lis.person_sourcedid`)
    # equal to their employee id (`Person.external_id`): only when the organisation says its
    # LMS's SIS ids are its employee ids.
    match_sis_id: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Audit records older than this many days are purged by a periodic job (None: kept for good).
    audit_retention_days: Mapped[int | None]
    # A submitted plan waiting longer than this many days is escalated to L&D admins (None: never).
    approval_limit_days: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
