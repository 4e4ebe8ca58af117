"""Flatten the JSON document into the CSV folder form of docs/import-format.md."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Row = dict[str, Any]

COLUMNS: dict[str, tuple[str, ...]] = {
    "skill_categories.csv": ("id", "name"),
    "skills.csv": ("id", "name", "category", "description", "source_uri"),
    "skill_levels.csv": ("skill", "level", "name", "description"),
    "job_families.csv": ("id", "name", "description"),
    "roles.csv": (
        "id",
        "title",
        "family",
        "track",
        "level",
        "level_rank",
        "critical",
        "description",
    ),
    "role_skills.csv": ("role", "skill", "level", "weight"),
    "career_paths.csv": ("from_role", "to_role", "kind"),
    "activities.csv": (
        "id",
        "title",
        "kind",
        "provider",
        "url",
        "duration_weeks",
        "hours_per_week",
        "cost",
        "currency",
        "earliest_start",
        "latest_end",
        "seats",
        "active",
        "description",
    ),
    "activity_outcomes.csv": ("activity", "skill", "level"),
    "activity_skill_prereqs.csv": ("activity", "skill", "level"),
    "activity_prereqs.csv": ("activity", "requires"),
    "cohorts.csv": ("activity", "id", "starts_on", "seats"),
    "activity_mentors.csv": ("activity", "mentor"),
    "lms_links.csv": ("activity", "lms", "course_id"),
    "mentors.csv": ("person", "capacity", "active"),
    "people.csv": (
        "employee_id",
        "name",
        "email",
        "manager_employee_id",
        "current_role",
        "target_role",
        "hours_per_week",
        "moodle_user_id",
        "canvas_user_id",
        "lti_subject",
        "active",
    ),
}


def cell(value: Any) -> str:
    """A JSON value as a CSV cell: null empty, booleans lower case, 2.0 as 2."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _children(parents: list[Row], parent_col: str, key: str) -> Iterator[Row]:
    """Nested child objects (or plain ids) with the parent's id added."""
    for parent in parents:
        for child in parent[key]:
            yield {parent_col: parent["id"], **child}


def _ids(parents: list[Row], key: str, column: str) -> Iterator[Row]:
    for parent in parents:
        for value in parent[key]:
            yield {"activity": parent["id"], column: value}


def rows_by_file(doc: dict[str, Any]) -> dict[str, list[Row]]:
    """Every CSV file's rows, derived from the JSON document."""
    acts = doc["activities"]
    return {
        "skill_categories.csv": doc["skill_categories"],
        "skills.csv": doc["skills"],
        "skill_levels.csv": list(_children(doc["skills"], "skill", "levels")),
        "job_families.csv": doc["job_families"],
        "roles.csv": doc["roles"],
        "role_skills.csv": list(_children(doc["roles"], "role", "skills")),
        "career_paths.csv": doc["career_paths"],
        "activities.csv": acts,
        "activity_outcomes.csv": list(_children(acts, "activity", "outcomes")),
        "activity_skill_prereqs.csv": list(_children(acts, "activity", "skill_prereqs")),
        "activity_prereqs.csv": list(_ids(acts, "prereqs", "requires")),
        "cohorts.csv": list(_children(acts, "activity", "cohorts")),
        "activity_mentors.csv": list(_ids(acts, "mentors", "mentor")),
        "lms_links.csv": list(_children(acts, "activity", "lms_links")),
        "mentors.csv": doc["mentors"],
        "people.csv": doc.get("people", []),
    }


def write_csv_folder(doc: dict[str, Any], folder: Path) -> None:
    """One UTF-8 CSV per entity with a header row, LF line ends, in document order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in rows_by_file(doc).items():
        columns = COLUMNS[name]
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([cell(row[c]) for c in columns])
