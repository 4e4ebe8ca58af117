"""The import/export page (dry run first, all or nothing) and the API tokens page."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.auth import Actor
from lti_pathing.models import ApiToken, LmsCourseLink, Person, Skill, Tenant
from lti_pathing.services.api_tokens import authenticate
from tests.lti_pathing.web.conftest import Browser


def count(session: Session, model: Any, tenant: Tenant) -> int:
    stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant.id)
    return session.scalar(stmt) or 0


def upload(browser: Browser, name: str, data: bytes, kind: str = "auto") -> Any:
    return browser.post(
        "/admin/transfer/check", {"file": (io.BytesIO(data), name), "kind": kind},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_export_then_import_into_another_tenant_dry_run_first(
    admin: Browser,
    tenant: Tenant,
    seed: Callable[..., Any],
    make_tenant: Callable[..., Tenant],
    make_actor: Callable[..., Actor],
    session: Session,
) -> None:
    seed(tenant)
    exported = admin.get("/admin/transfer/export.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    document = json.loads(exported.get_data())
    assert [s["id"] for s in document["skills"]] == ["skill-a"]

    other = make_tenant("other")
    admin.sign_in(make_actor(other, "admin"))
    checked = upload(admin, "catalog.json", exported.get_data())
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert "is valid (dry run: nothing written yet)" in html
    assert "skills: 1 created, 0 updated, 0 unchanged" in html
    session.expire_all()
    assert count(session, Skill, other) == 0
    applied = admin.post("/admin/transfer/apply")
    assert applied.status_code == 200
    assert "Imported catalog.json" in applied.get_data(as_text=True)
    session.expire_all()
    assert count(session, Skill, other) == 1 and count(session, Person, other) == 3
    again = admin.post("/admin/transfer/apply")  # the checked file is used once
    assert again.status_code == 302


def test_csv_zip_export_reimports_unchanged(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant)
    exported = admin.get("/admin/transfer/export.zip")
    with zipfile.ZipFile(io.BytesIO(exported.get_data())) as archive:
        assert "skills.csv" in archive.namelist() and "people.csv" in archive.namelist()
    html = upload(admin, "export.zip", exported.get_data()).get_data(as_text=True)
    assert "Nothing would change" in html
    no_people = admin.get("/admin/transfer/export.zip?people=0")
    with zipfile.ZipFile(io.BytesIO(no_people.get_data())) as archive:
        assert "people.csv" not in archive.namelist()


def test_the_dry_run_lists_each_child_row_the_import_removes(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    # Issue 15: an export without one of an activity's LMS links says so before the admin confirms.
    seed(tenant)
    exported = admin.get("/admin/transfer/export.zip")
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(exported.get_data())) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            if name == "lms_links.csv":
                assert b"act-a,moodle,10a" in data
                row = b"act-a,moodle,10a"
                data = data.replace(row + b"\r\n", b"").replace(row + b"\n", b"")
            target.writestr(name, data)
    html = upload(admin, "export.zip", buffer.getvalue()).get_data(as_text=True)
    assert "Will be removed (1)" in html
    assert "activity act-a: LMS link moodle 10a removed" in html
    assert "Import now (1 change(s))" in html
    session.expire_all()
    assert count(session, LmsCourseLink, tenant) == 1  # a dry run: still there
    applied = admin.post("/admin/transfer/apply").get_data(as_text=True)
    assert "Removed (1)" in applied and "activity act-a: LMS link moodle 10a removed" in applied
    session.expire_all()
    assert count(session, LmsCourseLink, tenant) == 0


def test_bad_people_csv_lists_every_bad_row_and_writes_nothing(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    before = count(session, Person, tenant)
    data = (
        b"employee_id,name,manager_employee_id,hours_per_week\n"
        b"E1,Ann,,3\n"
        b"E2,,E1,2\n"
        b"E3,Cid,NOBODY,-1\n"
    )
    response = upload(admin, "hris-export.csv", data, kind="people")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "nothing was written" in html
    assert "<td>people.csv</td><td>3</td><td>name</td>" in html
    assert "<td>people.csv</td><td>4</td><td>manager_employee_id</td>" in html
    assert "<td>people.csv</td><td>4</td><td>hours_per_week</td>" in html
    assert 'action="/admin/transfer/apply"' not in html
    session.expire_all()
    assert count(session, Person, tenant) == before


def test_not_a_zip_is_reported(admin: Browser) -> None:
    response = upload(admin, "catalog.zip", b"not a zip")
    assert response.status_code == 422
    assert "not a ZIP archive" in response.get_data(as_text=True)


def test_token_shown_once_listed_masked_and_revoked(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    created = admin.post("/admin/api-tokens/", {"name": "HRIS sync", "scopes": "read"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    html = created.get_data(as_text=True)
    secret = html.split('id="secret-value" readonly value="')[1].split('"')[0]
    assert secret.startswith("ltp_")
    assert authenticate(session, secret).id == tenant.id
    listing = admin.get("/admin/api-tokens/").get_data(as_text=True)
    assert secret not in listing
    prefix = secret.split("_")[1]
    assert f"ltp_{prefix}_••••••••" in listing and "HRIS sync" in listing
    assert f'href="/admin/api-tokens/{prefix}/revoke"' in listing  # asks first (next test)
    revoked = admin.post(f"/admin/api-tokens/{prefix}/revoke", {"confirm": "revoke"})
    assert revoked.status_code == 302
    session.expire_all()
    token = session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).one()
    assert token.revoked_at is not None


def test_token_needs_a_name(admin: Browser, app: Flask) -> None:
    response = admin.post("/admin/api-tokens/", {"name": "  "})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_checked_files_never_imported_are_deleted_after_a_day(
    admin: Browser, app: Flask, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant)
    folder = Path(app.instance_path) / "admin-imports"
    folder.mkdir(parents=True, exist_ok=True)
    day = 24 * 3600
    stale, recent = folder / "a", folder / "b"
    for path, age in ((stale, day + 60), (recent, 3600)):
        path.write_bytes(b"{}")
        os.utime(path, (time.time() - age, time.time() - age))
    exported = admin.get("/admin/transfer/export.json").get_data()

    assert upload(admin, "catalog.json", exported).status_code == 200
    left = {p.name for p in folder.iterdir()}
    assert "a" not in left and "b" in left and len(left) == 2  # + the file just checked

    (checked,) = left - {"b"}
    os.utime(folder / checked, (time.time() - day - 60, time.time() - day - 60))
    late = admin.post("/admin/transfer/apply")
    assert late.status_code == 302  # swept on apply: "upload it again"
    assert {p.name for p in folder.iterdir()} == {"b"}
