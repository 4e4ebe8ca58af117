"""Background jobs in-process and on real Celery workers (Redis on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.jobs import enqueue_plan, enqueue_replan, enqueue_sync, enqueue_team
from lti_pathing.models import Job, JobKind, JobStatus, Person, Plan, PlanStatus, Tenant
from tests.lti_pathing.jobs.conftest import Workers, make_app, wait_for

TEAM = "E1008"  # a manager with four reports who have target roles
SOLO = "E1013"  # outside TEAM: a plan job for SOLO never races a re-plan of TEAM
HURRIED = "E1026"  # in TEAM


def finished(job: Job) -> bool:
    return job.finished


def person_id(app: Flask, external_id: str) -> int:
    with transaction(app) as session:
        return session.scalars(select(Person.id).where(Person.external_id == external_id)).one()


def enqueue(app: Flask, what: str, **kw: Any) -> int:
    with app.app_context(), transaction(app) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "larkspur")).one()
        if what == "replan":
            job = enqueue_replan(session, tenant, kw.get("manager_id"))
        elif what == "sync":
            job = enqueue_sync(session, tenant, [kw["person_id"]])
        elif what == "team":
            job = enqueue_team(session, tenant, kw["manager_id"], actor_id=kw["manager_id"])
        else:
            job = enqueue_plan(session, tenant, kw["person_id"])
        return job.id


def plans_of(app: Flask, job_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Each person's stored items (activity, weeks, mentor) for the plans a job wrote."""
    with transaction(app) as session:
        plans = session.scalars(select(Plan).where(Plan.job_id == job_id)).all()
        return {
            p.person.external_id: sorted(
                (i.activity.external_id, i.start_week, i.end_week, i.mentor_id) for i in p.items
            )
            for p in plans
        }


def objectives(app: Flask, job_id: int) -> dict[str, tuple[Any, ...]]:
    """Each person's plan measures (closure, readiness week, hours, cost) for a job's plans.

    Plans of equal measures are equally good; among ties the planner may place an item in
    another week when a solve ends on its time limit, so measures are what must match.
    """
    with transaction(app) as session:
        plans = session.scalars(select(Plan).where(Plan.job_id == job_id)).all()
        return {
            p.person.external_id: tuple(
                (p.response or {}).get(k) for k in ("closure", "readiness_week", "hours", "cost")
            )
            for p in plans
        }


def test_in_process_jobs_run_on_threads_and_record_progress(
    database_file: Path, tmp_path: Path
) -> None:
    app = make_app(database_file, tmp_path, None)
    with app.app_context():
        hurried = draft_due_soon(app, HURRIED)
        job_id = enqueue(app, "replan", manager_id=person_id(app, TEAM))
        state = wait_for(app, job_id, finished, 300)
    assert state["status"] == "done", state
    assert state["progress"] == 100 and state["result"]["drafts"] == 4
    assert len(plans_of(app, job_id)) == 4
    explained = open_gaps(app, job_id)
    assert state["steps_done"] == 2  # four people in chunks of two
    assert set(state["result"]["seconds"]) == {"build", "settle", "store"}
    result = state["result"]
    assert result["closure"] <= result["closure_bound"] <= result["closure_alone"]
    assert result["policy"] == "total" and result["losers"] == len(result["losses"])
    assert hurried in state["result"]["plan_ids"]  # the open draft was re-generated ...
    assert explained[HURRIED]  # ... keeping its deadline: some gaps stay open, each explained
    for gaps in explained.values():
        assert all(reason and detail for _, reason, detail, _ in gaps)


def draft_due_soon(app: Flask, external_id: str) -> int:
    """A draft whose settings ask for a deadline six weeks away (a re-plan keeps settings)."""
    import datetime as dt

    due = dt.date.today() + dt.timedelta(weeks=6)
    with transaction(app) as session:
        person = session.scalars(select(Person).where(Person.external_id == external_id)).one()
        plan = Plan(tenant_id=person.tenant_id, person_id=person.id, status=PlanStatus.draft,
                    settings={"deadline": due.isoformat()})  # fmt: skip
        session.add(plan)
        session.flush()
        return plan.id


