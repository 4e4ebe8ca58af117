"""Development plans, their items, and the append-only log of what happened to them."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    event,
    false,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lti_pathing.columns import Base, Timestamp, intpk, utcnow
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned, enum_type
from lti_pathing.models.catalog import Activity
from lti_pathing.models.people import Person
from lti_pathing.models.roles import Role


class PlanStatus(enum.StrEnum):
    """Where a plan is in its approval life."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    changes_requested = "changes_requested"
    archived = "archived"
    proposed = "proposed"  # a re-plan's change to an approved plan, waiting for the manager


class ItemStatus(enum.StrEnum):
    """Progress of one planned activity."""

    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"
    dropped = "dropped"


class Plan(TenantOwned, Versioned, Timestamped, Base):
    """A person's dated development plan towards a target role."""

    __tablename__ = "plan"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    target_role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"), index=True)
    status: Mapped[PlanStatus] = mapped_column(
        enum_type(PlanStatus, "plan_status"), default=PlanStatus.draft
    )
    starts_on: Mapped[dt.date | None]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the planner said (the learner's part of `response`, kept queryable for pages/metrics).
    solve_status: Mapped[str | None] = mapped_column(String(16))
    closure: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    max_closure: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    ready_on: Mapped[dt.date | None]  # the Monday after the last item ends; None: not ready
    # A proposal (status `proposed`) names the approved plan it would replace.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    # The background job that wrote this plan (a redelivered job finds it and does not repeat).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)

    person: Mapped[Person] = relationship()
    target_role: Mapped[Role | None] = relationship()
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.start_week"
    )
    events: Mapped[list[PlanEvent]] = relationship(
        back_populates="plan", order_by="PlanEvent.id", viewonly=True
    )


class PlanItem(TenantOwned, Versioned, Timestamped, Base):
    """One activity placed in a plan, from `start_week` for its duration."""

    __tablename__ = "plan_item"
    __table_args__ = (CheckConstraint("start_week >= 0", name="start_not_negative"),)

    id: Mapped[intpk]
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    start_week: Mapped[int]
    end_week: Mapped[int]
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("mentor.id"), index=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[ItemStatus] = mapped_column(
        enum_type(ItemStatus, "item_status"), default=ItemStatus.planned
    )
    completed_on: Mapped[dt.date | None]

    plan: Mapped[Plan] = relationship(back_populates="items")
    activity: Mapped[Activity] = relationship()


class PlanEvent(TenantOwned, Base):
    """The tenant's audit record: something that happened to a plan (a generation, a decision,
    a comment) or, with no plan, to a person's data or the tenant's settings (docs/audit.md).

    Rows are only ever added, never changed or deleted through the ORM; the two lawful
    exceptions, the retention purge and an erasure request, use explicit statements
    (`services.audit`).
    """

    __tablename__ = "plan_event"

    id: Mapped[intpk]
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The person a record without a plan concerns (a plan's record concerns the plan's owner).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    plan: Mapped[Plan | None] = relationship(back_populates="events")


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or delete an append-only row (a bug, never user input)."""


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PlanEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"plan events are append-only (event {obj.id})")
