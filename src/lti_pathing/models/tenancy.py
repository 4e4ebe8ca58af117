"""Tenants: the organisation that owns LTI registrations and every other row."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_pathing.db import Base, Flag, Hours, Name, intpk
from lti_pathing.models.base import Timestamped, Versioned


class Tenant(Versioned, Timestamped, Base):
    """An organisation using the tool; the boundary no query crosses."""

    __tablename__ = "tenant"
    __table_args__ = (CheckConstraint("default_hours_per_week > 0", name="default_hours"),)

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[Name]
    default_hours_per_week: Mapped[Hours] = mapped_column(default=Decimal("2"))
    active: Mapped[Flag]

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
