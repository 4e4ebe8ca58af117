"""Sync completions from a tenant's LMS connections: per tenant or per person.

`sync_tenant` and `sync_person` are plain functions a job wraps (at launch, on demand, on a
schedule). They are an edge like a request: they commit — the run row at the start, then each
person's completions as soon as they are stored, so that a failure later loses nothing already
fetched. Per connection they leave one `LmsSyncRun` that says what was fetched, what failed (per
person and per course; retried next run because unfetched courses are never marked known), and
why a run stopped early (a revoked token stops it cleanly, keeping what was stored).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto
from lti_pathing.db import utcnow
from lti_pathing.lms.canvas import CanvasClient, CanvasSource, canvas_http
from lti_pathing.lms.errors import LmsConnectionBroken, LmsError
from lti_pathing.lms.http import Clock, Sleep, mask
from lti_pathing.lms.moodle import MoodleClient, MoodleSource, moodle_http
from lti_pathing.lms.source import CompletionSource, PersonFetch
from lti_pathing.models import (
    Lms,
    LmsConnection,
    LmsIdentity,
    LmsSyncRun,
    Person,
    SyncStatus,
    Tenant,
)
from lti_pathing.services.completions import Applied, CompletionService
from lti_pathing.services.completions.connections import LmsConnectionService

log = logging.getLogger("lti_pathing.lms")
SourceFactory = Callable[[LmsConnection, str], CompletionSource]
MAX_FAILURES = 500  # failures kept on one run row (the count is always exact)
# A run still `running` this long after it started belongs to a process that died (a worker
# killed mid-sync never reaches its `finally`): the next sync of the connection marks it failed.
STALE_AFTER = dt.timedelta(hours=2)


def source_for(
    connection: LmsConnection, token: str, clock: Clock = utcnow, sleep: Sleep = time.sleep
) -> CompletionSource:
    """The client for a connection's LMS, using its (decrypted) token."""
    if connection.kind == Lms.moodle:
        http = moodle_http(connection.base_url, token, sleep=sleep, clock=clock)
        return MoodleSource(MoodleClient(http, token), clock)
    return CanvasSource(
        CanvasClient(canvas_http(connection.base_url, token, sleep=sleep, clock=clock)), clock
    )


def sync_tenant(
    session: Session,
    tenant: Tenant,
    clock: Clock = utcnow,
    *,
    trigger: str = "schedule",
    source_factory: SourceFactory | None = None,
) -> list[LmsSyncRun]:
    """Sync every active person of the tenant over every active connection; one run each."""
    runs = []
    for connection in LmsConnectionService(session, tenant, clock).active():
        people = _people(session, tenant, connection.kind, None)
        runs.append(_run(session, tenant, connection, people, None, clock, trigger, source_factory))
    return runs


def sync_person(
    session: Session,
    tenant: Tenant,
    person: Person,
    clock: Clock = utcnow,
    *,
    trigger: str = "launch",
    source_factory: SourceFactory | None = None,
) -> list[LmsSyncRun]:
    """Sync one person over every active connection they have an LMS user id for."""
    if person.tenant_id != tenant.id:
        raise ValueError("person of another tenant")
    runs = []
    for connection in LmsConnectionService(session, tenant, clock).active():
        people = _people(session, tenant, connection.kind, person.id)
        if people:
            runs.append(
                _run(session, tenant, connection, people, person, clock, trigger, source_factory)
            )
    return runs


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


class _Runner:
    """One sync run over one connection."""

    def __init__(self, session: Session, tenant: Tenant, run: LmsSyncRun, clock: Clock) -> None:
        self.session = session
        self.run = run
        self.clock = clock
        self.service = CompletionService(session, tenant, clock)
        self.failures: list[dict[str, Any]] = []

    def fail(self, person: Person, code: str, message: str, course_id: str | None = None) -> None:
        """Note a failure on the run (kept in order, capped in size)."""
        entry = {
            "person": person.external_id,
            "course": course_id,
            "code": code,
            "message": message,
        }
        self.failures.append(entry)

    def person(self, source: CompletionSource, person: Person, user_id: str) -> None:
        """Fetch and store one person; a broken connection is raised after storing (run stops)."""
        kind = self.run.connection.kind
        try:
            fetched = source.fetch_person(user_id, self.service.wanted(person, kind))
        except LmsConnectionBroken as error:
            fetched = PersonFetch(broken=error)
        except LmsError as error:
            self.run.people_failed += 1
            self.fail(person, error.code, error.message)
            return
        self.store(person, fetched)
        if fetched.broken is not None:
            raise fetched.broken

    def store(self, person: Person, fetched: PersonFetch) -> None:
        """Write one person's completions, their evidence and finished items, then commit."""
        applied = Applied()
        with self.session.begin_nested():
            for item in fetched.completions:
                if self.service.record_fetched(person, item, self.run.connection, self.run):
                    self.run.recorded += 1
            applied += self.service.apply_person(person)
        self.run.fetched += len(fetched.completions)
        self.run.evidence_created += applied.evidence
        self.run.items_completed += applied.items
        for failure in fetched.failures:
            self.fail(person, failure.code, failure.message, failure.course_id)
        if fetched.broken is not None:
            self.fail(person, fetched.broken.code, fetched.broken.message)
        if fetched.failures or fetched.broken is not None:
            self.run.people_failed += 1
        else:
            self.run.people_synced += 1
        self.save()

    def save(self) -> None:
        """Commit what the run holds so far (a new list object so the JSON column is written)."""
        self.run.failures = [*self.failures[:MAX_FAILURES]]
        self.session.commit()


