"""Larkspur Software as `make demo` loads it (catalog and histories), once per test module.

Import the fixtures into a test module: `from tests.lti_pathing.services.larkspur import ...`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Tenant
from lti_pathing.services.sample_org import SampleOrgService, SampleReport

TODAY = dt.date(2026, 12, 2)


def clock() -> dt.datetime:
    """A fixed 'now' (after every sample observation) so that answers are reproducible."""
    return dt.datetime.combine(TODAY, dt.time(9), dt.UTC)


@dataclass
class Loaded:
    connection: Connection
    tenant_id: int
    report: SampleReport


@pytest.fixture(scope="module")
def loaded(engine: Engine) -> Iterator[Loaded]:
    """The sample organisation loaded once into tenant `larkspur`, rolled back after the module."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as work:
            tenant = Tenant(slug="larkspur", name="Larkspur Software")
            work.add(tenant)
            work.flush()
            report = SampleOrgService(work, tenant, clock).load()
            work.commit()
            yield Loaded(connection, tenant.id, report)
        outer.rollback()


@pytest.fixture
def work(loaded: Loaded) -> Iterator[Session]:
    """A session inside a savepoint of the module's transaction, rolled back after the test."""
    savepoint = loaded.connection.begin_nested()
    with Session(bind=loaded.connection, join_transaction_mode="create_savepoint") as session:
        yield session
    savepoint.rollback()


@pytest.fixture
def larkspur(work: Session, loaded: Loaded) -> Tenant:
    return work.get_one(Tenant, loaded.tenant_id)


def named(work: Session, tenant: Tenant, name: str) -> Person:
    """The sample person with this full name."""
    found = work.scalar(select(Person).where(Person.tenant_id == tenant.id, Person.name == name))
    assert found is not None, name
    return found
