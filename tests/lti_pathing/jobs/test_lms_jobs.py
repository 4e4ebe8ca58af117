"""LMS jobs and estimates: no duplicate syncs, retries that give up, the schedule, estimates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto, jobs
from lti_pathing.db import transaction
from lti_pathing.jobs import work
from lti_pathing.jobs.lms import queue_scheduled_syncs
from lti_pathing.models import (
    Activity,
    Gradebook,
    GradePassback,
    ItemStatus,
    Job,
    JobKind,
    Lms,
    LmsConnection,
    LtiContext,
    Person,
    Plan,
    PlanItem,
    PlanStatus,
    PlatformRegistration,
    Role,
    Tenant,
)
from tests.lti_pathing.jobs.conftest import Workers, make_app, wait_for

SOLO, OTHER = "E1026", "E1013"


def larkspur(session: Session) -> Tenant:
    return session.scalars(select(Tenant).where(Tenant.slug == "larkspur")).one()


def ids(app: Flask, *external: str) -> list[int]:
    with transaction(app) as session:
        found = session.scalars(select(Person).where(Person.external_id.in_(external))).all()
        return [p.id for p in sorted(found, key=lambda p: external.index(p.external_id))]


@pytest.fixture
def app(database_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setattr(jobs, "dispatch", lambda *args: None)  # queued only, unless a test runs
    return make_app(database_file, tmp_path, None)


def started_plan(session: Session, tenant: Tenant, person_id: int) -> Plan:
    """An approved plan of two activities, the first one done."""
    activities = session.scalars(
        select(Activity).where(Activity.tenant_id == tenant.id).order_by(Activity.id).limit(2)
    ).all()
    plan = Plan(tenant_id=tenant.id, person_id=person_id, status=PlanStatus.approved,
                starts_on=dt.date(2026, 1, 5), settings={})  # fmt: skip
    for n, activity in enumerate(activities):
        plan.items.append(PlanItem(
            tenant_id=tenant.id, activity_id=activity.id, start_week=0,
            end_week=activity.duration_weeks,
            status=ItemStatus.completed if n == 0 else ItemStatus.planned,
        ))  # fmt: skip
    session.add(plan)
    session.flush()
    return plan


def test_a_pending_sync_covers_the_same_person_and_a_tenant_sync_covers_everyone(
    app: Flask,
) -> None:
    solo, other = ids(app, SOLO, OTHER)
    with app.app_context(), transaction(app) as session:
        tenant = larkspur(session)
        first = jobs.enqueue_sync(session, tenant, [solo], trigger="launch")
        assert jobs.enqueue_sync(session, tenant, [solo], trigger="launch").id == first.id
        second = jobs.enqueue_sync(session, tenant, [other])
        assert second.id != first.id
        everyone = jobs.enqueue_sync(session, tenant, None, trigger="admin")
        assert everyone.id not in (first.id, second.id)
        first.status = second.status = work.JobStatus.done
        session.flush()
        assert jobs.enqueue_sync(session, tenant, [solo]).id == everyone.id
        everyone.status = work.JobStatus.failed
        session.flush()
        assert jobs.enqueue_sync(session, tenant, [solo]).id not in (first.id, everyone.id)


def test_a_passback_the_lms_refuses_is_retried_recorded_and_then_given_up(
    database_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "RETRY_DELAYS", (0.05, 0.05))
    app = make_app(database_file, tmp_path, None)
    (solo,) = ids(app, SOLO)
    with app.app_context():
        with transaction(app) as session:
            tenant = larkspur(session)
            registration = PlatformRegistration(
                tenant_id=tenant.id, issuer="http://127.0.0.1:9", client_id="c",
                auth_login_url="http://127.0.0.1:9/auth", auth_token_url="http://127.0.0.1:9/token",
            )  # fmt: skip
            session.add(registration)
            session.flush()
            context = LtiContext(
                tenant_id=tenant.id, registration_id=registration.id, context_id="course-1",
                title="", lineitems_url="http://127.0.0.1:9/lineitems",
                gradebook=Gradebook.course,  # set aside by the admin
            )  # fmt: skip
            session.add(context)
            session.flush()
            session.add(GradePassback(tenant_id=tenant.id, context_id=context.id,
                                      person_id=solo, subject="sub-1"))  # fmt: skip
            started_plan(session, tenant, solo)  # some progress: there is a score to send
            job = jobs.enqueue_passback(session, tenant, [solo, 999999])
            assert job is not None and job.params == {"person_ids": [solo]}
            job_id = job.id
        state = wait_for(app, job_id, lambda j: j.finished, 60)
    assert state["status"] == "failed" and state["attempts"] == 3
    assert "gave up after 3 attempts" in state["error"]
    with transaction(app) as session:
        target = session.scalars(select(GradePassback)).one()
        assert target.score is None and target.sent_at is None
        assert target.attempted_at is not None and "ConnectionError" in (target.error or "")


def test_nobody_to_send_to_queues_no_passback(app: Flask) -> None:
    (solo,) = ids(app, SOLO)
    with app.app_context(), transaction(app) as session:
        assert jobs.enqueue_passback(session, larkspur(session), [solo]) is None
        assert session.scalars(select(Job).where(Job.kind == JobKind.grade_passback)).all() == []


def test_the_schedule_queues_one_sync_per_tenant_with_an_active_connection(app: Flask) -> None:
    with app.app_context():
        assert queue_scheduled_syncs(app) == 0
        with transaction(app) as session:
            tenant = larkspur(session)
            session.add(LmsConnection(tenant_id=tenant.id, kind=Lms.moodle,
                                      base_url="https://moodle.example.org",
                                      token_encrypted=crypto.encrypt("secret-token"),
                                      token_hint=crypto.mask("secret-token")))  # fmt: skip
        assert queue_scheduled_syncs(app) == 1
        assert queue_scheduled_syncs(app) == 1  # the pending one covers it: no second job
        with transaction(app) as session:
            syncs = session.scalars(select(Job).where(Job.kind == JobKind.lms_sync)).all()
            assert [(j.params, j.status.value) for j in syncs] == [
                ({"person_ids": None, "trigger": "schedule"}, "queued")
            ]


def _estimate_job(app: Flask) -> int:
    (solo,) = ids(app, SOLO)
    with app.app_context(), transaction(app) as session:
        tenant = larkspur(session)
        role = session.scalars(select(Role).where(Role.tenant_id == tenant.id)).first()
        assert role is not None
        params = {"purpose": "estimate", "pairs": [[solo, role.id]], "person_id": solo}
        return jobs.enqueue_estimate(session, tenant, params, solo).id


def test_estimates_are_a_job_kind_run_in_process(database_file: Path, tmp_path: Path) -> None:
    app = make_app(database_file, tmp_path, None)
    job_id = _estimate_job(app)
    state = wait_for(app, job_id, lambda j: j.finished, 120)
    assert state["status"] == "done", state
    assert [set(e) for e in state["result"]["estimates"]] == [
        {"person_id", "role_id", "weeks", "ready_on", "closure", "max_closure"}
    ]


@pytest.mark.integration
def test_estimates_go_to_a_celery_worker_when_a_broker_is_set(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    app = make_app(database_file, tmp_path, redis_url)
    job_id = _estimate_job(app)
    workers.start()
    state = wait_for(app, job_id, lambda j: j.finished, 180, workers.logs)
    assert state["status"] == "done", (state, workers.logs())
    assert len(state["result"]["estimates"]) == 1
