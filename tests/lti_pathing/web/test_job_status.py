"""`/jobs/<id>`: what static/jobs.js polls instead of a meta refresh, for whom it answers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from lti_pathing.auth import Actor
from lti_pathing.models import Job, JobKind, JobStatus, Tenant
from tests.lti_pathing.web.conftest import Browser


def _job(session: Session, tenant: Tenant, requester: Actor) -> Job:
    job = Job(
        tenant_id=tenant.id, kind=JobKind.plan, status=JobStatus.running, progress=40,
        params={"person_id": requester.person_id}, requested_by_id=requester.person_id,
    )  # fmt: skip
    session.add(job)
    session.flush()
    return job


def test_the_requester_sees_the_progress_and_when_it_has_finished(
    browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor], session: Session
) -> None:
    me = make_actor(tenant, name="Lee Learner")
    job = _job(session, tenant, me)
    browser.sign_in(me)
    assert browser.get(f"/jobs/{job.id}").json == {
        "status": "running", "progress": 40, "finished": False,
    }  # fmt: skip
    job.status, job.progress = JobStatus.done, 100
    session.flush()
    assert browser.get(f"/jobs/{job.id}").json == {
        "status": "done", "progress": 100, "finished": True,
    }  # fmt: skip


def test_other_learners_other_tenants_and_strangers_get_nothing(
    browser: Browser,
    tenant: Tenant,
    make_tenant: Callable[..., Tenant],
    make_actor: Callable[..., Actor],
    session: Session,
) -> None:
    job = _job(session, tenant, make_actor(tenant, name="Lee Learner"))
    assert browser.get(f"/jobs/{job.id}").status_code == 401
    browser.sign_in(make_actor(tenant, name="Other Learner"))
    assert browser.get(f"/jobs/{job.id}").status_code == 404
    browser.sign_in(make_actor(make_tenant("elsewhere"), "admin", name="Far Admin"))
    assert browser.get(f"/jobs/{job.id}").status_code == 404
    browser.sign_in(make_actor(tenant, "manager", name="Mo Manager"))
    assert browser.get(f"/jobs/{job.id}").json["progress"] == 40
