"""The import format's CSV columns, and readers for the shipped sample files.

A plain-Python restatement of docs/import-format.md used to check data files against it; it is
independent of the application's importer on purpose.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "src" / "lti_pathing" / "sample_data"
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

Doc = dict[str, Any]
Row = dict[str, Any]


# --- the documented columns: name -> parser; a trailing "?" on the name means optional ---------


def _id(v: str) -> str:
    assert ID_RE.fullmatch(v), f"bad id {v!r}"
    return v


def _int(v: str) -> int:
    assert re.fullmatch(r"-?\d+", v), f"bad int {v!r}"
    return int(v)


def _dec(v: str) -> Decimal:
    assert re.fullmatch(r"-?\d+(\.\d+)?", v), f"bad decimal {v!r}"
    return Decimal(v)


def _bool(v: str) -> bool:
    assert v in ("true", "false"), f"bad bool {v!r}"
    return v == "true"


def _date(v: str) -> str:
    dt.date.fromisoformat(v)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", v), f"bad date {v!r}"
    return v


def _uri(v: str) -> str:
    assert re.fullmatch(r"https?://\S+", v), f"bad uri {v!r}"
    return v


def _text(v: str) -> str:
    return v


def _enum(*allowed: str) -> Callable[[str], str]:
    def parse(v: str) -> str:
        assert v in allowed, f"{v!r} not in {allowed}"
        return v

    return parse


KIND = _enum("course", "mentorship", "stretch", "certification", "shadowing", "peer_group")
LEVEL = _enum("entry", "mid", "senior", "lead", "principal", "manager", "director")
COLUMNS: dict[str, dict[str, Callable[[str], Any]]] = {
    "skill_categories.csv": {"id": _id, "name": _text},
    "skills.csv": {
        "id": _id,
        "name": _text,
        "category": _id,
        "description?": _text,
        "source_uri?": _uri,
    },
    "skill_levels.csv": {"skill": _id, "level": _int, "name": _text, "description?": _text},
    "job_families.csv": {"id": _id, "name": _text, "description?": _text},
    "roles.csv": {
        "id": _id,
        "title": _text,
        "family": _id,
        "track": _enum("individual", "management"),
        "level": LEVEL,
        "level_rank": _int,
        "critical?": _bool,
        "description?": _text,
    },
    "role_skills.csv": {"role": _id, "skill": _id, "level": _int, "weight?": _dec},
    "career_paths.csv": {
        "from_role": _id,
        "to_role": _id,
        "kind": _enum("vertical", "lateral", "cross_functional"),
    },
    "activities.csv": {
        "id": _id,
        "title": _text,
        "kind": KIND,
        "provider?": _text,
        "url?": _uri,
        "duration_weeks": _int,
        "hours_per_week": _dec,
        "cost?": _dec,
        "currency?": _text,
        "earliest_start?": _date,
        "latest_end?": _date,
        "seats?": _int,
        "active?": _bool,
        "description?": _text,
    },
    "activity_outcomes.csv": {"activity": _id, "skill": _id, "level": _int},
    "activity_skill_prereqs.csv": {"activity": _id, "skill": _id, "level": _int},
    "activity_prereqs.csv": {"activity": _id, "requires": _id},
    "cohorts.csv": {"activity": _id, "id": _id, "starts_on": _date, "seats?": _int},
    "activity_mentors.csv": {"activity": _id, "mentor": _id},
    "lms_links.csv": {"activity": _id, "lms": _enum("moodle", "canvas"), "course_id": _text},
    "mentors.csv": {"person": _id, "capacity": _int, "active?": _bool},
    "people.csv": {
        "employee_id": _id,
        "name": _text,
        "email?": _text,
        "manager_employee_id?": _id,
        "current_role?": _id,
        "target_role?": _id,
        "hours_per_week?": _dec,
        "moodle_user_id?": _text,
        "canvas_user_id?": _text,
        "lti_subject?": _text,
        "active?": _bool,
    },
}
# JSON nesting: child file -> (parent section, parent column, nested key, scalar column or None).
NESTED = {
    "skill_levels.csv": ("skills", "skill", "levels", None),
    "role_skills.csv": ("roles", "role", "skills", None),
    "activity_outcomes.csv": ("activities", "activity", "outcomes", None),
    "activity_skill_prereqs.csv": ("activities", "activity", "skill_prereqs", None),
    "activity_prereqs.csv": ("activities", "activity", "prereqs", "requires"),
    "cohorts.csv": ("activities", "activity", "cohorts", None),
    "activity_mentors.csv": ("activities", "activity", "mentors", "mentor"),
    "lms_links.csv": ("activities", "activity", "lms_links", None),
}


@cache
def read_csv(name: str) -> tuple[Row, ...]:
    """Rows of one CSV file, each cell parsed by its documented column type."""
    spec = {c.rstrip("?"): (parse, not c.endswith("?")) for c, parse in COLUMNS[name].items()}
    with (DATA / "csv" / name).open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None
        assert sorted(reader.fieldnames) == sorted(spec), name
        rows = []
        for line, raw in enumerate(reader, start=2):
            row: Row = {}
            for col, (parse, required) in spec.items():
                value = raw[col].strip()
                assert value or not required, f"{name}:{line}: {col} is required"
                row[col] = parse(value) if value else None
            rows.append(row)
    return tuple(rows)


@cache
def doc() -> Doc:
    """catalog.json with decimals as Decimal, as the importer would read numbers."""
    return json.loads((DATA / "catalog.json").read_text(encoding="utf-8"), parse_float=Decimal)


def by_id(section: str, key: str = "id") -> dict[str, Row]:
    """A JSON section keyed by its id column."""
    return {row[key]: row for row in doc()[section]}


def csv_as_document() -> Doc:
    """Rebuild the JSON document from the CSV files alone."""
    out: Doc = {"format": "lti-pathing.catalog", "version": 1}
    sections = {name.removesuffix(".csv"): name for name in COLUMNS if name not in NESTED}
    for section, name in sections.items():
        out[section] = [dict(row) for row in read_csv(name)]
    for name, (section, parent_col, key, scalar) in NESTED.items():
        parents = {p["id"]: p for p in out[section]}
        for parent in parents.values():
            parent.setdefault(key, [])
        for row in read_csv(name):
            child = {k: v for k, v in row.items() if k != parent_col}
            parents[row[parent_col]][key].append(child[scalar] if scalar else child)
    return out


def canonical(value: Any) -> Any:
    """Lists sorted, numbers compared by value, so order and 2 vs 2.0 do not matter."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value).normalize()
    return value


def has_cycle(edges: Iterable[tuple[str, str]]) -> bool:
    """Depth-first search for a cycle in a directed graph."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in list(graph))
