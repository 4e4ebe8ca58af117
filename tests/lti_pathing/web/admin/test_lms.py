"""Admin LMS pages: connect (token encrypted, shown masked, never echoed), deactivate, sync now,
sync runs, completions upload all or nothing; and the API's sync and re-plan endpoints."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto, jobs
from lti_pathing.models import (
    CompletionRecord,
    Job,
    JobKind,
    Lms,
    LmsConnection,
    LmsSyncRun,
    SyncStatus,
    Tenant,
)
from lti_pathing.services.api_tokens import ApiTokenService
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.web.conftest import Browser

TOKEN = "s3cret-moodle-token-9876"


@pytest.fixture(autouse=True)
def queued_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs are only queued here (what runs them is tested in tests/lti_pathing/jobs)."""
    monkeypatch.setattr(jobs, "dispatch", lambda *args: None)


def connect(admin: Browser, **changes: str) -> Any:
    data = {"kind": "moodle", "url": "https://moodle.example.org/", "token": TOKEN,
            "no_check": "y", **changes}  # fmt: skip
    return admin.post("/admin/lms/connect", data)


def test_the_token_is_checked_against_the_lms_and_refused_with_its_reason(
    admin: Browser, session: Session, tenant: Tenant
) -> None:
    import responses

    refusal = {"exception": "moodle_exception", "errorcode": "invalidtoken",
               "message": "Invalid token - token not found"}  # fmt: skip
    with responses.RequestsMock() as rsps:
        rsps.post("https://moodle.example.org/webservice/rest/server.php", json=refusal)
        data = {"kind": "moodle", "url": "https://moodle.example.org/", "token": TOKEN}
        answer = admin.post("/admin/lms/connect", data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "the LMS says: Moodle core_webservice_get_site_info: Invalid token" in html
    assert TOKEN not in html
    assert session.scalars(select(LmsConnection)).all() == []


def test_connecting_stores_the_token_encrypted_and_shows_only_its_hint(
    admin: Browser, session: Session, tenant: Tenant, app: Any
) -> None:
    assert connect(admin).status_code == 302
    page = admin.get("/admin/lms/").get_data(as_text=True)
    stored = session.scalars(select(LmsConnection)).one()
    assert stored.base_url == "https://moodle.example.org" and stored.active
    with app.app_context():
        assert crypto.decrypt(stored.token_encrypted) == TOKEN
    assert TOKEN not in stored.token_encrypted
    assert stored.token_hint in page and TOKEN not in page and 'id="connections"' in page


def test_a_refused_connection_says_why_and_never_echoes_the_token(
    admin: Browser, session: Session, tenant: Tenant
) -> None:
    answer = connect(admin, url="ftp://moodle.example.org")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "must be an http(s) URL" in html
    assert TOKEN not in html
    assert session.scalars(select(LmsConnection)).all() == []


def test_deactivating_stops_syncs_over_the_connection(
    admin: Browser, session: Session, tenant: Tenant
) -> None:
    connect(admin)
    stored = session.scalars(select(LmsConnection)).one()
    answer = admin.post(f"/admin/lms/{stored.id}/deactivate", {"version": stored.version})
    assert answer.status_code == 302
    session.refresh(stored)
    assert not stored.active and "inactive" in admin.get("/admin/lms/").get_data(as_text=True)
    assert admin.post("/admin/lms/sync").status_code == 302
    assert session.scalars(select(Job)).all() == []  # nothing to sync over


def test_sync_now_queues_one_tenant_sync_and_shows_it(
    admin: Browser, session: Session, tenant: Tenant
) -> None:
    connect(admin)
    admin.post("/admin/lms/sync")
    admin.post("/admin/lms/sync")  # a second click while the first is pending adds nothing
    queued = session.scalars(select(Job).where(Job.kind == JobKind.lms_sync)).all()
    assert [(j.params, j.status.value) for j in queued] == [
        ({"person_ids": None, "trigger": "admin"}, "queued")
    ]
    page = admin.get("/admin/lms/").get_data(as_text=True)
    assert 'id="sync-job" data-status="queued"' in page and "http-equiv" not in page
    assert 'data-job-status-url="/jobs/' in page  # static/jobs.js polls it


def test_a_sync_run_lists_what_it_fetched_and_failed(
    admin: Browser, session: Session, tenant: Tenant, make_tenant: Callable[..., Tenant], app: Any
) -> None:
    other = make_tenant("other")
    with app.app_context():  # tokens are encrypted with the app's keys
        connection = LmsConnectionService(session, tenant).connect(Lms.canvas, "https://c.a", TOKEN)
        foreign = LmsConnectionService(session, other).connect(Lms.canvas, "https://c.b", TOKEN)
    run = LmsSyncRun(
        tenant_id=tenant.id, connection_id=connection.id, trigger="admin",
        status=SyncStatus.partial, people_total=2, people_synced=1, people_failed=1, fetched=3,
        recorded=2, failures=[{"person": "E7", "course": "88", "code": "http", "message": "502"}],
    )  # fmt: skip
    session.add(run)
    session.flush()
    listed = admin.get("/admin/lms/").get_data(as_text=True)
    assert f'data-run="{run.id}"' in listed
    html = admin.get(f"/admin/lms/runs/{run.id}").get_data(as_text=True)
    assert 'data-status="partial"' in html and "E7" in html and "502" in html
    elsewhere = LmsSyncRun(tenant_id=other.id, connection_id=foreign.id, failures=[])
    session.add(elsewhere)
    session.flush()
    assert admin.get(f"/admin/lms/runs/{elsewhere.id}").status_code == 404


def test_the_page_shows_whether_each_lms_answers_and_courses_that_cannot_report(
    admin: Browser, session: Session, tenant: Tenant, app: Any
) -> None:
    import datetime as dt

    with app.app_context():
        connection = LmsConnectionService(session, tenant).connect(Lms.canvas, "https://c.a", TOKEN)
    connection.breaker_failures, connection.breaker_error = 5, "GET https://c.a/api timed out"
    connection.breaker_open_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    run = LmsSyncRun(
        tenant_id=tenant.id, connection_id=connection.id, trigger="schedule",
        status=SyncStatus.succeeded, failures=[],
        notes=[{"course": "91", "reason": "Canvas has no progress here", "people": 3}],
    )  # fmt: skip
    session.add(run)
    session.flush()
    listed = admin.get("/admin/lms/").get_data(as_text=True)
    assert (
        "not answering: 5 calls in a row got no answer (last: GET https://c.a/api timed " in listed
    )
    page = admin.get(f"/admin/lms/runs/{run.id}").get_data(as_text=True)
    assert 'id="notes"' in page and "Canvas has no progress here" in page


def test_live_events_are_turned_on_with_a_url_shown_once_and_off(
    admin: Browser, session: Session, tenant: Tenant, app: Any
) -> None:
    with app.app_context():
        canvas = LmsConnectionService(session, tenant).connect(Lms.canvas, "https://c.a", TOKEN)
        moodle = LmsConnectionService(session, tenant).connect(Lms.moodle, "https://m.a", TOKEN)
    session.flush()
    shown = admin.post(f"/admin/lms/{canvas.id}/events", {})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="events-url"' in html
    url = html.split('id="events-url-value">')[1].split("<")[0]
    assert url.startswith("http://localhost/lms/events/ltpe_")
    session.refresh(canvas)
    key = url.rsplit("/", 1)[1]
    assert canvas.events_key_hash == hashlib.sha256(key.encode()).hexdigest()  # only its hash
    page = admin.get("/admin/lms/").get_data(as_text=True)
    assert url not in page and "signed only" in page  # shown once
    refused = admin.post(f"/admin/lms/{moodle.id}/events", {})
    assert refused.status_code == 302
    assert "Canvas only" in admin.get("/admin/lms/").get_data(as_text=True)
    assert admin.post(f"/admin/lms/{canvas.id}/events/off", {}).status_code == 302
    session.refresh(canvas)
    assert canvas.events_key_hash is None


def test_a_completions_upload_is_all_or_nothing(
    admin: Browser, session: Session, tenant: Tenant, seed: Callable[..., dict[str, Any]]
) -> None:
    seed(tenant)
    bad = b"person,activity,completed_on\nemp-a,act-a,2026-03-01\nnobody,act-a,2026-03-02\n"
    answer = admin.post("/admin/lms/upload", {"file": (_file(bad), "c.csv")},
                        content_type="multipart/form-data")  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "nothing was written" in html and "nobody" in html
    assert session.scalars(select(CompletionRecord)).all() == []
    good = b"person,activity,completed_on\nemp-a,act-a,2026-03-01\n"
    answer = admin.post("/admin/lms/upload", {"file": (_file(good), "c.csv")},
                        content_type="multipart/form-data")  # fmt: skip
    assert answer.status_code == 200 and 'id="upload-report"' in answer.get_data(as_text=True)
    assert len(session.scalars(select(CompletionRecord)).all()) == 1


def _file(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def test_the_api_starts_a_sync_and_a_replan_and_reports_their_progress(
    app: Any, session: Session, tenant: Tenant, seed: Callable[..., dict[str, Any]]
) -> None:
    seed(tenant)
    _token, secret = ApiTokenService(session, tenant).create_token("ci")
    session.flush()
    client, auth = app.test_client(), {"Authorization": f"Bearer {secret}"}
    answer = client.post("/api/v1/lms/sync", json={"people": ["emp-a"]}, headers=auth)
    assert answer.status_code == 202, answer.get_json()
    job = answer.get_json()
    assert job["kind"] == "lms_sync" and job["status"] == "queued"
    again = client.post("/api/v1/lms/sync", json={"people": ["emp-a"]}, headers=auth)
    assert again.get_json()["id"] == job["id"]
    missing = client.post("/api/v1/lms/sync", json={"people": ["nobody"]}, headers=auth)
    assert missing.status_code == 404 and "nobody" in missing.get_json()["message"]
    refused = client.post("/api/v1/replans", json={"policy": "seniority"}, headers=auth)
    assert refused.status_code == 422 and "policy" in refused.get_json()["errors"]
    replan = client.post("/api/v1/replans", json={"policy": "deadline"}, headers=auth)
    assert replan.status_code == 202 and replan.get_json()["kind"] == "replan"
    started = session.get(Job, replan.get_json()["id"])
    assert started is not None and started.params["policy"] == "deadline"
    polled = client.get(f"/api/v1/jobs/{replan.get_json()['id']}", headers=auth)
    assert polled.status_code == 200 and polled.get_json()["progress"] == 0
    assert client.post("/api/v1/lms/sync", json={}).status_code == 401
