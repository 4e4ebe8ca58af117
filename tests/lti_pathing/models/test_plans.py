"""Model rules the database or the ORM enforces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_pathing.models import Activity, ActivityKind, AppendOnlyViolation, Person, Plan, PlanEvent


def test_plan_events_are_append_only(session: Session, tenant: Any) -> None:
    person = Person(tenant_id=tenant.id, external_id="E1", name="Ann")
    plan = Plan(tenant_id=tenant.id, person=person)
    event = PlanEvent(tenant_id=tenant.id, plan=plan, kind="created")
    session.add_all([person, plan, event])
    session.flush()
    event.comment = "rewritten history"
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()


def test_deleting_a_plan_event_is_refused(session: Session, tenant: Any) -> None:
    person = Person(tenant_id=tenant.id, external_id="E1", name="Ann")
    event = PlanEvent(tenant_id=tenant.id, plan=Plan(tenant_id=tenant.id, person=person), kind="x")
    session.add(event)
    session.flush()
    session.delete(event)
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()


@pytest.mark.parametrize("hours", ["0.3", "0", "40.25"])
def test_weekly_effort_is_quarter_hours_up_to_forty(
    session: Session, tenant: Any, hours: str
) -> None:
    session.add(
        Activity(
            tenant_id=tenant.id,
            external_id="a",
            kind=ActivityKind.course,
            title="A",
            duration_weeks=1,
            hours_per_week=Decimal(hours),
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_external_ids_are_unique_per_tenant(session: Session, tenant: Any) -> None:
    session.add_all([Person(tenant_id=tenant.id, external_id="E1", name=n) for n in ("Ann", "Bob")])
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
