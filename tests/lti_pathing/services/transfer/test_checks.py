"""Rejected imports: every bad row is reported by file, line and column; nothing is written."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.columns import Base
from lti_pathing.models import Activity, Person, Tenant
from lti_pathing.models.base import TenantOwned
from lti_pathing.services.people import PeopleService
from lti_pathing.services.transfer.importer import ImportRejected, ImportService
from lti_pathing.services.transfer.reader import read_csv_files, read_json


def folder(tmp_path: Path, **files: str) -> Path:
    """Write CSV files (name=text, dedented) into a fresh folder."""
    target = tmp_path / "import"
    target.mkdir(exist_ok=True)
    for name, text in files.items():
        (target / f"{name}.csv").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return target


def rows_of(session: Session, tenant: Tenant) -> int:
    """Every row the tenant owns, in every table."""
    total = 0
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if issubclass(model, TenantOwned):
            stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant.id)
            total += session.scalar(stmt) or 0
    return total


def rejected(session: Session, tenant: Tenant, source: Path | Any) -> list[tuple[Any, ...]]:
    """Import, expect a rejection, and return (file, row or path, column, message) per error."""
    service = ImportService(session, tenant)
    before = rows_of(session, tenant)
    with pytest.raises(ImportRejected) as caught:
        if isinstance(source, Path):
            service.import_path(source)
        else:
            service.import_document(source)
    assert rows_of(session, tenant) == before
    return [
        (e["file"], e.get("row", e.get("path")), e.get("column"), e["message"])
        for e in caught.value.errors
    ]


def places(errors: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    return {error[:3] for error in errors}


CATALOG = {
    "skill_categories": """
        id,name
        digital,Digital
        """,
    "skills": """
        id,name,category,description,source_uri
        python,Python,digital,,
        sql,SQL,digital,,
        """,
    "skill_levels": """
        skill,level,name,description
        python,1,Awareness,
        python,2,Working,
        python,3,Practitioner,
        sql,1,Awareness,
        sql,2,Working,
        """,
    "job_families": """
        id,name,description
        eng,Engineering,
        """,
    "roles": """
        id,title,family,track,level,level_rank,critical,description
        swe-2,Software Engineer,eng,individual,mid,2,false,
        swe-3,Senior Software Engineer,eng,individual,senior,3,,
        """,
    "role_skills": """
        role,skill,level,weight
        swe-3,python,3,2.5
        swe-3,sql,2,
        """,
}


def test_a_clean_catalog_imports(session: Session, tenant: Tenant, tmp_path: Path) -> None:
    report = ImportService(session, tenant).import_path(folder(tmp_path, **CATALOG))
    assert report.changed == 6


def test_every_bad_row_in_every_file_is_reported_and_nothing_written(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    files = CATALOG | {
        "skills": """
            id,name,category,description,source_uri,colour
            python,Python,digital,,ftp://example.com/python,blue
            -sql,SQL,nowhere,,,
            """,
        "skill_levels": """
            skill,level,name,description
            python,1,Awareness,
            python,2,Working,
            python,4,Expert,
            """,
        "roles": """
            id,title,family,track,level,level_rank,critical,description
            swe-2,Software Engineer,eng,ladder,mid,2,false,
            swe-3,Senior Software Engineer,eng,individual,senior,300,yes,
            """,
        "role_skills": """
            role,skill,level,weight
            swe-3,python,3,11
            swe-9,python,1,1
            """,
        "activities": """
            id,title,kind,duration_weeks,hours_per_week,cost,currency,earliest_start,latest_end
            py-1,Python,course,4,1.3,10,,2027-02-30,
            py-2,Python 2,course,0,2,0,,2027-01-01,2027-01-15
            """,
    }
    errors = rejected(session, tenant, folder(tmp_path, **files))
    assert places(errors) == {
        ("activities.csv", 2, "hours_per_week"),
        ("activities.csv", 2, "earliest_start"),
        ("activities.csv", 3, "duration_weeks"),
        ("role_skills.csv", 2, "weight"),
        ("role_skills.csv", 3, "role"),
        ("roles.csv", 2, "track"),
        ("roles.csv", 3, "level_rank"),
        ("roles.csv", 3, "critical"),
        ("skill_levels.csv", 4, "level"),
        ("skills.csv", 1, "colour"),
        ("skills.csv", 2, "source_uri"),
        ("skills.csv", 3, "id"),
        ("skills.csv", 3, "category"),
    }
    messages = {(file, row, column): message for file, row, column, message in errors}
    assert "multiple of 0.25" in messages[("activities.csv", 2, "hours_per_week")]
    assert "1..N without gaps" in messages[("skill_levels.csv", 4, "level")]
    assert (
        "'nowhere' is neither in skill_categories.csv nor in this tenant"
        in messages[("skills.csv", 3, "category")]
    )


def test_rows_are_physical_lines_with_bom_crlf_and_quoted_newlines(
    session: Session, tenant: Tenant
) -> None:
    text = (
        '\ufeffid,name,description\r\n'
        'eng,Engineering,"Builds things,\r\nand runs them"\r\n'
        '\r\n'
        'bad id,Sales,\r\n'
    )  # fmt: skip
    doc = read_csv_files({"job_families.csv": text.encode("utf-8")})
    assert places(rejected(session, tenant, doc)) == {("job_families.csv", 5, "id")}


def test_text_that_is_not_utf8_and_unknown_files_are_refused(
    session: Session, tenant: Tenant
) -> None:
    doc = read_csv_files(
        {"job_families.csv": "id,name\neng,Ingeniería\n".encode("latin-1"), "teams.csv": b"id\n"}
    )
    errors = rejected(session, tenant, doc)
    assert places(errors) == {("job_families.csv", 2, None), ("teams.csv", None, None)}


def test_missing_required_columns_are_reported_once_on_the_header(
    session: Session, tenant: Tenant
) -> None:
    doc = read_csv_files({"job_families.csv": b"id,description\neng,x\nsales,y\n"})
    assert places(rejected(session, tenant, doc)) == {("job_families.csv", 1, "name")}


def test_duplicates_and_case_insensitive_names(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    files = CATALOG | {
        "skills": """
            id,name,category,description,source_uri
            python,Python,digital,,
            sql,PYTHON,digital,,
            r,R,digital,,
            r,R again,digital,,
            """,
        "skill_levels": CATALOG["skill_levels"] + "r,1,Working,\n",
    }
    errors = rejected(session, tenant, folder(tmp_path, **files))
    assert places(errors) == {
        ("skills.csv", 2, "name"),  # the same name as sql, compared case-insensitively
        ("skills.csv", 3, "name"),
        ("skills.csv", 5, "id"),  # the same id as line 4
    }


def test_json_errors_are_located_by_pointer(session: Session, tenant: Tenant) -> None:
    doc = {
        "format": "lti-pathing.catalog", "version": 1, "colour": "blue",
        "skill_categories": [{"id": "digital", "name": "Digital"}],
        "skills": [{"id": "python", "name": "Python", "category": "nowhere",
                    "levels": [{"level": 1, "name": "A", "bogus": 1}, {"level": 3, "name": "C"}]}],
        "activities": [{"id": "py", "title": "Py", "kind": "course", "duration_weeks": "4",
                        "hours_per_week": 2.5, "prereqs": ["py"]}],
    }  # fmt: skip
    errors = rejected(session, tenant, read_json("org.json", json.dumps(doc).encode()))
    assert places(errors) == {
        ("org.json", "/colour", None),
        ("org.json", "/skills/0/levels/0/bogus", None),
        ("org.json", "/skills/0/category", None),
        ("org.json", "/skills/0/levels/1/level", None),
        ("org.json", "/activities/0/prereqs/0", None),
    }


def test_a_reference_to_another_tenants_skill_is_refused(
    session: Session, make_tenant: Callable[..., Any], make_skill: Callable[..., Any],
    tmp_path: Path,
) -> None:  # fmt: skip
    a, b = make_tenant("a"), make_tenant("b")
    make_skill(a, "python")
    files = {k: v for k, v in CATALOG.items() if k in {"job_families", "roles", "role_skills"}}
    errors = rejected(session, b, folder(tmp_path, **files))
    assert places(errors) == {("role_skills.csv", 2, "skill"), ("role_skills.csv", 3, "skill")}


def test_reporting_cycles_and_unknown_managers_are_refused(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    people = PeopleService(session, tenant)
    boss = people.create_person({"external_id": "E1", "name": "Boss"})
    people.create_person({"external_id": "E2", "name": "Lead", "manager_id": boss.id})
    path = folder(tmp_path, people="""
        employee_id,name,manager_employee_id
        E1,Boss,E3
        E3,Dev,E2
        E4,New,E404
        """)  # fmt: skip
    errors = rejected(session, tenant, path)
    assert places(errors) == {
        ("people.csv", 2, "manager_employee_id"),
        ("people.csv", 3, "manager_employee_id"),
        ("people.csv", 4, "manager_employee_id"),
    }
    messages = [message for *_place, message in errors]
    assert "reporting cycle: E1 -> E3 -> E2 -> E1" in messages
    assert "manager 'E404' is neither in people.csv nor in this tenant" in messages


def test_activity_rules_prerequisite_cycles_mentorships_and_levels(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    files = CATALOG | {
        "activities": """
            id,title,kind,duration_weeks,hours_per_week,earliest_start,latest_end
            a,A,course,2,1,,
            b,B,course,2,1,,
            m,M,mentorship,4,1,2027-01-01,2027-12-31
            """,
        "activity_prereqs": """
            activity,requires
            a,b
            b,a
            """,
        "activity_outcomes": """
            activity,skill,level
            a,python,2
            b,sql,3
            """,
        "activity_skill_prereqs": """
            activity,skill,level
            a,python,2
            """,
        "cohorts": """
            activity,id,starts_on
            m,late,2027-12-10
            """,
    }
    errors = rejected(session, tenant, folder(tmp_path, **files))
    assert places(errors) == {
        ("activity_prereqs.csv", 2, "requires"),
        ("activity_prereqs.csv", 3, "requires"),
        ("activity_outcomes.csv", 3, "level"),  # sql has levels 1..2
        ("activity_skill_prereqs.csv", 2, "level"),  # not below what it grants
        ("activities.csv", 4, "kind"),  # a mentorship without mentors
        ("cohorts.csv", 2, "starts_on"),  # would end after latest_end
    }


def test_an_hris_export_updates_only_its_columns(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    full = folder(tmp_path, people="""
        employee_id,name,email,moodle_user_id,hours_per_week
        E1,Ann,ann@example.com,101,3.5
        """)  # fmt: skip
    ImportService(session, tenant).import_path(full)
    (full / "people.csv").write_text("employee_id,name\nE1,Ann Smith\nE2,Bo\n", encoding="utf-8")
    report = ImportService(session, tenant).import_path(full / "people.csv")
    assert report.counts["people"] == {"created": 1, "updated": 1, "unchanged": 0}
    ann = ImportService(session, tenant).by_external_id(Person, "E1")
    assert ann is not None and ann.name == "Ann Smith" and ann.email == "ann@example.com"
    assert [i.lms_user_id for i in ann.identities] == ["101"] and ann.version == 2


def test_a_child_file_sets_the_children_of_every_parent_it_names(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    files = CATALOG | {
        "activities": "id,title,kind,duration_weeks,hours_per_week\na,A,course,2,1\n",
        "activity_outcomes": "activity,skill,level\na,python,2\n",
    }
    ImportService(session, tenant).import_path(folder(tmp_path, **files))
    (tmp_path / "import" / "activity_outcomes.csv").write_text("activity,skill,level\n")
    report = ImportService(session, tenant).import_path(tmp_path / "import")
    activity = ImportService(session, tenant).by_external_id(Activity, "a")
    assert activity is not None and activity.outcomes == [] and activity.version == 2
    assert report.counts["activities"]["updated"] == 1 and report.changed == 1


def test_a_zip_archive_of_the_folder_imports_like_the_folder(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    import zipfile

    source = folder(tmp_path, **CATALOG)
    archive = tmp_path / "catalog.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for path in source.iterdir():
            packed.write(path, f"export/{path.name}")
    assert ImportService(session, tenant).import_path(archive).changed == 6
    assert ImportService(session, tenant).import_path(source).changed == 0
