"""ImportService with the shipped sample organisation: counts, idempotency, round trips, isolation.

The sample is imported once per module (JSON form) into tenant `larkspur`; each test then runs
inside a savepoint of that module's transaction, rolled back after it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.orm import Session

from lti_pathing.models import (
    Activity,
    ActivityMentor,
    ActivityOutcome,
    ActivityPrereq,
    ActivitySkillPrereq,
    CareerPath,
    Cohort,
    JobFamily,
    LmsCourseLink,
    Mentor,
    Person,
    Role,
    RoleSkill,
    Skill,
    SkillCategory,
    SkillLevel,
    Tenant,
)
from lti_pathing.services.transfer.apply import ImportReport
from lti_pathing.services.transfer.export import ExportService
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_csv_files, read_json

SAMPLE = Path(__file__).parents[4] / "src" / "lti_pathing" / "sample_data"
# What the sample organisation holds (its generator's commit message and the CSV line counts).
ENTITY_COUNTS = {
    "skill_categories": 8, "skills": 62, "job_families": 7, "roles": 46, "people": 200,
    "mentors": 24, "activities": 314,
}  # fmt: skip
ROW_COUNTS = {
    SkillCategory: 8, Skill: 62, SkillLevel: 310, JobFamily: 7, Role: 46, RoleSkill: 302,
    CareerPath: 66, Activity: 314, ActivityOutcome: 437, ActivitySkillPrereq: 226,
    ActivityPrereq: 12, Cohort: 74, ActivityMentor: 69, LmsCourseLink: 93, Mentor: 24,
    Person: 200,
}  # fmt: skip


@dataclass
class Sample:
    connection: Connection
    tenant_id: int
    report: ImportReport


@pytest.fixture(scope="module")
def sample(engine: Engine) -> Iterator[Sample]:
    """The sample organisation imported once from catalog.json into a new tenant."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as work:
            tenant = Tenant(slug="larkspur", name="Larkspur Software")
            work.add(tenant)
            work.flush()
            report = ImportService(work, tenant).import_path(SAMPLE / "catalog.json")
            work.commit()
            yield Sample(connection, tenant.id, report)
        outer.rollback()


@pytest.fixture
def work(sample: Sample) -> Iterator[Session]:
    """A session inside a savepoint of the sample's transaction, rolled back after the test."""
    savepoint = sample.connection.begin_nested()
    with Session(bind=sample.connection, join_transaction_mode="create_savepoint") as session:
        yield session
    savepoint.rollback()


@pytest.fixture
def larkspur(work: Session, sample: Sample) -> Tenant:
    return work.get_one(Tenant, sample.tenant_id)


