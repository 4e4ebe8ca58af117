"""Sync completions from a tenant's LMS connections: per tenant or per person.

`sync_tenant` and `sync_person` are plain functions a job wraps (at launch, on demand, on a
schedule, on a Canvas live event). They are an edge like a request: they commit. Per connection
they leave one `LmsSyncRun` that says what was fetched, what failed (per person and per course;
retried next run because unfetched courses are never marked known), which linked courses cannot
report completion and why, and why a run stopped early.

No transaction is open while the LMS is asked: per person, what to ask for is read and the
transaction ended, the LMS is called, then what came back is stored in a short transaction of its
own. A dead or slow LMS therefore never holds SQLite's write lock or a PostgreSQL snapshot while
everyone else waits. Around every call `SyncGuard` (lms/guard.py) keeps the run to its deadline,
stops it when an admin deactivates the connection, and feeds the connection's circuit breaker
(lms/circuit.py): an LMS that keeps not answering is skipped, fast, until its cool-down passes.
A run whose process died is marked failed by lms/recovery.py. One run: lms/sync_run.py.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.lms.guard import SyncLimits
from lti_pathing.lms.http import Clock
from lti_pathing.lms.sync_run import SourceFactory, SyncOptions, source_for, start_run
from lti_pathing.models import Lms, LmsIdentity, LmsSyncRun, Person, Tenant
from lti_pathing.services.completions.connections import LmsConnectionService

log = logging.getLogger("lti_pathing.lms")
__all__ = ["SourceFactory", "SyncOptions", "source_for", "sync_person", "sync_tenant"]


def sync_tenant(
    session: Session,
    tenant: Tenant,
    clock: Clock = utcnow,
    *,
    trigger: str = "schedule",
    source_factory: SourceFactory | None = None,
    limits: SyncLimits | None = None,
    job_id: int | None = None,
) -> list[LmsSyncRun]:
    """Sync every active person of the tenant over every active connection; one run each."""
    options = _options(clock, trigger, source_factory, limits, job_id)
    runs = []
    for connection in LmsConnectionService(session, tenant, clock).active():
        people = _people(session, tenant, connection.kind, None)
        runs.append(start_run(session, tenant, connection, people, None, options))
    return runs


def sync_person(
    session: Session,
    tenant: Tenant,
    person: Person,
    clock: Clock = utcnow,
    *,
    trigger: str = "launch",
    source_factory: SourceFactory | None = None,
    limits: SyncLimits | None = None,
    job_id: int | None = None,
) -> list[LmsSyncRun]:
    """Sync one person over every active connection they have an LMS user id for."""
    if person.tenant_id != tenant.id:
        raise ValueError("person of another tenant")
    options = _options(clock, trigger, source_factory, limits, job_id)
    runs = []
    for connection in LmsConnectionService(session, tenant, clock).active():
        people = _people(session, tenant, connection.kind, person.id)
        if people:
            runs.append(start_run(session, tenant, connection, people, person, options))
    return runs


def _options(
    clock: Clock,
    trigger: str,
    source_factory: SourceFactory | None,
    limits: SyncLimits | None,
    job_id: int | None,
) -> SyncOptions:
    return SyncOptions(clock, trigger, limits or SyncLimits.current(), job_id, source_factory)


def _people(
    session: Session, tenant: Tenant, kind: Lms, person_id: int | None
) -> list[tuple[Person, str]]:
    """(person, LMS user id) of active people the LMS knows, in a stable order."""
    stmt = (
        select(Person, LmsIdentity.lms_user_id)
        .join(LmsIdentity, LmsIdentity.person_id == Person.id)
        .where(
            Person.tenant_id == tenant.id,
            Person.active.is_(True),
            LmsIdentity.lms == kind,
            LmsIdentity.lms_user_id.is_not(None),
        )
        .order_by(Person.id, LmsIdentity.id)
    )
    if person_id is not None:
        stmt = stmt.where(Person.id == person_id)
    chosen: dict[int, tuple[Person, str]] = {}
    for person, user_id in session.execute(stmt):
        chosen.setdefault(person.id, (person, str(user_id)))
    return list(chosen.values())
