"""Completions -> evidence and plan items; the CSV upload; plans behind schedule; AGS score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.models import CompletionRecord, Evidence, ItemStatus, PlanStatus
from lti_pathing.services.completions import behind_schedule
from lti_pathing.services.completions.upload import CompletionUploadService
from lti_pathing.services.progress import plan_progress
from lti_pathing.services.transfer.importer import ImportRejected
from tests.lti_pathing.lms.conftest import clock


def upload(session: Session, tenant: Any, text: str, dry_run: bool = False) -> Any:
    data = text.encode()
    return CompletionUploadService(session, tenant, clock).import_csv("done.csv", data, dry_run)


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_csv_rows_by_employee_id_or_lms_user_id_become_evidence(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    report = upload(session, tenant, (
        "person,lms,lms_user_id,lms_course_id,activity,completed_on\n"
        "E1,,,,canvas-88,2026-11-02\n"
        ",moodle,4,2,,2026-11-03T10:00:00+02:00\n"
        ",moodle,4,2/4,,2026-11-04\n"
    ))  # fmt: skip
    assert (report.rows, report.recorded, report.unchanged) == (3, 3, 0)
    assert (report.evidence, report.items) == (4, 1)
    assert org["plan"].items[1].status == ItemStatus.completed
    assert org["plan"].items[1].completed_on == dt.date(2026, 11, 2)
    record = session.scalars(
        select(CompletionRecord).where(CompletionRecord.lms_module_id == "4")
    ).one()
    assert (record.key, record.lms_course_id) == ("moodle:module:2/4", "2")
    again = upload(session, tenant, (
        "person,lms,lms_user_id,lms_course_id,activity,completed_on\n"
        "E1,,,,canvas-88,2026-11-02\n"
    ))  # fmt: skip
    assert (again.recorded, again.unchanged, again.evidence) == (0, 1, 0)


def test_the_same_activity_from_two_channels_gives_evidence_once(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    upload(session, tenant, "person,activity,completed_on\nE2,completion-a,2026-11-01\n")
    evidence = count(session, Evidence)
    report = upload(
        session, tenant, "lms,lms_user_id,lms_course_id,completed_on\nmoodle,4,2,2026-11-05\n"
    )
    assert report.recorded == 1 and report.evidence == 0
    assert count(session, Evidence) == evidence == 2


def test_a_bad_csv_writes_nothing_and_names_every_problem(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    text = (
        "person,lms,lms_user_id,lms_course_id,activity,completed_on\n"
        "E1,,,,canvas-88,2026-11-02\n"  # fine on its own
        "E404,,,,canvas-88,2026-11-02\n"
        ",moodle,3,999,,2026-11-02\n"
        "E1,,,,nope,02/11/2026\n"
        "E1,,7,,canvas-88,2026-11-02\n"
        "E1,,,,canvas-88,2030-01-01\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        upload(session, tenant, text)
    assert [str(p) for p in rejected.value.problems] == [
        "done.csv:3: person: no person 'E404' in this tenant",
        "done.csv:4: lms_course_id: no catalog activity is linked to moodle course '999'",
        "done.csv:5: completed_on: '02/11/2026' is not a date (YYYY-MM-DD)",
        "done.csv:6: lms: required with lms_user_id or lms_course_id (moodle or canvas)",
        "done.csv:6: person: give exactly one of person (employee id) and lms_user_id",
        "done.csv:7: completed_on: completion date is in the future",
    ]
    assert count(session, CompletionRecord) == 0 and count(session, Evidence) == 0


def test_a_csv_header_without_the_needed_columns_is_refused(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    with pytest.raises(ImportRejected) as rejected:
        upload(session, tenant, "who,when\nE1,2026-01-01\n")
    assert {p.column for p in rejected.value.problems} == {
        "who", "when", "completed_on", "person", "activity",
    }  # fmt: skip


def test_a_dry_run_counts_but_writes_nothing(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    report = upload(
        session, tenant, "person,activity,completed_on\nE1,canvas-88,2026-11-02\n", True
    )
    assert report.recorded == 1 and report.dry_run
    assert count(session, CompletionRecord) == 0


def test_behind_schedule_lists_open_items_past_their_planned_end(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    plan = org["plan"]  # starts 2026-10-05; items end in weeks 4, 8, 12
    assert behind_schedule(plan, dt.date(2026, 11, 2)) == []  # week 4 ends on 11-02
    assert behind_schedule(plan, dt.date(2026, 11, 3)) == [plan.items[0]]
    plan.items[0].status = ItemStatus.completed
    late = behind_schedule(plan, dt.date(2027, 1, 1))
    assert late == plan.items[1:]
    plan.items[1].status = ItemStatus.dropped
    assert behind_schedule(plan, dt.date(2027, 1, 1)) == [plan.items[2]]
    plan.status = PlanStatus.archived
    assert behind_schedule(plan, dt.date(2027, 1, 1)) == []


def test_progress_is_the_share_of_planned_hours_done(
    session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    plan = org["plan"]
    progress = plan_progress(plan)
    assert (progress.percent, progress.score, progress.started) == (0, Decimal("0.00"), False)
    plan.items[0].status = ItemStatus.completed
    progress = plan_progress(plan)
    assert progress.share == pytest.approx(Decimal(1) / 3)
    assert (progress.percent, progress.score, progress.started) == (33, Decimal("33.33"), True)
    assert (progress.items_done, progress.items_total) == (1, 3)
    plan.items[2].status = ItemStatus.dropped
    assert (plan_progress(plan).percent, plan_progress(plan).items_total) == (50, 2)
