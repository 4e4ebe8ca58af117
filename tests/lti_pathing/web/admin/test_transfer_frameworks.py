"""The import page reads Moodle and Canvas framework files (dry run first); the export page
offers the tenant's skills as both."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.interop import moodle
from lti_pathing.models import Role, Skill, Tenant
from tests.lti_pathing.web.admin.test_transfer_and_tokens import count, upload
from tests.lti_pathing.web.conftest import Browser

FIXTURES = Path(__file__).parents[3] / "fixtures" / "interop"


def test_a_moodle_framework_dry_run_shows_what_each_competency_becomes(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    data = (FIXTURES / "moodle" / "example.csv").read_bytes()
    checked = upload(admin, "OECD.csv", data)
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert "OECD.csv is valid (dry run: nothing written yet)" in html
    assert "What the file's items become (64)" in html
    assert (
        "Moodle competency &#39;Analytical Thinking&#39; (idnumber analytical-thinking) → "
        "category &#39;Analytical Thinking&#39;"
    ) in html
    assert count(session, Skill, tenant) == 0
    applied = admin.post("/admin/transfer/apply")
    assert "Imported OECD.csv: 64 record(s) created or updated." in applied.get_data(as_text=True)
    session.expire_all()
    assert count(session, Skill, tenant) == 44


def test_hostile_descriptions_are_shown_escaped_and_bad_rows_listed(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    data = (
        b"vendor_guid,object_type,title,description,parent_guids,ratings,,,\n"
        b'x,outcome,"<script>alert(1)</script>",desc,,2,<b>Good</b>,1,Low\n'
    )
    html = upload(admin, "outcomes.csv", data, "canvas-csv").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<b>Good</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    bad = upload(
        admin, "outcomes.csv", b"vendor_guid,object_type,title,parent_guids\nx y,outcome,,\n"
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "outcomes.csv: 2 problem(s); nothing was written" in page
    assert "required, without spaces" in page and "required value is empty" in page
    assert count(session, Skill, tenant) == 0


def test_the_skills_download_as_moodle_and_canvas_files(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    data = (FIXTURES / "canvas" / "documentation-sample.csv").read_bytes()
    upload(admin, "outcomes.csv", data)
    admin.post("/admin/transfer/apply")
    page = admin.get("/admin/transfer/").get_data(as_text=True)
    assert "Skills as a Moodle competency framework (CSV)" in page
    got = admin.get("/admin/transfer/export-moodle-csv.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "acme-moodle-competencies.csv" in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert rows[0] == moodle.HEADER and rows[-1][2] == "Learning Standard"
    canvas = admin.get("/admin/transfer/export-canvas-csv.csv").get_data(as_text=True)
    assert canvas.splitlines()[-1].startswith("c,outcome,Learning Standard,outcome description,")
    assert admin.get("/admin/transfer/export-excel.csv").status_code == 404


def test_from_an_empty_tenant_to_a_job_architecture_in_the_admin_pages(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("Occupation Data.txt", "Skills.txt", "Knowledge.txt"):
            archive.write(FIXTURES / "onet" / name, name)
    for name, data in (("OECD.csv", (FIXTURES / "moodle" / "example.csv").read_bytes()),
                       ("onet-slice.zip", buffer.getvalue())):  # fmt: skip
        checked = upload(admin, name, data).get_data(as_text=True)
        assert f"{name} is valid (dry run: nothing written yet)" in checked
        assert "Imported" in admin.post("/admin/transfer/apply").get_data(as_text=True)
    assert "O*NET occupation &#39;Chief Executives&#39; (11-1011.00) → role" in checked
    session.expire_all()
    assert count(session, Skill, tenant) == 44 + 6 and count(session, Role, tenant) == 6


def test_the_dry_run_maps_a_framework_skill_onto_one_the_tenant_has(
    admin: Browser, tenant: Tenant, session: Session, make_skill: Any
) -> None:
    make_skill(tenant, "lead", name="Leadership")
    data = (FIXTURES / "canvas" / "documentation-sample.csv").read_bytes()
    form = {"file": (io.BytesIO(data), "outcomes.csv"), "kind": "auto", "mapping": "c=lead"}
    html = admin.post("/admin/transfer/check", form, content_type="multipart/form-data")
    assert "Map framework skills onto skills you have (optional)" in html.get_data(as_text=True)
    assert (
        "Canvas outcome &#39;Learning Standard&#39; (vendor_guid c) → mapped onto skill "
        "&#39;Leadership&#39; (lead)"
    ) in html.get_data(as_text=True)
    admin.post("/admin/transfer/apply")
    session.expire_all()
    assert count(session, Skill, tenant) == 1
