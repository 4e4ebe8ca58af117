"""Job architecture: families, roles (track, level), required skills, career-path edges."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Numeric, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Description, ExternalId, Flag, Name, intpk
from lti_pathing.models.base import FromSource, TenantOwned, Timestamped, Versioned, enum_type
from lti_pathing.models.limits import LEVEL_RANK
from lti_pathing.models.skills import Skill


class Track(enum.StrEnum):
    """Individual-contributor or management ladder."""

    individual = "individual"
    management = "management"


class RoleLevel(enum.StrEnum):
    """Named seniority level; `Role.level_rank` orders roles across families."""

    entry = "entry"
    mid = "mid"
    senior = "senior"
    lead = "lead"
    principal = "principal"
    manager = "manager"
    director = "director"


class PathKind(enum.StrEnum):
    """How a career move relates the two roles."""

    vertical = "vertical"
    lateral = "lateral"
    cross_functional = "cross_functional"


class JobFamily(TenantOwned, Versioned, Timestamped, Base):
    """A group of related roles (e.g. Software Engineering)."""

    __tablename__ = "job_family"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    name: Mapped[Name]
    description: Mapped[Description]
    active: Mapped[Flag]


class Role(FromSource, TenantOwned, Versioned, Timestamped, Base):
    """A job: its family, track, level and the skill levels it requires."""

    __tablename__ = "role"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        UniqueConstraint("tenant_id", "source", "source_id"),
        CheckConstraint(LEVEL_RANK.sql("level_rank"), name="level_rank_range"),
    )

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    title: Mapped[Name]
    family_id: Mapped[int] = mapped_column(ForeignKey("job_family.id"), index=True)
    track: Mapped[Track] = mapped_column(enum_type(Track, "track"))
    level: Mapped[RoleLevel] = mapped_column(enum_type(RoleLevel, "role_level"))
    level_rank: Mapped[int]
    critical: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    description: Mapped[Description]
    active: Mapped[Flag]

    family: Mapped[JobFamily] = relationship()
    skills: Mapped[list[RoleSkill]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="RoleSkill.id"
    )
    paths: Mapped[list[CareerPath]] = relationship(
        foreign_keys="CareerPath.from_role_id",
        cascade="all, delete-orphan",
        back_populates="from_role",
    )


class RoleSkill(TenantOwned, Base):
    """A role requires a skill at a level, weighted by importance."""

    __tablename__ = "role_skill"
    __table_args__ = (
        UniqueConstraint("role_id", "skill_id"),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("weight > 0 AND weight <= 10", name="weight_range"),
    )

    id: Mapped[intpk]
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int]
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("1"))

    role: Mapped[Role] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class CareerPath(TenantOwned, Versioned, Base):
    """A possible move from one role to another."""

    __tablename__ = "career_path"
    __table_args__ = (
        UniqueConstraint("from_role_id", "to_role_id"),
        CheckConstraint("from_role_id <> to_role_id", name="no_self_edge"),
    )

    id: Mapped[intpk]
    from_role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"), index=True)
    to_role_id: Mapped[int] = mapped_column(ForeignKey("role.id"), index=True)
    kind: Mapped[PathKind] = mapped_column(enum_type(PathKind, "path_kind"))

    from_role: Mapped[Role] = relationship(foreign_keys=[from_role_id], back_populates="paths")
    to_role: Mapped[Role] = relationship(foreign_keys=[to_role_id])
