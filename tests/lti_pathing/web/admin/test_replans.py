"""Admin re-plan page: starting an organisation (or one manager's) re-plan and its progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import jobs
from lti_pathing.models import Job, JobKind, JobStatus, Person, Tenant
from tests.lti_pathing.web.conftest import Browser


@pytest.fixture(autouse=True)
def queued_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "dispatch", lambda *args: None)


def test_an_admin_starts_a_replan_and_sees_its_progress(
    admin: Browser, session: Session, tenant: Tenant, seed: Callable[..., dict[str, Any]]
) -> None:
    ids = seed(tenant)
    target = session.get(Person, ids["people"])
    assert target is not None
    target.target_role_id = ids["roles"]
    session.flush()
    page = admin.get("/admin/replans/").get_data(as_text=True)
    assert 'id="start-replan"' in page and f'value="{ids["boss"]}"' in page
    assert admin.post("/admin/replans/", {"manager": ids["boss"]}).status_code == 302
    job = session.scalars(select(Job).where(Job.kind == JobKind.replan)).one()
    assert job.params["person_ids"] == [target.id] and job.params["manager_id"] == ids["boss"]
    html = admin.get("/admin/replans/").get_data(as_text=True)
    assert f'data-job="{job.id}" data-status="queued"' in html and "http-equiv" not in html
    assert f'data-job-status-url="/jobs/{job.id}"' in html  # static/jobs.js polls it


def test_the_page_shows_how_many_are_planned_and_the_closure_a_finished_replan_reached(
    admin: Browser, session: Session, tenant: Tenant
) -> None:
    running = Job(
        tenant_id=tenant.id,
        kind=JobKind.replan,
        status=JobStatus.running,
        params={"person_ids": list(range(45))},
        steps_done=2,
        progress=60,
    )
    done = Job(
        tenant_id=tenant.id,
        kind=JobKind.replan,
        status=JobStatus.done,
        progress=100,
        params={"person_ids": [1, 2]},
        message="2 draft(s)",
        result={"closure": 17.5, "closure_alone": 18.25},
    )
    session.add_all([done, running])
    session.flush()
    html = admin.get("/admin/replans/").get_data(as_text=True)
    chunk = admin.app.config["REPLAN_CHUNK"]
    assert f"{min(45, 2 * chunk)} of 45 people planned" in html
    assert "the plans close 95 % of the skill gaps they would close if nobody had to share" in html
    assert "17.5 shared, 18.2 with" in html or "17.5 shared, 18.3 with" in html


def test_the_admin_chooses_who_gets_scarce_mentors_and_an_unknown_choice_starts_nothing(
    admin: Browser, session: Session, tenant: Tenant, seed: Callable[..., dict[str, Any]]
) -> None:
    ids = seed(tenant)
    target = session.get(Person, ids["people"])
    assert target is not None
    target.target_role_id = ids["roles"]
    session.flush()
    page = admin.get("/admin/replans/").get_data(as_text=True)
    assert 'value="furthest"' in page and "Protect the learners furthest from ready" in page
    assert admin.post("/admin/replans/", {"policy": "furthest"}).status_code == 302
    job = session.scalars(select(Job).where(Job.kind == JobKind.replan)).one()
    assert job.params["policy"] == "furthest"
    refused = admin.post("/admin/replans/", {"policy": "seniority"})
    assert refused.status_code == 422
    assert "one of: total, furthest, deadline" in refused.get_data(as_text=True)
    assert len(session.scalars(select(Job).where(Job.kind == JobKind.replan)).all()) == 1


def test_a_finished_replan_states_its_bound_its_policy_and_who_lost_what(
    admin: Browser, session: Session, tenant: Tenant
) -> None:
    loss = {
        "learner": "L1",
        "person_id": 1,
        "name": "Ana Diaz",
        "closure_lost": 2.0,
        "places": ["mentor E1001"],
        "holders": ["Ben Ode"],
        "why": "protect ...",
    }
    done = Job(
        tenant_id=tenant.id,
        kind=JobKind.replan,
        status=JobStatus.done,
        progress=100,
        params={"person_ids": [1, 2]},
        message="2 draft(s)",
        result={
            "closure": 17.0,
            "closure_alone": 20.0,
            "closure_bound": 18.0,
            "policy": "furthest",
            "losers": 1,
            "losses": [loss],
            "policy_text": "protect the learners furthest from ready",
        },
    )
    session.add(done)
    session.flush()
    html = admin.get("/admin/replans/").get_data(as_text=True)
    assert "the plans close 85 % of the skill gaps they would close if nobody had to share" in html
    assert "No plan that shares them could close more than 18.0: these plans reach 94 %" in html
    assert "Policy: protect the learners furthest from ready." in html
    assert "1 person(s) lost to sharing" in html
    assert "Ana Diaz closes 2.0 less: mentor E1001 went to Ben Ode." in html
