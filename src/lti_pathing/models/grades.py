"""Grade passback: the LMS course contexts the tool was launched from, and what it sent there.

A launch whose AGS claim offers line items records its context (one per registration and LTI
context id) and, for a learner of that course, a passback target. Scores go only to contexts
whose grade book was chosen for them (`Gradebook`): never by default, since a line item the
tool creates in Canvas becomes a real assignment. A passback job writes the learner's plan
progress there and records what it sent, when, and the LMS's refusal if any.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, UtcDateTime, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, enum_type
from lti_pathing.models.lti import PlatformRegistration
from lti_pathing.models.people import Person

Url = String(500)


class Gradebook(enum.StrEnum):
    """Whether, and where, a course's grade book receives plan progress."""

    none = "none"  # the default: nothing is sent, no line item is created
    link = "link"  # a link placed in the course with its own line item (the LMS made the column)
    course = "course"  # the tenant admin set the course aside: the tool keeps its own line item


class LtiContext(TenantOwned, Timestamped, Base):
    """An LMS course (LTI context) of one registration, and its AGS line items endpoint."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("registration_id", "context_id"),)

    id: Mapped[intpk]
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True
    )
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    lineitems_url: Mapped[str] = mapped_column(Url)  # from the launch's AGS claim
    lineitem_url: Mapped[str | None] = mapped_column(Url)  # the plan's column, once found
    gradebook: Mapped[Gradebook] = mapped_column(
        enum_type(Gradebook, "gradebook"), default=Gradebook.none, server_default="none"
    )

    registration: Mapped[PlatformRegistration] = relationship()


class GradePassback(TenantOwned, Timestamped, Base):
    """A learner of a context whose plan progress goes to its grade book; the last score sent."""

    __tablename__ = "grade_passback"
    __table_args__ = (UniqueConstraint("context_id", "person_id"),)

    id: Mapped[intpk]
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # the LTI `sub` the platform knows them by
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # last score sent, 0-100
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    attempted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)  # the LMS's refusal on the last attempt
    # The HTTP status of a refusal for good (a 4xx such as Canvas's 422 "not a student"): no
    # score is sent again until the person launches from that course as a learner again.
    refused_status: Mapped[int | None] = mapped_column(Integer)

    context: Mapped[LtiContext] = relationship()
    person: Mapped[Person] = relationship()