@pytest.fixture
def writes(sample: Sample) -> Iterator[list[str]]:
    """Every INSERT, UPDATE and DELETE sent while the test runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(sample.connection, "before_cursor_execute", record)
    yield seen
    event.remove(sample.connection, "before_cursor_execute", record)


def counts(session: Session, tenant: Tenant) -> dict[type[Any], int]:
    return {
        model: session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant.id)
        )
        for model in ROW_COUNTS
    }


def only(report: ImportReport, outcome: str) -> dict[str, int]:
    return {entity: tally[outcome] for entity, tally in report.counts.items()}


def test_the_sample_json_creates_the_documented_organisation(
    sample: Sample, work: Session, larkspur: Tenant
) -> None:
    assert only(sample.report, "created") == ENTITY_COUNTS
    assert sample.report.changed == sum(ENTITY_COUNTS.values())
    assert counts(work, larkspur) == ROW_COUNTS


def test_reimporting_the_same_document_writes_nothing(
    work: Session, larkspur: Tenant, writes: list[str]
) -> None:
    report = ImportService(work, larkspur).import_path(SAMPLE / "catalog.json")
    assert only(report, "unchanged") == ENTITY_COUNTS and report.changed == 0
    assert writes == []


def test_the_csv_form_is_the_same_organisation(
    work: Session, larkspur: Tenant, writes: list[str]
) -> None:
    report = ImportService(work, larkspur).import_path(SAMPLE / "csv")
    assert only(report, "unchanged") == ENTITY_COUNTS and report.changed == 0
    assert writes == []


@pytest.mark.parametrize("form", ["json", "csv"])
def test_export_then_import_changes_nothing(
    work: Session, larkspur: Tenant, writes: list[str], tmp_path: Path, form: str
) -> None:
    exporter = ExportService(work, larkspur)
    if form == "json":
        target = tmp_path / "export.json"
        target.write_text(json.dumps(exporter.document()), encoding="utf-8")
    else:
        target = tmp_path / "export"
        exporter.write_csv(target)
    writes.clear()
    report = ImportService(work, larkspur).import_path(target)
    assert report.changed == 0 and writes == []


def test_csv_into_an_empty_tenant_reproduces_the_export_without_touching_the_other(
    work: Session, larkspur: Tenant
) -> None:
    before = ExportService(work, larkspur).document()
    other = Tenant(slug="other", name="Other")
    work.add(other)
    work.flush()
    report = ImportService(work, other).import_path(SAMPLE / "csv")
    assert only(report, "created") == ENTITY_COUNTS
    assert ExportService(work, other).document() == before  # same external ids, separate rows
    assert counts(work, larkspur) == ROW_COUNTS
    mine = set(work.scalars(select(Skill.id).where(Skill.tenant_id == larkspur.id)))
    theirs = set(work.scalars(select(Skill.id).where(Skill.tenant_id == other.id)))
    assert len(mine) == len(theirs) == 62 and not mine & theirs


def _changed_document(work: Session, tenant: Tenant) -> tuple[dict[str, Any], str, str]:
    doc = copy.deepcopy(ExportService(work, tenant).document(people=False))
    activity, role = doc["activities"][0], doc["roles"][0]
    activity["title"] = activity["title"] + " (2027 edition)"
    role["skills"][0]["weight"] = 7.5
    return doc, activity["id"], role["id"]


def test_a_changed_row_updates_that_entity_only_and_bumps_its_version(
    work: Session, larkspur: Tenant
) -> None:
    doc, activity_id, role_id = _changed_document(work, larkspur)
    versions = {a.external_id: a.version for a in work.scalars(select(Activity))}
    data = json.dumps(doc).encode()
    report = ImportService(work, larkspur).import_document(read_json("doc.json", data))
    assert only(report, "updated") == {name: 0 for name in ENTITY_COUNTS if name != "people"} | {
        "activities": 1,
        "roles": 1,
    }
    activity = ImportService(work, larkspur).by_external_id(Activity, activity_id)
    role = ImportService(work, larkspur).by_external_id(Role, role_id)
    assert activity is not None and activity.title.endswith("(2027 edition)")
    assert activity.version == versions[activity_id] + 1
    assert role is not None and role.version == 2  # only its required skills changed
    assert {a.external_id: a.version for a in work.scalars(select(Activity))} == versions | {
        activity_id: versions[activity_id] + 1
    }


def test_a_dry_run_reports_but_writes_nothing(work: Session, larkspur: Tenant) -> None:
    doc, activity_id, _role = _changed_document(work, larkspur)
    title = doc["activities"][0]["title"].removesuffix(" (2027 edition)")
    report = ImportService(work, larkspur).import_document(
        read_json("doc.json", json.dumps(doc).encode()), dry_run=True
    )
    assert report.dry_run and report.changed == 2
    activity = ImportService(work, larkspur).by_external_id(Activity, activity_id)
    assert activity is not None and activity.title == title and activity.version == 1


def test_entities_absent_from_an_import_are_left_alone(work: Session, larkspur: Tenant) -> None:
    doc = {"format": "lti-pathing.catalog", "version": 1,
           "skill_categories": [{"id": "new-cat", "name": "Brand new"}]}  # fmt: skip
    report = ImportService(work, larkspur).import_document(
        read_json("doc.json", json.dumps(doc).encode())
    )
    assert report.counts == {"skill_categories": {"created": 1, "updated": 0, "unchanged": 0}}
    assert counts(work, larkspur) == ROW_COUNTS | {SkillCategory: 9}


def test_people_swapping_lms_ids_import_cleanly(work: Session, larkspur: Tenant) -> None:
    doc = ExportService(work, larkspur).document()
    with_ids = [p for p in doc["people"] if p.get("moodle_user_id")][:2]
    first, second = with_ids[0], with_ids[1]
    first["moodle_user_id"], second["moodle_user_id"] = (
        second["moodle_user_id"],
        first["moodle_user_id"],
    )
    report = ImportService(work, larkspur).import_document(
        read_json("doc.json", json.dumps(doc).encode())
    )
    assert report.counts["people"]["updated"] == 2
    after = {p["employee_id"]: p for p in ExportService(work, larkspur).document()["people"]}
    assert after[first["employee_id"]]["moodle_user_id"] == first["moodle_user_id"]
    assert after[second["employee_id"]]["moodle_user_id"] == second["moodle_user_id"]


def test_export_reads_the_tenant_in_a_few_queries(work: Session, larkspur: Tenant) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    work.expire_all()  # nothing cached from earlier tests: every row must be read
    event.listen(work.connection(), "before_cursor_execute", record)
    try:
        doc = ExportService(work, larkspur).document()
    finally:
        event.remove(work.connection(), "before_cursor_execute", record)
    assert len(doc["activities"]) == 314 and len(doc["people"]) == 200
    assert len(statements) < 40, "export loads per row (N+1)"


def _links(work: Session, activity_id: str) -> dict[str, str]:
    activity = work.scalars(select(Activity).where(Activity.external_id == activity_id)).one()
    return {link.lms.value: link.course_id for link in activity.lms_links}


def test_lms_links_uploaded_alone_merge_into_the_activity(work: Session, larkspur: Tenant) -> None:
    # Issue 15: an lms_links.csv naming only an activity's Moodle course kept its Canvas link.
    assert _links(work, "data-models-advanced") == {"moodle": "122", "canvas": "7065"}
    upload = b"activity,lms,course_id\ndata-models-advanced,moodle,555\n"
    report = ImportService(work, larkspur).import_document(
        read_csv_files({"lms_links.csv": upload})
    )
    assert report.counts == {"activities": {"created": 0, "updated": 1, "unchanged": 0}}
    assert report.removals == []
    assert _links(work, "data-models-advanced") == {"moodle": "555", "canvas": "7065"}


def test_with_activities_a_missing_link_is_listed_then_removed(
    work: Session, larkspur: Tenant
) -> None:
    files = {p.name: p.read_bytes() for p in (SAMPLE / "csv").glob("*.csv")}
    files["lms_links.csv"] = files["lms_links.csv"].replace(
        b"data-models-advanced,canvas,7065\n", b""
    )
    service = ImportService(work, larkspur)
    dry = service.import_document(read_csv_files(files, "export"), dry_run=True)
    expected = ["activity data-models-advanced: LMS link canvas 7065 removed"]
    assert dry.removals == expected and dry.changed == 1
    assert _links(work, "data-models-advanced") == {"moodle": "122", "canvas": "7065"}
    report = service.import_document(read_csv_files(files, "export"))
    assert report.removals == expected
    assert _links(work, "data-models-advanced") == {"moodle": "122"}


@pytest.mark.parametrize("form", ["json", "csv"])
def test_a_skill_outside_every_category_exports_and_imports_into_another_tenant(
    work: Session, larkspur: Tenant, tmp_path: Path, form: str
) -> None:
    """The admin form allows a skill without a category, so a backup holding one must restore."""
    loose = work.scalars(select(Skill).where(Skill.tenant_id == larkspur.id)).first()
    assert loose is not None
    loose.category = None
    work.flush()
    exporter = ExportService(work, larkspur)
    if form == "json":
        target = tmp_path / "export.json"
        target.write_text(json.dumps(exporter.document()), encoding="utf-8")
    else:
        target = tmp_path / "export"
        exporter.write_csv(target)
    other = Tenant(slug="other", name="Other")
    work.add(other)
    work.flush()
    ImportService(work, other).import_path(target)
    restored = work.scalars(
        select(Skill).where(Skill.tenant_id == other.id, Skill.external_id == loose.external_id)
    ).one()
    assert restored.category is None
    assert ExportService(work, other).document() == exporter.document()
