"""Sync runs end to end over replayed LMS answers: evidence, plan items, idempotency, faults."""

from __future__ import annotations

from typing import Any

import requests
import responses
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.lms.source import CompletionSource
from lti_pathing.lms.sync import sync_person, sync_tenant
from lti_pathing.models import (
    CompletionRecord,
    Evidence,
    ItemStatus,
    Lms,
    LmsConnection,
    LmsSyncRun,
    SyncStatus,
)
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.lms.conftest import (
    CANVAS_URL,
    MOODLE_TOKEN,
    MOODLE_URL,
    NOW,
    Sleeps,
    add_moodle,
    canvas_body,
    clock,
    make_canvas_source,
    make_moodle_source,
    moodle_exchange,
)

WS = f"{MOODLE_URL}/webservice/rest/server.php"


def connect_moodle(session: Session, tenant: Any) -> LmsConnection:
    return LmsConnectionService(session, tenant, clock).connect(
        Lms.moodle, MOODLE_URL, MOODLE_TOKEN
    )


def factory(sleeps: Sleeps) -> Any:
    def make(connection: LmsConnection, token: str, guard: Any) -> CompletionSource:
        assert token == MOODLE_TOKEN or connection.kind == Lms.canvas
        return (
            make_moodle_source(sleeps, guard)
            if connection.kind == Lms.moodle
            else make_canvas_source(sleeps, guard)
        )

    return make


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def add_alice_done(rsps: responses.RequestsMock) -> None:
    """User 3: course 2 complete after cron; in course 2, module 3 complete and 4 not."""
    add_moodle(rsps, "12_users_courses_student1_after")
    add_moodle(rsps, "11_course_completion_student1_after_cron")
    add_moodle(rsps, "14_activities_completion_student1_after")


def add_bob_partial(rsps: responses.RequestsMock) -> None:
    """User 4: course 2 in progress; module 3 overridden complete."""
    add_moodle(rsps, "13_users_courses_student2")
    add_moodle(rsps, "15_activities_completion_student2_overridden")


def test_a_tenant_sync_turns_completions_into_evidence_and_done_items(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant)
    with responses.RequestsMock() as rsps:
        add_alice_done(rsps)
        add_bob_partial(rsps)
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert run.status == SyncStatus.succeeded and run.failures == []
    assert (run.people_total, run.people_synced, run.fetched, run.recorded) == (2, 2, 3, 3)
    assert run.cursor == NOW and run.finished_at == NOW
    evidence = session.scalars(select(Evidence).order_by(Evidence.id)).all()
    # alice: course 2 -> python 2, sql 1; module 2/3 -> python 1. bob: module 2/3 -> python 1.
    assert sorted((e.person.external_id, e.skill.external_id, e.level) for e in evidence) == [
        ("E1", "python", 1), ("E1", "python", 2), ("E1", "sql", 1), ("E2", "python", 1),
    ]  # fmt: skip
    assert {e.observed_on.isoformat() for e in evidence} == {"2026-11-25"}
    statuses = [item.status for item in org["plan"].items]
    assert statuses == [ItemStatus.completed, ItemStatus.planned, ItemStatus.planned]
    assert org["plan"].items[0].completed_on is not None
    assert [e.kind for e in org["plan"].events] == ["item_completed"]


def test_running_again_changes_nothing_and_asks_less(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant)
    with responses.RequestsMock() as rsps:
        add_alice_done(rsps)
        add_bob_partial(rsps)
        sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    before = (count(session, Evidence), count(session, CompletionRecord))
    with responses.RequestsMock() as rsps:
        add_moodle(rsps, "12_users_courses_student1_after")  # course 2 and module 3 known
        add_moodle(rsps, "14_activities_completion_student1_after")  # module 4 still open
        add_bob_partial(rsps)
        [second] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
        assert len(rsps.calls) == 4  # no course-completion call for what is known
    assert second.status == SyncStatus.succeeded and second.since == NOW
    assert (second.fetched, second.recorded, second.evidence_created) == (0, 0, 0)
    assert (count(session, Evidence), count(session, CompletionRecord)) == before


def test_a_token_revoked_mid_sync_stops_cleanly_keeping_what_was_stored(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant)
    _, revoked = moodle_exchange("32_invalid_token")
    with responses.RequestsMock() as rsps:
        add_alice_done(rsps)
        rsps.add(responses.POST, WS, body=revoked)  # bob's first call: token revoked
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert run.status == SyncStatus.aborted
    assert run.message is not None and "Invalid token" in run.message
    assert MOODLE_TOKEN not in run.message
    assert (run.people_synced, run.recorded) == (1, 2)
    assert [f["person"] for f in run.failures] == ["E2"]
    assert count(session, CompletionRecord) == 2 and count(session, Evidence) == 3
    session.rollback()  # what was committed per person survives a later rollback
    assert count(session, CompletionRecord) == 2


def test_a_failing_person_is_reported_and_retried_next_run(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant)
    params, _ = moodle_exchange("13_users_courses_student2")
    from responses import matchers

    with responses.RequestsMock() as rsps:
        add_alice_done(rsps)
        for _ in range(3):  # bob: timeouts on every attempt
            rsps.add(responses.POST, WS, body=requests.ReadTimeout("slow"),
                     match=[matchers.urlencoded_params_matcher(params)])  # fmt: skip
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert run.status == SyncStatus.partial and run.cursor is None
    assert (run.people_synced, run.people_failed, run.recorded) == (1, 1, 2)
    [failure] = run.failures
    assert failure["person"] == "E2" and failure["code"] == "lms_timeout"
    assert sleeps == [1.0, 2.0]
    with responses.RequestsMock() as rsps:
        add_moodle(rsps, "12_users_courses_student1_after")
        add_moodle(rsps, "14_activities_completion_student1_after")
        rsps.add(responses.POST, WS, status=503)  # a 5xx, then the real answer
        add_bob_partial(rsps)
        [again] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert again.status == SyncStatus.succeeded and again.recorded == 1
    assert again.since is None  # the partial run set no cursor


