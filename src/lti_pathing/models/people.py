"""People, their LMS identities, reporting lines, and mentors."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from lti_pathing.columns import Base, ExternalId, Flag, Hours, Name, ShortText, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned, enum_type
from lti_pathing.models.limits import MENTOR_CAPACITY
from lti_pathing.models.roles import Role


class Lms(enum.StrEnum):
    """The LMS products the tool integrates with."""

    moodle = "moodle"
    canvas = "canvas"


class Person(TenantOwned, Versioned, Timestamped, Base):
    """An employee: learner, manager, mentor, or admin."""

    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
        CheckConstraint("hours_per_week IS NULL OR hours_per_week > 0", name="hours_positive"),
    )

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]  # the HRIS employee id
    name: Mapped[Name]
    email: Mapped[str | None] = mapped_column(String(255))
    current_role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"), index=True)
    target_role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    hours_per_week: Mapped[Hours | None]  # None: the tenant's default
    active: Mapped[Flag]
    # An L&D admin of the tool, granted by the tenant (whatever roles their LMS sends).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    current_role: Mapped[Role | None] = relationship(foreign_keys=[current_role_id])
    target_role: Mapped[Role | None] = relationship(foreign_keys=[target_role_id])
    manager: Mapped[Person | None] = relationship(remote_side="Person.id", back_populates="reports")
    reports: Mapped[list[Person]] = relationship(back_populates="manager")
    identities: Mapped[list[LmsIdentity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="LmsIdentity.id"
    )

    def weekly_hours(self, tenant_default: Decimal) -> Decimal:
        """This person's weekly learning budget."""
        return self.hours_per_week if self.hours_per_week is not None else tenant_default


class LmsIdentity(TenantOwned, Timestamped, Base):
    """How an LMS knows a person: an LTI `sub` and/or the LMS's own user id.

    `issuer` and `client_id` are empty when the identity came from an import that names no
    platform; LTI launches record them.
    """

    __tablename__ = "lms_identity"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issuer", "client_id", "subject"),
        UniqueConstraint("tenant_id", "lms", "issuer", "lms_user_id"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    lms: Mapped[Lms | None] = mapped_column(enum_type(Lms, "lms"))
    issuer: Mapped[str] = mapped_column(String(255), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    subject: Mapped[ShortText | None]
    lms_user_id: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship(back_populates="identities")


class Mentor(TenantOwned, Versioned, Timestamped, Base):
    """A person who takes mentees (mentorships, shadowing), up to a capacity at once."""

    __tablename__ = "mentor"
    __table_args__ = (CheckConstraint(MENTOR_CAPACITY.sql("capacity"), name="capacity_range"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    capacity: Mapped[int]
    active: Mapped[Flag]

    person: Mapped[Person] = relationship()