def test_progress_moves_with_every_chunk_of_a_large_replan(
    database_file: Path, tmp_path: Path
) -> None:
    """Hundreds of chunks (10,000 learners) move the bar, never past 90 % before storing."""
    from lti_pathing.jobs.work import chunk_done, mark_running

    app = make_app(database_file, tmp_path, None)
    with app.app_context():
        with transaction(app) as session:
            tenant = session.scalars(select(Tenant)).one()
            job = Job(tenant_id=tenant.id, kind=JobKind.replan, params={"person_ids": []})
            session.add(job)
            session.flush()
            job_id = job.id
        mark_running(app, job_id)
        seen = []
        for _ in range(502):  # 500 chunks, two of them delivered twice
            chunk_done(app, job_id, 500)
            with transaction(app) as session:
                seen.append(session.get_one(Job, job_id).progress)
    assert seen[:3] == [0, 0, 0] and seen[5] == 1 and seen[249] == 45
    assert seen == sorted(seen) and seen[-3:] == [90, 90, 90]


def open_gaps(app: Flask, job_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Each person's open gaps as stored: the skill each names must be one left open."""
    with transaction(app) as session:
        out = {}
        for p in session.scalars(select(Plan).where(Plan.job_id == job_id)):
            response = p.response or {}
            left = {g["skill"] for g in response["gaps"] if g["final"] < g["required"]}
            gaps = [tuple(g.values()) for g in response["open_gaps"]]
            assert sorted(g[0] for g in gaps) == sorted(left)
            out[p.person.external_id] = gaps
        return out


def test_a_sync_job_of_a_tenant_without_a_connection_is_done_and_says_so(
    database_file: Path, tmp_path: Path
) -> None:
    app = make_app(database_file, tmp_path, None)
    with app.app_context():
        job_id = enqueue(app, "sync", person_id=person_id(app, SOLO))
        state = wait_for(app, job_id, finished, 60)
    assert state["status"] == "done", state
    assert state["result"] == {"runs": [], "passback": []}


@pytest.mark.integration
def test_celery_workers_complete_a_batch_that_matches_the_in_process_run(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "in-process.sqlite3"
    copy.write_bytes(database_file.read_bytes())
    local = make_app(copy, tmp_path, None)
    app = make_app(database_file, tmp_path, redis_url)
    workers.start(concurrency=2)
    with app.app_context():
        team = person_id(app, TEAM)
        batch = [
            enqueue(app, "replan", manager_id=team),
            enqueue(app, "plan", person_id=person_id(app, SOLO)),
        ]
        states = [wait_for(app, j, finished, 300, workers.logs) for j in batch]
    assert [s["status"] for s in states] == ["done", "done"], states
    with local.app_context():
        expected = enqueue(local, "replan", manager_id=team)
        assert wait_for(local, expected, finished, 300)["status"] == "done"
    assert objectives(app, batch[0]) == objectives(local, expected)
    assert open_gaps(app, batch[0]) == open_gaps(local, expected)
    assert set(plans_of(app, batch[0])) == set(plans_of(local, expected))
    assert len(plans_of(app, batch[1])) == 1


@pytest.mark.integration
def test_a_task_of_a_killed_worker_is_redelivered_and_completed_once(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    app = make_app(database_file, tmp_path, redis_url)
    first = workers.start()
    with app.app_context():
        # A team plan: four solves and each alone again, so it is still running when killed
        # (one learner's plan can be done before a poll sees it running).
        job_id = enqueue(app, "team", manager_id=person_id(app, TEAM))
        wait_for(app, job_id, lambda j: j.status is JobStatus.running, 180, workers.logs)
        workers.kill(first)  # mid-solve: the task was never acknowledged
        workers.start()
        state = wait_for(app, job_id, finished, 300, workers.logs)
    assert state["status"] == "done", (state, workers.logs())
    assert state["attempts"] == 2
    with transaction(app) as session:
        people = session.scalars(select(Plan.person_id).where(Plan.job_id == job_id)).all()
    assert len(people) == len(set(people)) == 4  # redone once: one proposal each, not two


@pytest.mark.integration
def test_a_worker_whose_database_connections_were_cut_still_runs_the_next_job(
    own_postgres: str, redis_url: str, tmp_path: Path
) -> None:
    """A database restart ends every pooled connection of a worker; its next job must still run."""
    from lti_pathing.db import database
    from tests.lti_pathing.jobs.conftest import seed_sample
    from tests.lti_pathing.test_db import terminate_backends

    seed_sample(own_postgres)
    workers = Workers(own_postgres, redis_url, tmp_path)
    app = make_app(own_postgres, tmp_path, redis_url)
    try:
        workers.start()
        with app.app_context():
            first = enqueue(app, "plan", person_id=person_id(app, SOLO))
            assert wait_for(app, first, finished, 180, workers.logs)["status"] == "done"
            assert terminate_backends(own_postgres) >= 1  # the worker's pooled connection too
            database(app).engine.dispose()  # this test's side is not what is under test here
            second = enqueue(app, "plan", person_id=person_id(app, HURRIED))
            state = wait_for(app, second, finished, 180, workers.logs)
        assert state["status"] == "done", (state, workers.logs())
        assert len(plans_of(app, second)) == 1
    finally:
        workers.stop_all()
        database(app).engine.dispose()


@pytest.mark.integration
def test_a_team_plan_on_a_celery_worker_proposes_what_the_in_process_run_does(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "in-process.sqlite3"
    copy.write_bytes(database_file.read_bytes())
    local = make_app(copy, tmp_path, None)
    app = make_app(database_file, tmp_path, redis_url)
    workers.start()
    with app.app_context():
        job_id = enqueue(app, "team", manager_id=person_id(app, TEAM))
        state = wait_for(app, job_id, finished, 300, workers.logs)
    assert state["status"] == "done", state
    with transaction(app) as session:
        statuses = session.scalars(select(Plan.status).where(Plan.job_id == job_id)).all()
    assert len(statuses) == 4 and set(statuses) == {PlanStatus.proposed}
    with local.app_context():
        expected = enqueue(local, "team", manager_id=person_id(local, TEAM))
        mine = wait_for(local, expected, finished, 300)
    assert objectives(app, job_id) == objectives(local, expected)

    def people(result: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in row.items() if k != "plan_id"} for row in result["people"]]

    assert people(state["result"]) == people(mine["result"])
    assert state["result"]["contended"] == mine["result"]["contended"]


@pytest.mark.integration
def test_a_contention_group_settled_on_a_celery_worker_matches_one_settled_here(
    database_file: Path, workers: Workers, redis_url: str, tmp_path: Path
) -> None:
    """The settle step's chord sends each group as JSON; a worker settles it like this process."""
    import time as clock

    from lti_pathing.jobs.celery_app import celery_for
    from solver.org import split_organisation
    from solver.org_format import settled_from_json, work_to_json
    from solver.team import ideal_plans
    from tests.solver.test_org import _scarce_mentor

    request = _scarce_mentor()
    ideal = ideal_plans(request, clock.monotonic() + 10, None, 1.0)
    _, works = split_organisation(request, ideal.plans, ideal.bounds, 2.0, "furthest")
    assert len(works) == 1
    app = make_app(database_file, tmp_path, redis_url)
    workers.start(concurrency=1)
    sent = celery_for(app).send_task("lti_pathing.replan_group", (work_to_json(works[0]),))
    got = settled_from_json(sent.get(timeout=120))
    assert [i.activity for i in got.plans["ben"]] == ["coaching"]  # ben is furthest from ready
    assert got.plans["ana"] == []
    assert got.bound_milli == 5000  # the policy's weighted closure: ben's weight 5 times 1 level