def test_malformed_answers_fail_one_course_and_keep_the_rest(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant)
    params, _ = moodle_exchange("11_course_completion_student1_after_cron")
    from responses import matchers

    with responses.RequestsMock() as rsps:
        add_moodle(rsps, "12_users_courses_student1_after")
        rsps.add(responses.POST, WS, body="<!DOCTYPE html><p>Error",
                 match=[matchers.urlencoded_params_matcher(params)])  # fmt: skip
        add_moodle(rsps, "14_activities_completion_student1_after")
        runs = sync_person(session, tenant, org["alice"], clock, source_factory=factory(sleeps))
    [run] = runs
    assert run.status == SyncStatus.partial and run.person_id == org["alice"].id
    assert [(f["course"], f["code"]) for f in run.failures] == [("2", "lms_malformed_response")]
    assert run.recorded == 1  # module 2/3 stored all the same


def test_canvas_sync_uses_the_canvas_user_id(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    LmsConnectionService(session, tenant, clock).connect(Lms.canvas, CANVAS_URL, "canvas-token-1")
    with responses.RequestsMock() as rsps:
        rsps.get(f"{CANVAS_URL}/api/v1/users/4242/enrollments",
                 json=canvas_body("enrollments_user_4242_page1"))  # fmt: skip
        rsps.get(f"{CANVAS_URL}/api/v1/courses/88/users/4242/progress",
                 json=canvas_body("progress_course_88_completed"))  # fmt: skip
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert run.status == SyncStatus.succeeded and run.people_total == 1
    assert org["plan"].items[1].status == ItemStatus.completed
    [evidence] = session.scalars(select(Evidence)).all()
    assert (evidence.skill.external_id, evidence.level) == ("sql", 3)


def test_an_inactive_connection_is_not_synced(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant).active = False
    assert sync_tenant(session, tenant, clock, source_factory=factory(sleeps)) == []


def test_a_token_revoked_within_one_person_keeps_what_was_fetched_for_them(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    connect_moodle(session, tenant)
    params, _ = moodle_exchange("14_activities_completion_student1_after")
    _, invalid = moodle_exchange("32_invalid_token")
    from responses import matchers

    with responses.RequestsMock() as rsps:
        add_moodle(rsps, "12_users_courses_student1_after")
        add_moodle(rsps, "11_course_completion_student1_after_cron")  # course 2: complete
        rsps.add(responses.POST, WS, body=invalid,  # then the token is revoked
                 match=[matchers.urlencoded_params_matcher(params)])  # fmt: skip
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert run.status == SyncStatus.aborted and "Invalid token" in (run.message or "")
    assert (run.people_synced, run.people_failed, run.recorded) == (0, 1, 1)
    assert [(f["person"], f["code"]) for f in run.failures] == [("E1", "lms_auth")]
    session.rollback()
    [record] = session.scalars(select(CompletionRecord)).all()
    assert record.key == "moodle:course:2" and count(session, Evidence) == 2
    assert org["plan"].items[0].status == ItemStatus.completed


class Crashing:
    """A source that works for Moodle user 3 and crashes (a bug, not an LMS error) on user 4."""

    def __init__(self, real: CompletionSource) -> None:
        self.real = real

    def fetch_person(self, lms_user_id: str, wanted: Any) -> Any:
        if lms_user_id == "4":
            raise KeyError("boom")
        return self.real.fetch_person(lms_user_id, wanted)

    def close(self) -> None:
        self.real.close()


def test_a_run_that_crashes_is_marked_failed_with_the_reason(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    import pytest

    connect_moodle(session, tenant)
    with responses.RequestsMock() as rsps, pytest.raises(KeyError):
        add_alice_done(rsps)
        sync_tenant(
            session, tenant, clock,
            source_factory=lambda c, t, g: Crashing(make_moodle_source(sleeps, g)),
        )  # fmt: skip
    session.rollback()
    [run] = session.scalars(select(LmsSyncRun)).all()
    assert run.status == SyncStatus.failed and run.finished_at == NOW
    assert run.message == "crashed: KeyError: 'boom'"
    assert (run.people_synced, run.recorded) == (1, 2)  # alice's completions were kept
    assert count(session, CompletionRecord) == 2


def test_a_run_left_running_too_long_is_marked_failed_by_the_next_sync(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    import datetime as dt

    connection = connect_moodle(session, tenant)

    def running(age: dt.timedelta) -> LmsSyncRun:
        run = LmsSyncRun(tenant_id=tenant.id, connection=connection, status=SyncStatus.running,
                         started_at=NOW - age, failures=[])  # fmt: skip
        session.add(run)
        return run

    dead, busy = running(dt.timedelta(hours=3)), running(dt.timedelta(minutes=10))
    session.flush()
    with responses.RequestsMock() as rsps:
        add_alice_done(rsps)
        sync_person(session, tenant, org["alice"], clock, source_factory=factory(sleeps))
    assert dead.status == SyncStatus.failed and dead.finished_at == NOW
    assert dead.message is not None and dead.message.startswith(
        "stopped without finishing: nothing was heard from it since"
    )
    assert busy.status == SyncStatus.running  # may still be working
