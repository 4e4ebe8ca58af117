"""Skills, their proficiency scales (levels 1..N) and categories."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Description, ExternalId, Flag, Name, intpk
from lti_pathing.models.base import FromSource, TenantOwned, Timestamped, Versioned
from lti_pathing.models.limits import SKILL_LEVEL


class SkillCategory(FromSource, TenantOwned, Versioned, Timestamped, Base):
    """A group of skills (e.g. "Digital and software")."""

    __tablename__ = "skill_category"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        UniqueConstraint("tenant_id", "source", "source_id"),
    )

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    name: Mapped[Name]
    active: Mapped[Flag]


class Skill(FromSource, TenantOwned, Versioned, Timestamped, Base):
    """A skill measured on its own scale of levels."""

    __tablename__ = "skill"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        UniqueConstraint("tenant_id", "source", "source_id"),
    )

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    name: Mapped[Name]
    category_id: Mapped[int | None] = mapped_column(ForeignKey("skill_category.id"), index=True)
    description: Mapped[Description]
    source_uri: Mapped[str | None] = mapped_column(String(500))
    # The lowest level the source counts as proficient (Moodle's scale configuration, Canvas's
    # mastery points); None: the source does not say.
    proficient_level: Mapped[int | None]
    active: Mapped[Flag]

    category: Mapped[SkillCategory | None] = relationship()
    levels: Mapped[list[SkillLevel]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", order_by="SkillLevel.level"
    )
    relations: Mapped[list[SkillRelation]] = relationship(
        foreign_keys="SkillRelation.skill_id",
        back_populates="skill",
        cascade="all, delete-orphan",
        order_by="SkillRelation.id",
    )

    @property
    def max_level(self) -> int:
        """The top of this skill's scale (0 when it has no levels yet)."""
        return max((lv.level for lv in self.levels), default=0)


class SkillLevel(TenantOwned, Base):
    """One step of a skill's scale: level number, name, what it means."""

    __tablename__ = "skill_level"
    __table_args__ = (
        UniqueConstraint("skill_id", "level"),
        CheckConstraint(SKILL_LEVEL.sql("level"), name="level_range"),
    )

    id: Mapped[intpk]
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"), index=True)
    level: Mapped[int]
    name: Mapped[Name]
    description: Mapped[Description]
    # What the source calls this level: a Moodle scale item's value (1..N), Canvas rating points.
    source_value: Mapped[str | None] = mapped_column(String(64))

    skill: Mapped[Skill] = relationship(back_populates="levels")


class SkillRelation(TenantOwned, Base):
    """A link between two skills a framework states (Moodle cross-reference, CASE association)."""

    __tablename__ = "skill_relation"
    __table_args__ = (UniqueConstraint("skill_id", "related_id"),)

    id: Mapped[intpk]
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"), index=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))  # "related" (Moodle), a CASE association type

    skill: Mapped[Skill] = relationship(foreign_keys=[skill_id], back_populates="relations")
    related: Mapped[Skill] = relationship(foreign_keys=[related_id])
