"""CSV exports do not hand spreadsheets formulas (OWASP CSV injection), and read back unchanged."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.services.people import PeopleService
from lti_pathing.services.transfer.export import ExportService, neutralise_formula, restore_formula
from lti_pathing.services.transfer.importer import ImportService

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=quoted already",
    "''+twice",
]
PLAIN = ["Ada Lovelace", "'quoted but harmless", "O'Brien", "a=b"]


def names_in(people_csv: Path) -> dict[str, str]:
    """employee_id -> the name cell exactly as a spreadsheet would get it."""
    with people_csv.open(newline="", encoding="utf-8") as handle:
        return {row["employee_id"]: row["name"] for row in csv.DictReader(handle)}


def test_cells_that_start_like_formulas_are_exported_as_text(
    session: Session, tenant: Tenant, tmp_path: Path
) -> None:
    people = PeopleService(session, tenant)
    for n, name in enumerate(HOSTILE + PLAIN):
        people.create_person({"external_id": f"p{n}", "name": name})
    ExportService(session, tenant).write_csv(tmp_path)
    cells = names_in(tmp_path / "people.csv")
    for n, name in enumerate(HOSTILE):
        assert cells[f"p{n}"] == f"'{name}"
    for n, name in enumerate(PLAIN, start=len(HOSTILE)):
        assert cells[f"p{n}"] == name


def test_an_exported_tenant_imports_back_unchanged(
    session: Session, tenant: Tenant, make_tenant: Callable[..., Any], tmp_path: Path
) -> None:
    people = PeopleService(session, tenant)
    for n, name in enumerate(HOSTILE + PLAIN):
        people.create_person({"external_id": f"p{n}", "name": name, "email": f"=p{n}@x.org"})
    ExportService(session, tenant).write_csv(tmp_path)
    other = make_tenant()
    ImportService(session, other).import_path(tmp_path)
    original = ExportService(session, tenant).document()["people"]
    copied = ExportService(session, other).document()["people"]
    assert copied == original
    assert {p["name"] for p in copied} == set(HOSTILE + PLAIN)


@pytest.mark.parametrize("text", [*HOSTILE, *PLAIN, "\tTab", "\rCR", "'", "''", "="])
def test_escaping_is_undone_exactly(text: str) -> None:
    assert restore_formula(neutralise_formula(text)) == text
