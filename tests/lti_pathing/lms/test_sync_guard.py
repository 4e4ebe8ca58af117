"""A sync never waits on the LMS inside a transaction; it keeps to its deadline, stops when its
connection is deactivated, and the connection's circuit breaker opens, fails fast and closes.

Faults are real where it matters: a port that refuses connections and a socket on 127.0.0.1
that accepts and never answers; replayed Canvas answers (responses) elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lti_pathing.lms.circuit import BreakerPolicy, state_of
from lti_pathing.lms.guard import SyncLimits
from lti_pathing.lms.recovery import owner
from lti_pathing.lms.source import CompletionSource
from lti_pathing.lms.sync import sync_tenant
from lti_pathing.models import Lms, LmsConnection, LmsIdentity, LmsSyncRun, SyncStatus
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.lms.conftest import (
    CANVAS_TOKEN,
    CANVAS_URL,
    NOW,
    Sleeps,
    canvas_body,
    clock,
    make_canvas_source,
)
from tests.support.servers import SilentServer

ALICE, BOB = "4242", "5555"
COOLDOWN = dt.timedelta(minutes=15)


def enrollments(user: str) -> str:
    return f"{CANVAS_URL}/api/v1/users/{user}/enrollments"


def progress(user: str, course: str = "88") -> str:
    return f"{CANVAS_URL}/api/v1/courses/{course}/users/{user}/progress"


def factory(sleeps: Sleeps) -> Any:
    def make(connection: LmsConnection, token: str, guard: Any) -> CompletionSource:
        return make_canvas_source(sleeps, guard)

    return make


@pytest.fixture
def canvas(session: Session, tenant: Any, org: dict[str, Any], app_ctx: Flask) -> LmsConnection:
    """Alice (Canvas user 4242) and Bob (5555), both enrolled in linked course 88."""
    org["bob"].identities.append(LmsIdentity(tenant_id=tenant.id, lms=Lms.canvas,
                                             lms_user_id=BOB))  # fmt: skip
    connection = LmsConnectionService(session, tenant, clock).connect(
        Lms.canvas, CANVAS_URL, CANVAS_TOKEN
    )
    session.commit()
    return connection


def ok(body: str) -> Any:
    """A callback answering with a Canvas fixture."""
    return lambda request: (200, {}, json.dumps(canvas_body(body)))


def test_no_transaction_is_open_while_the_lms_is_asked_even_after_a_failure(
    session: Session, tenant: Any, canvas: LmsConnection, sleeps: Sleeps
) -> None:
    # The first person's LMS answers fail; the second's succeed. Before, the first failure was
    # left unflushed and written when the second person was read, so the run held the database's
    # write lock (SQLite) through every later call to the LMS.
    during_calls: list[bool] = []

    def watching(answer: Any) -> Any:
        def call(request: Any) -> Any:
            during_calls.append(session.in_transaction())
            return answer(request)

        return call

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, enrollments(ALICE),
                          callback=watching(lambda r: (500, {}, "down")))  # fmt: skip
        rsps.add_callback(responses.GET, enrollments(BOB),
                          callback=watching(ok("enrollments_user_4242_page1")))  # fmt: skip
        rsps.add_callback(responses.GET, progress(BOB),
                          callback=watching(ok("progress_course_88_completed")))  # fmt: skip
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert len(during_calls) == 5 and not any(during_calls)
    assert run.status == SyncStatus.partial
    assert (run.people_failed, run.people_synced, run.recorded) == (1, 1, 1)
    assert run.owner == owner() and run.heartbeat_at == NOW
    assert run.deadline_at == NOW + dt.timedelta(hours=1)  # LMS_SYNC_DEADLINE_MINUTES


def test_the_breaker_opens_fails_fast_and_closes_when_the_lms_answers(
    session: Session, tenant: Any, canvas: LmsConnection, sleeps: Sleeps
) -> None:
    limits = SyncLimits(breaker=BreakerPolicy(failures=2, cooldown=COOLDOWN))
    version = canvas.version

    def sync(at: dt.datetime) -> LmsSyncRun:
        [run] = sync_tenant(session, tenant, lambda: at, source_factory=factory(sleeps),
                            limits=limits)  # fmt: skip
        return run

    with responses.RequestsMock() as rsps:
        rsps.get(enrollments(ALICE), body=requests.ConnectionError("Connection refused"))
        opened = sync(NOW)
        assert len(rsps.calls) == 2  # the third attempt was not made: the breaker opened
    assert opened.status == SyncStatus.aborted
    assert opened.message is not None and "not answering: 2 calls in a row" in opened.message
    assert opened.message.endswith(f"until {NOW + COOLDOWN:%Y-%m-%d %H:%M} UTC")
    assert state_of(session, canvas.id).open_until == NOW + COOLDOWN
    assert session.scalar(select(LmsConnection.version).where(LmsConnection.id == canvas.id)) \
        == version  # an admin's form on the page is not made stale by the breaker  # fmt: skip

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        paused = sync(NOW + dt.timedelta(minutes=5))
        again = sync(NOW + dt.timedelta(minutes=6))
        assert len(rsps.calls) == 0  # fail fast: the LMS is not asked at all
    assert paused.status == SyncStatus.failed and paused.id != opened.id
    assert paused.message is not None and paused.message.startswith("skipped: canvas")
    assert again.id == paused.id  # one row per opening, not one per trigger

    half_open = NOW + COOLDOWN + dt.timedelta(minutes=1)
    with responses.RequestsMock() as rsps:
        rsps.get(enrollments(ALICE), body=requests.ConnectionError("Connection refused"))
        reopened = sync(half_open)
        assert len(rsps.calls) == 1  # one try after the cool-down, and it opens again at once
    assert reopened.status == SyncStatus.aborted
    assert state_of(session, canvas.id).open_until == half_open + COOLDOWN

    healed_at = half_open + COOLDOWN + dt.timedelta(minutes=1)
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, enrollments(ALICE), callback=ok(
            "enrollments_user_4242_page1"))  # fmt: skip
        rsps.add_callback(responses.GET, progress(ALICE), callback=ok(
            "progress_course_88_completed"))  # fmt: skip
        rsps.add_callback(responses.GET, enrollments(BOB), callback=ok("enrollments_empty"))
        healed = sync(healed_at)
    assert healed.status == SyncStatus.succeeded and healed.recorded == 1
    closed = state_of(session, canvas.id)
    assert (closed.failures, closed.open_until, closed.error) == (0, None, None)


def test_a_real_refused_port_opens_the_breaker(
    session: Session, tenant: Any, org: dict[str, Any], app_ctx: Flask
) -> None:
    down = SilentServer.refusing()
    connection = LmsConnectionService(session, tenant, clock).connect(
        Lms.canvas, down, CANVAS_TOKEN
    )
    session.commit()
    limits = SyncLimits(breaker=BreakerPolicy(failures=2, cooldown=COOLDOWN))
    [run] = sync_tenant(session, tenant, clock, limits=limits)  # real requests, real sockets
    assert run.status == SyncStatus.aborted
    assert run.message is not None and "could not connect" in run.message
    assert state_of(session, connection.id).open_until == NOW + COOLDOWN
    page = LmsConnectionService(session, tenant, clock).list_connections()[0]
    session.refresh(page)
    from lti_pathing.lms.circuit import BreakerState

    assert BreakerState.of(page).describe(NOW).startswith("not answering: 2 calls in a row")


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


def test_a_hung_lms_cannot_keep_a_run_past_its_deadline(
    session: Session, tenant: Any, org: dict[str, Any], app_ctx: Flask, silent: SilentServer
) -> None:
    LmsConnectionService(session, tenant, clock).connect(Lms.canvas, silent.url, CANVAS_TOKEN)
    session.commit()
    # The LMS accepts the connection and never answers: each call would wait LMS_TIMEOUT_S
    # (30 s here) four times over; the deadline cuts the wait and stops the run.
    limits = SyncLimits(deadline_s=1.5, timeout_s=30.0,
                        breaker=BreakerPolicy(failures=100, cooldown=COOLDOWN))  # fmt: skip
    [run] = sync_tenant(session, tenant, clock, limits=limits)
    assert silent.accepted >= 1
    assert run.status == SyncStatus.aborted and run.finished_at is not None
    assert run.message is not None and "reached its deadline" in run.message
    assert "0 of 1 people done, the others are synced next time" in run.message


def test_deactivating_the_connection_stops_its_running_sync(
    session: Session, tenant: Any, canvas: LmsConnection, sleeps: Sleeps
) -> None:
    def deactivate_then_answer(request: Any) -> Any:
        # An admin presses Deactivate while the LMS is busy answering this call.
        session.execute(update(LmsConnection).where(LmsConnection.id == canvas.id)
                        .values(active=False))  # fmt: skip
        session.commit()
        return ok("enrollments_user_4242_page1")(request)

    limits = SyncLimits(watch_every_s=0.0)
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, enrollments(ALICE), callback=deactivate_then_answer)
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps),
                            limits=limits)  # fmt: skip
        assert len(rsps.calls) == 1  # neither Alice's progress nor Bob were asked
    assert run.status == SyncStatus.aborted and run.failures == []
    assert run.message == (
        "stopped: an admin deactivated the connection; 0 of 2 people done, the others are "
        "synced next time"
    )
