"""One sync run over one LMS connection: its row, its guard, each person, how it ends.

`start_run` is what `lti_pathing.lms.sync` calls per connection (see that module for the rules).
The runner reads what a person needs and ends that transaction, asks the LMS through a
`SyncGuard`, and stores what came back in a short transaction of its own; its `watch` re-reads
the connection (deactivated?) and writes the heartbeat now and then. A run skipped because the
connection's breaker is open leaves one `failed` row per opening.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto
from lti_pathing.columns import utcnow
from lti_pathing.lms.canvas import CanvasClient, CanvasSource, canvas_http
from lti_pathing.lms.circuit import SKIPPED, Breaker, BreakerState
from lti_pathing.lms.errors import LmsConnectionBroken, LmsError, LmsSyncStopped
from lti_pathing.lms.guard import SyncGuard, SyncLimits
from lti_pathing.lms.http import Clock, Sleep, mask
from lti_pathing.lms.moodle import MoodleClient, MoodleSource, moodle_http
from lti_pathing.lms.recovery import owner, recover_stale_runs
from lti_pathing.lms.source import CompletionSource, PersonFetch
from lti_pathing.models import Lms, LmsConnection, LmsSyncRun, Person, SyncStatus, Tenant
from lti_pathing.notify import events as notify_events
from lti_pathing.services.completions import Applied, CompletionService

log = logging.getLogger("lti_pathing.lms")
SourceFactory = Callable[[LmsConnection, str, SyncGuard], CompletionSource]
MAX_FAILURES = 500  # failures kept on one run row (the count is always exact)
MAX_NOTES = 200  # courses noted on one run row as unable to report completion
HEARTBEAT_EVERY_S = 60.0  # a run waiting on the LMS says it is alive this often (recovery.py)


def source_for(
    connection: LmsConnection,
    token: str,
    guard: SyncGuard | None = None,
    clock: Clock = utcnow,
    sleep: Sleep = time.sleep,
) -> CompletionSource:
    """The client for a connection's LMS, using its (decrypted) token, calls guarded."""
    timeouts = (guard.limits if guard is not None else SyncLimits()).timeouts()
    options: dict[str, Any] = {"sleep": sleep, "clock": clock, "timeout": timeouts, "guard": guard}
    if connection.kind == Lms.moodle:
        http = moodle_http(connection.base_url, token, **options)
        return MoodleSource(MoodleClient(http, token), clock)
    return CanvasSource(CanvasClient(canvas_http(connection.base_url, token, **options)), clock)


@dataclass(frozen=True)
class SyncOptions:
    """How a sync runs: its clock, what started it, its limits, its job, its LMS clients."""

    clock: Clock = utcnow
    trigger: str = "manual"
    limits: SyncLimits = field(default_factory=SyncLimits.current)
    job_id: int | None = None
    source_factory: SourceFactory | None = None

    def source(self, connection: LmsConnection, token: str, guard: SyncGuard) -> CompletionSource:
        """The LMS client of a run."""
        if self.source_factory is not None:
            return self.source_factory(connection, token, guard)
        return source_for(connection, token, guard, self.clock)


class _Runner:
    """One sync run over one connection."""

    def __init__(
        self, session: Session, tenant: Tenant, run: LmsSyncRun, options: SyncOptions,
        breaker: Breaker,
    ) -> None:  # fmt: skip
        self.session = session
        self.run = run
        self.clock = options.clock
        self.kind = run.connection.kind
        self.connection_id = run.connection_id
        self.service = CompletionService(session, tenant, options.clock)
        self.failures: list[dict[str, Any]] = []
        self.notes: dict[tuple[str, str], dict[str, Any]] = {}
        self.guard = SyncGuard(options.limits, breaker, self.watch)
        self._beat = time.monotonic()

    def watch(self) -> str | None:
        """Between people, and every few seconds during LMS calls: the connection re-read and the
        run's heartbeat written, in a short transaction of its own; a reason to stop, if any."""
        active, failures, open_until, error = self.session.execute(
            select(
                LmsConnection.active,
                LmsConnection.breaker_failures,
                LmsConnection.breaker_open_until,
                LmsConnection.breaker_error,
            ).where(LmsConnection.id == self.connection_id)
        ).one()
        self.guard.breaker.refresh(BreakerState(failures or 0, open_until, error))
        if time.monotonic() - self._beat >= HEARTBEAT_EVERY_S:  # rarely: few writes while waiting
            self.run.heartbeat_at = self.clock()
            self._beat = time.monotonic()
        self.session.commit()
        return None if active else "an admin deactivated the connection"

    def fail(self, person: str, code: str, message: str, course_id: str | None = None) -> None:
        """Note a failure on the run (kept in order, capped in size)."""
        self.failures.append({"person": person, "course": course_id, "code": code,
                              "message": message})  # fmt: skip

    def person(self, source: CompletionSource, person: Person, user_id: str) -> None:
        """Fetch and store one person; a broken connection is raised after storing (run stops)."""
        wanted = self.service.wanted(person, self.kind)
        employee_id = person.external_id
        self.session.commit()  # nothing is held while the LMS is asked
        try:
            fetched = source.fetch_person(user_id, wanted)
        except LmsConnectionBroken as error:
            fetched = PersonFetch(broken=error)
        except LmsError as error:
            self.run.people_failed += 1
            self.fail(employee_id, error.code, error.message)
            self.save()
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
            self.fail(person.external_id, failure.code, failure.message, failure.course_id)
        # A run stopped (deadline, deactivated) before this person was done has not failed them:
        # they are simply not reached yet, and the next sync asks again.
        stopped = isinstance(fetched.broken, LmsSyncStopped)
        if fetched.broken is not None and not stopped:
            self.fail(person.external_id, fetched.broken.code, fetched.broken.message)
        if fetched.failures or (fetched.broken is not None and not stopped):
            self.run.people_failed += 1
        elif not stopped:
            self.run.people_synced += 1
        for skipped in fetched.skipped:
            note = self.notes.setdefault(
                (skipped.course_id, skipped.reason),
                {"course": skipped.course_id, "reason": skipped.reason, "people": 0},
            )
            note["people"] += 1
        self.save()

    def save(self) -> None:
        """Commit what the run holds so far (new list objects so the JSON columns are written)."""
        self.run.failures = [*self.failures[:MAX_FAILURES]]
        self.run.notes = [dict(note) for note in list(self.notes.values())[:MAX_NOTES]]
        self.run.heartbeat_at = self.clock()
        self._beat = time.monotonic()
        self.guard.breaker.persist()
        self.session.commit()


