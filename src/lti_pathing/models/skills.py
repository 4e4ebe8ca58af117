"""Skills, their proficiency scales (levels 1..N) and categories."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Description, ExternalId, Flag, Name, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned
from lti_pathing.models.limits import SKILL_LEVEL


class SkillCategory(TenantOwned, Versioned, Timestamped, Base):
    """A group of skills (e.g. "Digital and software")."""

    __tablename__ = "skill_category"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    name: Mapped[Name]
    active: Mapped[Flag]


class Skill(TenantOwned, Versioned, Timestamped, Base):
    """A skill measured on its own scale of levels."""

    __tablename__ = "skill"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    name: Mapped[Name]
    category_id: Mapped[int | None] = mapped_column(ForeignKey("skill_category.id"), index=True)
    description: Mapped[Description]
    source_uri: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[Flag]

    category: Mapped[SkillCategory | None] = relationship()
    levels: Mapped[list[SkillLevel]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", order_by="SkillLevel.level"
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

    skill: Mapped[Skill] = relationship(back_populates="levels")
