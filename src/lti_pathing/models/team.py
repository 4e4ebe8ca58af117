"""What a manager's team holds: a yearly learning budget, and who decides while they are away."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Money, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned
from lti_pathing.models.people import Person


class TeamBudget(TenantOwned, Versioned, Timestamped, Base):
    """The money a manager's team may spend on learning in one calendar year."""

    __tablename__ = "team_budget"
    __table_args__ = (
        UniqueConstraint("tenant_id", "manager_id", "year"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("year BETWEEN 2000 AND 2200", name="year_range"),
    )

    id: Mapped[intpk]
    manager_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    amount: Mapped[Money]
    currency: Mapped[str | None] = mapped_column(String(3))

    manager: Mapped[Person] = relationship()


class ApprovalDelegation(TenantOwned, Timestamped, Base):
    """While a manager is away (first to last day), a delegate decides their reports' plans."""

    __tablename__ = "approval_delegation"
    __table_args__ = (
        CheckConstraint("manager_id <> delegate_id", name="not_self"),
        CheckConstraint("starts_on <= ends_on", name="dates_order"),
    )

    id: Mapped[intpk]
    manager_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]

    manager: Mapped[Person] = relationship(foreign_keys=[manager_id])
    delegate: Mapped[Person] = relationship(foreign_keys=[delegate_id])