def start_run(
    session: Session,
    tenant: Tenant,
    connection: LmsConnection,
    people: Sequence[tuple[Person, str]],
    person: Person | None,
    options: SyncOptions,
) -> LmsSyncRun:
    recover_stale_runs(session, options.clock, connection.id)
    breaker = Breaker(session, connection, options.limits.breaker, options.clock)
    if breaker.state.is_open(options.clock()):
        return _paused(session, tenant, connection, person, people, options, breaker)
    now = options.clock()
    run = LmsSyncRun(
        tenant_id=tenant.id,
        connection=connection,
        person_id=person.id if person is not None else None,
        trigger=options.trigger,
        status=SyncStatus.running,
        started_at=now,
        since=_since(session, tenant, connection),
        people_total=len(people),
        failures=[],
        owner=owner(),
        heartbeat_at=now,
        deadline_at=now + dt.timedelta(seconds=options.limits.deadline_s),
        job_id=options.job_id,
    )
    session.add(run)
    session.commit()
    runner = _Runner(session, tenant, run, options, breaker)
    try:
        token = crypto.decrypt(connection.token_encrypted)
    except crypto.DecryptionError as error:
        return _finish(runner, SyncStatus.failed, str(error))
    try:
        return _fetch_all(runner, connection, people, token, options)
    except BaseException as error:
        _crashed(runner, error, token)
        raise


def _since(session: Session, tenant: Tenant, connection: LmsConnection) -> dt.datetime | None:
    """The cursor of the connection's last good run."""
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
    return previous.cursor if previous is not None else None


def _paused(
    session: Session,
    tenant: Tenant,
    connection: LmsConnection,
    person: Person | None,
    people: Sequence[tuple[Person, str]],
    options: SyncOptions,
    breaker: Breaker,
) -> LmsSyncRun:
    """A run skipped because the breaker is open: one row per opening, not one per trigger."""
    now = options.clock()
    state = breaker.state
    assert state.open_until is not None
    opened = state.open_until - options.limits.breaker.cooldown
    last = session.scalar(
        select(LmsSyncRun)
        .where(LmsSyncRun.tenant_id == tenant.id, LmsSyncRun.connection_id == connection.id)
        .order_by(LmsSyncRun.id.desc())
        .limit(1)
    )
    if (
        last is not None
        and last.status == SyncStatus.failed
        and (last.message or "").startswith(SKIPPED)
        and last.started_at >= opened
    ):
        session.commit()
        return last
    run = LmsSyncRun(
        tenant_id=tenant.id, connection=connection,
        person_id=person.id if person is not None else None, trigger=options.trigger,
        status=SyncStatus.failed, started_at=now, finished_at=now, people_total=len(people),
        failures=[], job_id=options.job_id,
        message=SKIPPED + f"{connection.kind.value} {connection.base_url} is "
        + state.describe(now),
    )  # fmt: skip
    session.add(run)
    session.commit()
    log.info("lms sync %s skipped: the breaker of %s is open", run.id, connection.base_url)
    return run


def _fetch_all(
    runner: _Runner,
    connection: LmsConnection,
    people: Sequence[tuple[Person, str]],
    token: str,
    options: SyncOptions,
) -> LmsSyncRun:
    source = options.source(connection, token, runner.guard)
    try:
        return _each_person(runner, source, people)
    finally:
        source.close()


def _each_person(
    runner: _Runner, source: CompletionSource, people: Sequence[tuple[Person, str]]
) -> LmsSyncRun:
    run = runner.run
    for member, user_id in people:
        try:
            reason = runner.guard.stop_reason()
            if reason is not None:
                raise LmsSyncStopped(f"stopped: {reason}")
            runner.person(source, member, user_id)
        except LmsSyncStopped as error:
            done = run.people_synced + run.people_failed
            rest = f"{done} of {run.people_total} people done, the others are synced next time"
            return _finish(runner, SyncStatus.aborted, f"{error.message}; {rest}")
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
    if status in (SyncStatus.failed, SyncStatus.aborted):
        notify_events.sync_failed(runner.session, runner.service.tenant, run, runner.clock().date())
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
