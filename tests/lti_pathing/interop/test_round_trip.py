"""Frameworks out: the tenant's skills as Moodle and Canvas files, read back as the same skills."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.interop import moodle
from lti_pathing.interop.export import FrameworkExportService
from lti_pathing.interop.formats import read_any
from lti_pathing.models import Tenant
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_json
from tests.lti_pathing.interop.conftest import fixture_bytes, no_native, skills_of

CATALOG = {
    "format": "lti-pathing.catalog", "version": 1,
    "skill_categories": [{"id": "data", "name": "Data"}, {"id": "people", "name": "People"}],
    "skills": [
        {"id": "sql", "name": "SQL", "category": "data", "description": "=1+2 <b>bold</b>",
         "proficient_level": 2, "levels": [
             {"level": 1, "name": "Aware"}, {"level": 2, "name": "Working"},
             {"level": 3, "name": "Expert"}],
         "relations": [{"related": "coach", "kind": "related"}]},
        {"id": "coach", "name": "@Coaching", "category": "people", "description": None,
         "levels": [{"level": 1, "name": "Basic"}, {"level": 2, "name": "Advanced"}]},
        {"id": "old", "name": "Retired skill", "category": "people", "active": False,
         "levels": [{"level": 1, "name": "Only"}]},
    ],
}  # fmt: skip


def shape(session: Session, tenant: Tenant) -> dict[str, Any]:
    """What a person sees of the tenant's active skills, by name.

    A skill whose source names no proficient level counts its top level as proficient; that is
    what the exports write (Moodle needs one, Canvas's mastery points), and read back.
    """
    return {
        name: (
            skill.category.name if skill.category else None, skill.description,
            [lv.name for lv in skill.levels], skill.proficient_level or skill.max_level,
            sorted(r.related.name for r in skill.relations),
        )
        for name, skill in skills_of(session, tenant).items() if skill.active
    }  # fmt: skip


@pytest.fixture
def exported(session: Session, tenant: Tenant) -> Callable[[str], str]:
    doc = read_json("catalog.json", json.dumps(CATALOG).encode())
    ImportService(session, tenant).import_document(doc)
    return lambda fmt: FrameworkExportService(session, tenant).write(fmt)


@pytest.mark.parametrize("fmt", ["moodle-csv", "canvas-csv"])
def test_export_then_our_reader_gives_the_same_skills(
    exported: Callable[[str], str], fmt: str, session: Session, tenant: Tenant,
    make_tenant: Callable[..., Tenant],
) -> None:  # fmt: skip
    text = exported(fmt)
    other = make_tenant("other")
    doc = read_any("out.csv", text.encode(), "auto", no_native)
    ImportService(session, other).import_document(doc)
    got, want = shape(session, other), shape(session, tenant)
    if fmt == "canvas-csv":  # Canvas keeps no relations between outcomes
        want = {name: (*rest[:4], []) for name, rest in want.items()}
    assert got == want
    assert "Retired skill" not in got
    # The spreadsheet-formula escape is in the file, and undone on the way back in.
    assert "'=1+2 <b>bold</b>" in text and "'@Coaching" in text


def test_the_moodle_file_is_what_moodles_importer_reads(exported: Callable[[str], str]) -> None:
    rows = list(csv.reader(io.StringIO(exported("moodle-csv"))))
    assert rows[0] == moodle.HEADER
    assert all(len(row) == len(moodle.HEADER) for row in rows)
    head, *competencies = rows[1:]
    assert head[1:3] == ["lti-pathing-acme", "Acme Corp"] and head[12] == "1"
    assert [row[1] for row in competencies] == ["data", "people", "coach", "sql"]
    sql = competencies[-1]
    assert (sql[0], sql[5], sql[10]) == ("data", "Aware,Working,Expert", "coach")
    config = json.loads(sql[6])
    assert config[1:] == [
        {"id": 1, "scaledefault": 1, "proficient": 0},
        {"id": 2, "scaledefault": 0, "proficient": 1},
        {"id": 3, "scaledefault": 0, "proficient": 1},
    ]


def test_moodles_fixture_round_trips_through_our_export(
    session: Session, tenant: Tenant, make_tenant: Callable[..., Tenant]
) -> None:
    doc = read_any("example.csv", fixture_bytes("moodle/example.csv"), "auto", no_native)
    ImportService(session, tenant).import_document(doc)
    text = FrameworkExportService(session, tenant).write("moodle-csv")
    rows = {row[1]: row for row in csv.reader(io.StringIO(text))}
    # A skill imported from Moodle goes back with its own id number, HTML description and scale.
    assert rows["DR-AT1"][0] == "analytical-thinking" and rows["DR-AT1"][4] == moodle.FORMAT_HTML
    assert rows["DR-AT1"][5] == "Not yet competent,Competent"
    other = make_tenant("other")
    ImportService(session, other).import_document(read_any("x.csv", text.encode(), "auto",
                                                           no_native))  # fmt: skip
    assert shape(session, other).keys() == shape(session, tenant).keys()
