"""The admin's audit page: export a date range, set retention, export and erase a person; the
model-facts page; every action is itself recorded."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.models import Person, Tenant
from lti_pathing.services.audit.trail import AuditService
from tests.lti_pathing.web.conftest import Browser


def test_export_retention_and_a_persons_data(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    page = admin.get("/admin/audit/")
    assert page.status_code == 200 and "Export the audit trail" in page.get_data(as_text=True)
    today = utcnow().date().isoformat()

    saved = admin.post("/admin/audit/retention", {"days": "400"})
    session.expire_all()
    assert (
        saved.status_code == 302 and session.get_one(Tenant, tenant.id).audit_retention_days == 400
    )
    refused = admin.post("/admin/audit/retention", {"days": "10"})
    assert refused.status_code == 422 and "183" in refused.get_data(as_text=True)

    out = admin.post("/admin/audit/export", {"start": today, "end": today, "format": "csv"})
    assert out.status_code == 200 and out.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(out.get_data(as_text=True))))
    assert [(r["kind"], r["actor"]) for r in rows] == [("retention_changed", "Ada Admin")]
    backwards = admin.post("/admin/audit/export", {"start": today, "end": "2020-01-01",
                                                   "format": "json"})  # fmt: skip
    assert backwards.status_code == 422

    person = session.get_one(Person, ids["people"])
    got = admin.post(
        "/admin/audit/person/export", {"p-person": person.external_id, "p-format": "zip"}
    )
    assert got.status_code == 200 and got.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.get_data())) as archive:
        assert json.loads(archive.read("person.json"))["person"]["name"] == "Person a"
    unknown = admin.post("/admin/audit/person/export", {"p-person": "nobody", "p-format": "json"})
    assert unknown.status_code == 422 and "nobody" in unknown.get_data(as_text=True)

    unconfirmed = admin.post("/admin/audit/person/erase", {
        "e-person": person.external_id, "e-reason": "request 12", "e-confirm": "yes"})  # fmt: skip
    session.expire_all()
    assert unconfirmed.status_code == 422
    assert session.get_one(Person, ids["people"]).name == "Person a"
    form = {"e-person": person.external_id, "e-reason": "request 12", "e-confirm": "ERASE"}
    erased = admin.post("/admin/audit/person/erase", form)
    assert erased.status_code == 302
    session.expire_all()
    assert session.get_one(Person, ids["people"]).name == f"Erased person {ids['people']}"
    kinds = [r.kind for r in AuditService(session, tenant).rows(utcnow().date(), utcnow().date())]
    assert kinds == ["retention_changed", "audit_exported", "person_data_exported", "person_erased"]


def test_the_model_facts_page_is_in_the_admin_menu(admin: Browser) -> None:
    home = admin.get("/admin/").get_data(as_text=True)
    assert 'id="nav-admin-model-facts"' in home and 'id="nav-admin-audit"' in home
    facts = admin.get("/admin/audit/model-facts").get_data(as_text=True)
    assert "What it never uses" in facts and "protected attribute" in facts
