"""Read a completions CSV (any LMS): who completed what, when. Shape checks only, no database.

Columns: `person` (employee id) or `lms` + `lms_user_id`; `lms_course_id` (with `lms`; Moodle
course modules as `<course id>/<cmid>`) or `activity` (the catalog activity's id); and
`completed_on` (a date, or an ISO date-time; without a zone it is UTC).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from lti_pathing.models import Lms
from lti_pathing.services.transfer.reader import Problem

COLUMNS = ("person", "lms", "lms_user_id", "lms_course_id", "activity", "completed_on")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class CompletionRow:
    """One checked row: exactly one way to name the person and one to name what was done."""

    line: int
    person: str | None
    lms: Lms | None
    lms_user_id: str | None
    lms_course_id: str | None
    activity: str | None
    completed_at: dt.datetime


def parse_when(value: str) -> dt.datetime:
    """A date (midnight UTC) or ISO date-time (UTC when no zone is given); ValueError if neither."""
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def read_completions(name: str, data: bytes) -> tuple[list[CompletionRow], list[Problem]]:
    """Rows that passed the shape checks, and every problem found (file:line: column: message)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(name, "the file is not UTF-8 text")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    problems = _check_header(name, header)
    if problems:
        return [], problems
    rows: list[CompletionRow] = []
    for raw in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(Problem(name, f"more than {MAX_ROWS} rows; split the file", line))
            break
        cells = {k.strip(): (v or "").strip() or None for k, v in raw.items() if k is not None}
        if None in raw:
            problems.append(Problem(name, "more cells than columns", line))
            continue
        row, found = _row(name, line, cells)
        problems += found
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(name, "no rows"))
    return rows, problems


def _check_header(name: str, header: list[str]) -> list[Problem]:
    if not header:
        return [Problem(name, "empty file: expected a header row", 1)]
    unknown = [h for h in header if h not in COLUMNS]
    problems = [
        Problem(name, f"unknown column (expected {', '.join(COLUMNS)})", 1, h) for h in unknown
    ]
    if "completed_on" not in header:
        problems.append(Problem(name, "required column missing", 1, "completed_on"))
    if not {"person", "lms_user_id"} & set(header):
        problems.append(Problem(name, "give person or lms_user_id", 1, "person"))
    if not {"lms_course_id", "activity"} & set(header):
        problems.append(Problem(name, "give lms_course_id or activity", 1, "activity"))
    return problems


def _row(
    name: str, line: int, c: dict[str, str | None]
) -> tuple[CompletionRow | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(name, message, line, column))

    lms: Lms | None = None
    if c.get("lms") is not None:
        try:
            lms = Lms(str(c["lms"]).lower())
        except ValueError:
            bad("lms", f"{c['lms']!r} is not one of: moodle, canvas")
    if (c.get("person") is None) == (c.get("lms_user_id") is None):
        bad("person", "give exactly one of person (employee id) and lms_user_id")
    if (c.get("lms_course_id") is None) == (c.get("activity") is None):
        bad("activity", "give exactly one of lms_course_id and activity")
    needs_lms = c.get("lms_user_id") is not None or c.get("lms_course_id") is not None
    if needs_lms and c.get("lms") is None:
        bad("lms", "required with lms_user_id or lms_course_id (moodle or canvas)")
    course = c.get("lms_course_id")
    if course is not None and (len(course) > 64 or course.count("/") > 1 or course.startswith("/")):
        bad("lms_course_id", "a course id, or <course id>/<module id> for a Moodle activity")
    when: dt.datetime | None = None
    if c.get("completed_on") is None:
        bad("completed_on", "required")
    else:
        try:
            when = parse_when(str(c["completed_on"]))
        except ValueError:
            bad("completed_on", f"{c['completed_on']!r} is not a date (YYYY-MM-DD)")
    if problems or when is None:
        return None, problems
    row = CompletionRow(
        line, c.get("person"), lms, c.get("lms_user_id"), course, c.get("activity"), when
    )
    return row, []