def _run(
    session: Session,
    tenant: Tenant,
    connection: LmsConnection,
    people: Sequence[tuple[Person, str]],
    person: Person | None,
    clock: Clock,
    trigger: str,
    source_factory: SourceFactory | None,
) -> LmsSyncRun:
    _close_stale(session, tenant, connection, clock)
    previous = session.scalar(
        select(LmsSyncRun)
        .where(
            LmsSyncRun.tenant_id == tenant.id,
            LmsSyncRun.connection_id == connection.id,
            LmsSyncRun.cursor.is_not(None),
        )
        .order_by(LmsSyncRun.id.desc())
        .limit(1)
    )
    run = LmsSyncRun(
        tenant_id=tenant.id,
        connection=connection,
        person_id=person.id if person is not None else None,
        trigger=trigger,
        status=SyncStatus.running,
        started_at=clock(),
        since=previous.cursor if previous is not None else None,
        people_total=len(people),
        failures=[],
    )
    session.add(run)
    session.commit()
    runner = _Runner(session, tenant, run, clock)
    try:
        token = crypto.decrypt(connection.token_encrypted)
    except crypto.DecryptionError as error:
        return _finish(runner, SyncStatus.failed, str(error))
    try:
        return _fetch_all(runner, connection, people, token, clock, source_factory)
    except BaseException as error:
        _crashed(runner, error, token)
        raise


def _fetch_all(
    runner: _Runner,
    connection: LmsConnection,
    people: Sequence[tuple[Person, str]],
    token: str,
    clock: Clock,
    source_factory: SourceFactory | None,
) -> LmsSyncRun:
    run = runner.run
    source = (source_factory or (lambda c, t: source_for(c, t, clock)))(connection, token)
    for member, user_id in people:
        try:
            runner.person(source, member, user_id)
        except LmsConnectionBroken as error:
            return _finish(runner, SyncStatus.aborted, f"stopped: {error.message}")
    if not runner.failures:
        return _finish(runner, SyncStatus.succeeded, None)
    nothing = run.people_synced == 0 and run.fetched == 0
    return _finish(runner, SyncStatus.failed if nothing else SyncStatus.partial, None)


def _finish(runner: _Runner, status: SyncStatus, message: str | None) -> LmsSyncRun:
    run = runner.run
    run.status = status
    run.message = message
    run.finished_at = runner.clock()
    if status == SyncStatus.succeeded:
        run.cursor = run.started_at
    log.info(
        "lms sync %s (%s %s): %s, %d/%d people, %d fetched, %d new, %d failure(s)",
        run.id, run.connection.kind, run.connection.base_url, status, run.people_synced,
        run.people_total, run.fetched, run.recorded, len(runner.failures),
    )  # fmt: skip
    runner.save()
    return run


def _crashed(runner: _Runner, error: BaseException, token: str) -> None:
    """Mark a run that crashed outright (not an LMS error) failed with the reason, kept what was
    committed before; a failure to record that is logged, the original error still raised."""
    reason = mask(f"crashed: {type(error).__name__}: {error}", [token])[:2000]
    log.exception("lms sync %s %s", runner.run.id, reason)
    try:
        runner.session.rollback()
        if runner.run.status == SyncStatus.running:
            _finish(runner, SyncStatus.failed, reason)
    except Exception:  # the database itself may be what failed: the stale rule cleans up
        log.exception("lms sync %s: could not record the crash", runner.run.id)


def _close_stale(session: Session, tenant: Tenant, connection: LmsConnection, clock: Clock) -> None:
    """Fail the connection's runs left `running` for longer than STALE_AFTER (a dead worker)."""
    now = clock()
    stale = session.scalars(
        select(LmsSyncRun).where(
            LmsSyncRun.tenant_id == tenant.id,
            LmsSyncRun.connection_id == connection.id,
            LmsSyncRun.status == SyncStatus.running,
            LmsSyncRun.started_at < now - STALE_AFTER,
        )
    ).all()
    for run in stale:
        hours = STALE_AFTER.total_seconds() / 3600
        run.status = SyncStatus.failed
        run.finished_at = now
        run.message = (
            f"stale: still running {hours:g} h after it started (the process running it "
            "stopped); what it stored is kept, the rest is fetched again"
        )
        log.warning("lms sync %s marked failed: stale", run.id)
