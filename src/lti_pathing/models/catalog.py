"""The catalog: development activities of every kind, with what they teach and need."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Description, ExternalId, Flag, Hours, Money, Name, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned, enum_type
from lti_pathing.models.limits import DURATION_WEEKS, HOURS_SQL
from lti_pathing.models.people import Lms, Mentor
from lti_pathing.models.skills import Skill


class ActivityKind(enum.StrEnum):
    """The kinds of activity in the planning contract."""

    course = "course"
    mentorship = "mentorship"
    stretch = "stretch"
    certification = "certification"
    shadowing = "shadowing"
    peer_group = "peer_group"


class Activity(TenantOwned, Versioned, Timestamped, Base):
    """Something a learner can do once to raise skills: weeks of weekly effort, at a cost."""

    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        CheckConstraint(DURATION_WEEKS.sql("duration_weeks"), name="duration_range"),
        CheckConstraint(HOURS_SQL, name="hours_quarters"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("seats IS NULL OR seats >= 1", name="seats_positive"),
        CheckConstraint(
            "earliest_start IS NULL OR latest_end IS NULL OR earliest_start < latest_end",
            name="window_order",
        ),
    )

    id: Mapped[intpk]
    external_id: Mapped[ExternalId]
    kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind, "activity_kind"))
    title: Mapped[Name]
    description: Mapped[Description]
    provider: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    duration_weeks: Mapped[int]
    hours_per_week: Mapped[Hours]
    cost: Mapped[Money] = mapped_column(default=Decimal("0"))
    currency: Mapped[str | None] = mapped_column(String(3))
    earliest_start: Mapped[dt.date | None]
    latest_end: Mapped[dt.date | None]
    seats: Mapped[int | None]
    active: Mapped[Flag]

    outcomes: Mapped[list[ActivityOutcome]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityOutcome.id"
    )
    skill_prereqs: Mapped[list[ActivitySkillPrereq]] = relationship(
        cascade="all, delete-orphan", order_by="ActivitySkillPrereq.id"
    )
    prereqs: Mapped[list[ActivityPrereq]] = relationship(
        foreign_keys="ActivityPrereq.activity_id",
        cascade="all, delete-orphan",
        order_by="ActivityPrereq.id",
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        cascade="all, delete-orphan", order_by="Cohort.starts_on"
    )
    mentors: Mapped[list[ActivityMentor]] = relationship(
        cascade="all, delete-orphan", order_by="ActivityMentor.id"
    )
    lms_links: Mapped[list[LmsCourseLink]] = relationship(
        cascade="all, delete-orphan", order_by="LmsCourseLink.id"
    )


class ActivityOutcome(TenantOwned, Base):
    """Completing the activity raises a skill to at least this level."""

    __tablename__ = "activity_outcome"
    __table_args__ = (
        UniqueConstraint("activity_id", "skill_id"),
        CheckConstraint("level >= 1", name="level_positive"),
    )

    id: Mapped[intpk]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int]

    skill: Mapped[Skill] = relationship()


class ActivitySkillPrereq(TenantOwned, Base):
    """A learner must hold a skill at this level to start the activity."""

    __tablename__ = "activity_skill_prereq"
    __table_args__ = (
        UniqueConstraint("activity_id", "skill_id"),
        CheckConstraint("level >= 1", name="level_positive"),
    )

    id: Mapped[intpk]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int]

    skill: Mapped[Skill] = relationship()


class ActivityPrereq(TenantOwned, Base):
    """Another activity that must have ended before this one starts."""

    __tablename__ = "activity_prereq"
    __table_args__ = (
        UniqueConstraint("activity_id", "requires_id"),
        CheckConstraint("activity_id <> requires_id", name="not_self"),
    )

    id: Mapped[intpk]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    requires_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)

    requires: Mapped[Activity] = relationship(foreign_keys=[requires_id])


class Cohort(TenantOwned, Base):
    """A dated run of an activity with its own seats."""

    __tablename__ = "cohort"
    __table_args__ = (
        UniqueConstraint("activity_id", "external_id"),
        CheckConstraint("seats IS NULL OR seats >= 1", name="seats_positive"),
    )

    id: Mapped[intpk]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[ExternalId]
    starts_on: Mapped[dt.date]
    seats: Mapped[int | None]


class ActivityMentor(TenantOwned, Base):
    """A mentor eligible to take learners through this activity."""

    __tablename__ = "activity_mentor"
    __table_args__ = (UniqueConstraint("activity_id", "mentor_id"),)

    id: Mapped[intpk]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id"), index=True)

    mentor: Mapped[Mentor] = relationship()


class LmsCourseLink(TenantOwned, Base):
    """An LMS course whose completion completes the activity."""

    __tablename__ = "lms_course_link"
    __table_args__ = (UniqueConstraint("activity_id", "lms", "issuer"),)

    id: Mapped[intpk]
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    lms: Mapped[Lms] = mapped_column(enum_type(Lms, "lms"))
    course_id: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(255), default="")  # empty: any platform
