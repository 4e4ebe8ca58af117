"""Mentors' answers: booking requests they accept or decline, and weeks they are not available."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Timestamp, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned, enum_type
from lti_pathing.models.people import Mentor, Person
from lti_pathing.models.plans import PlanItem


class BookingStatus(enum.StrEnum):
    """A mentor's answer to being booked for a plan item."""

    requested = "requested"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"  # no answer in time: treated as declined


class MentorBooking(TenantOwned, Versioned, Timestamped, Base):
    """A plan item that takes a mentor asks them; their answer decides whether it holds."""

    __tablename__ = "mentor_booking"
    __table_args__ = (UniqueConstraint("plan_item_id"),)

    id: Mapped[intpk]
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(
        enum_type(BookingStatus, "booking_status"), default=BookingStatus.requested
    )
    requested_at: Mapped[Timestamp]
    answered_at: Mapped[Timestamp | None]
    comment: Mapped[str | None] = mapped_column(Text)

    item: Mapped[PlanItem] = relationship()
    mentor: Mapped[Mentor] = relationship()
    mentee: Mapped[Person] = relationship()


class MentorUnavailableWeek(TenantOwned, Base):
    """A week (its Monday) in which a mentor takes no mentees; the planner plans around it."""

    __tablename__ = "mentor_unavailable_week"
    __table_args__ = (UniqueConstraint("mentor_id", "week_of"),)

    id: Mapped[intpk]
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor.id", ondelete="CASCADE"), index=True)
    week_of: Mapped[dt.date]
