"""The sample organisation (Larkspur Software), imported once per module, for planning tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from lti_pathing.models import Evidence, EvidenceSource, Person, Skill, Tenant
from lti_pathing.services.planning import Limits, PlanningService
from lti_pathing.services.transfer.importer import ImportService

SAMPLE = Path(__file__).parents[4] / "src" / "lti_pathing" / "sample_data" / "catalog.json"
TODAY = dt.date(2026, 12, 2)  # a Wednesday: the coming Monday is 2026-12-07


@dataclass
class Sample:
    connection: Connection
    tenant_id: int


@pytest.fixture(scope="module")
def sample(engine: Engine) -> Iterator[Sample]:
    """Larkspur imported once into tenant `larkspur`, rolled back after the module."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as work:
            tenant = Tenant(slug="larkspur", name="Larkspur Software")
            work.add(tenant)
            work.flush()
            ImportService(work, tenant).import_path(SAMPLE)
            work.commit()
            yield Sample(connection, tenant.id)
        outer.rollback()


@pytest.fixture
def work(sample: Sample) -> Iterator[Session]:
    """A session inside a savepoint of the sample's transaction, rolled back after the test."""
    savepoint = sample.connection.begin_nested()
    with Session(bind=sample.connection, join_transaction_mode="create_savepoint") as session:
        yield session
    savepoint.rollback()


@pytest.fixture
def larkspur(work: Session, sample: Sample) -> Tenant:
    return work.get_one(Tenant, sample.tenant_id)


def clock() -> dt.datetime:
    """A fixed 'now' so that plans are reproducible."""
    return dt.datetime.combine(TODAY, dt.time(9), dt.UTC)


@pytest.fixture
def planning(work: Session, larkspur: Tenant) -> PlanningService:
    return PlanningService(work, larkspur, clock, Limits(time_limit_s=5, quick_time_limit_s=2))


@pytest.fixture
def person(work: Session, larkspur: Tenant) -> Callable[[str], Person]:
    def find(external_id: str) -> Person:
        found = work.scalar(
            select(Person).where(Person.tenant_id == larkspur.id, Person.external_id == external_id)
        )
        assert found is not None, external_id
        return found

    return find


@pytest.fixture
def add_evidence(work: Session, larkspur: Tenant) -> Callable[..., Evidence]:
    """Factory: `add_evidence(person, "python", 2, "self", date)` records one observation."""

    def add(
        person: Person,
        skill: str,
        level: int,
        source: str = "self",
        on: dt.date = dt.date(2026, 6, 1),
        **fields: Any,
    ) -> Evidence:
        skill_row = work.scalar(
            select(Skill).where(Skill.tenant_id == larkspur.id, Skill.external_id == skill)
        )
        assert skill_row is not None
        row = Evidence(
            tenant_id=larkspur.id,
            person_id=person.id,
            skill_id=skill_row.id,
            level=level,
            source=EvidenceSource(source),
            observed_on=on,
            **fields,
        )
        work.add(row)
        work.flush()
        return row

    return add
