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
    running = Job(tenant_id=tenant.id, kind=JobKind.replan, status=JobStatus.running,
                  params={"person_ids": list(range(45))}, steps_done=2, progress=60)  # fmt: skip
    done = Job(tenant_id=tenant.id, kind=JobKind.replan, status=JobStatus.done, progress=100,
               params={"person_ids": [1, 2]}, message="2 draft(s)",
               result={"closure": 17.5, "closure_alone": 18.25})  # fmt: skip
    session.add_all([done, running])
    session.flush()
    html = admin.get("/admin/replans/").get_data(as_text=True)
    chunk = admin.app.config["REPLAN_CHUNK"]
    assert f"{min(45, 2 * chunk)} of 45 people planned" in html
    assert "the plans close 95 % of the skill gaps they would close if nobody had to share" in html
    assert "17.5 shared, 18.2 with" in html or "17.5 shared, 18.3 with" in html
