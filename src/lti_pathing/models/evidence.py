"""Evidence of a person's level in a skill, with where it came from."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Timestamp, intpk, utcnow
from lti_pathing.models.base import TenantOwned, enum_type
from lti_pathing.models.catalog import Activity
from lti_pathing.models.people import Person
from lti_pathing.models.skills import Skill


class EvidenceSource(enum.StrEnum):
    """Who or what vouches for the level."""

    lms_completion = "lms_completion"
    self = "self"
    manager = "manager"
    import_ = "import"


class Evidence(TenantOwned, Base):
    """A person showed `level` in a skill on a date; never edited, superseded by newer evidence."""

    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint("level >= 0", name="level_not_negative"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int]
    source: Mapped[EvidenceSource] = mapped_column(enum_type(EvidenceSource, "evidence_source"))
    observed_on: Mapped[dt.date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    skill: Mapped[Skill] = relationship()
    recorded_by: Mapped[Person | None] = relationship(foreign_keys=[recorded_by_id])
    activity: Mapped[Activity | None] = relationship()
