"""Admin re-plan page: starting an organisation (or one manager's) re-plan and its progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import jobs
from lti_pathing.models import Job, JobKind, Person, Tenant
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
    assert f'data-job="{job.id}" data-status="queued"' in html and 'http-equiv="refresh"' in html
