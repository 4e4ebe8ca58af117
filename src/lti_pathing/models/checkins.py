"""Quarterly check-ins between a manager and a report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned
from lti_pathing.models.people import Person


class CheckIn(TenantOwned, Versioned, Timestamped, Base):
    """A scheduled conversation about a person's development, with notes and a progress snapshot."""

    __tablename__ = "check_in"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    scheduled_on: Mapped[dt.date]
    # The time of day in `time_zone` (an IANA name) and the length; no time: an all-day event.
    starts_at: Mapped[dt.time | None]
    duration_minutes: Mapped[int | None]
    time_zone: Mapped[str | None] = mapped_column(String(64))
    held_on: Mapped[dt.date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    # Next steps that are activities of the person's plan (ids), besides the words above.
    next_activity_ids: Mapped[list[int] | None] = mapped_column(JSON)
    # What the plan looked like when the check-in was held (items done, on schedule, readiness).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    manager: Mapped[Person | None] = relationship(foreign_keys=[manager_id])
