"""Read an import (JSON document, CSV folder or ZIP, one CSV) into rows that know their place.

Nothing here knows the rules of a value; it only finds files, headers, rows and unknown names.
Both forms end up as the same `Document`: rows per CSV table, JSON children flattened like CSV.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lti_pathing.services.transfer.archive import ZipTooLarge, inflate_csv_files
from lti_pathing.services.transfer.export import FORMAT, VERSION, csv_columns, restore_formula
from lti_pathing.services.transfer.schemas import ROW_SCHEMAS

# Child tables: (parent table, parent column, nested JSON key, column of a bare-string element).
CHILDREN: dict[str, tuple[str, str, str, str | None]] = {
    "skill_levels": ("skills", "skill", "levels", None),
    "skill_relations": ("skills", "skill", "relations", None),
    "role_skills": ("roles", "role", "skills", None),
    "career_paths": ("roles", "from_role", "", None),  # top level in JSON, not nested
    "activity_outcomes": ("activities", "activity", "outcomes", None),
    "activity_skill_prereqs": ("activities", "activity", "skill_prereqs", None),
    "activity_prereqs": ("activities", "activity", "prereqs", "requires"),
    "cohorts": ("activities", "activity", "cohorts", None),
    "activity_mentors": ("activities", "activity", "mentors", "mentor"),
    "lms_links": ("activities", "activity", "lms_links", None),
}
# Child tables that merge when uploaded without their parent's file (a partial upload): rows add
# or update by key and the parent's other rows stay. With the parent's file (a full export) the
# given rows replace the parent's set, so an export round-trips exactly.
MERGED_WHEN_PARTIAL = frozenset({"lms_links"})
KEYS: dict[str, tuple[str, ...]] = {
    "skill_categories": ("id",), "skills": ("id",), "skill_levels": ("skill", "level"),
    "skill_relations": ("skill", "related"), "job_families": ("id",), "roles": ("id",),
    "role_skills": ("role", "skill"),
    "career_paths": ("from_role", "to_role"), "activities": ("id",),
    "activity_outcomes": ("activity", "skill"), "activity_skill_prereqs": ("activity", "skill"),
    "activity_prereqs": ("activity", "requires"), "cohorts": ("activity", "id"),
    "activity_mentors": ("activity", "mentor"), "lms_links": ("activity", "lms"),
    "mentors": ("person",), "people": ("employee_id",),
}  # fmt: skip
JSON_SECTIONS = ("skill_categories", "skills", "job_families", "roles", "career_paths",
                 "activities", "mentors", "people")  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located by file and row/column (CSV) or JSON pointer."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    path: str | None = None
    code: str = "invalid"

    def to_dict(self) -> dict[str, Any]:
        """The error as the import format documents it."""
        place = (
            {"path": self.path}
            if self.path is not None
            else {"row": self.row, "column": self.column}
        )
        return {"file": self.file, **place, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        if self.path is not None:
            return f"{self.file}:{self.path}: {self.message}"
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class Row:
    """One input row: raw cells (stripped, empty -> None), then typed values once validated."""

    table: str
    file: str
    raw: dict[str, Any]
    line: int | None = None  # CSV: physical line where the record starts (header is 1)
    pointer: str | None = None  # JSON: pointer to the object
    pointers: dict[str, str] = field(default_factory=dict)  # JSON: column -> pointer override
    values: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    # A row read from another format (interop): column -> that format's name for it.
    labels: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> Any:
        """A typed value (None when empty, absent or invalid)."""
        return self.values.get(column)

    @property
    def present(self) -> set[str]:
        """Columns this row sets (the rest leave stored values unchanged)."""
        return set(self.raw)

    def key(self) -> tuple[Any, ...]:
        """The row's key in its table, from raw cells."""
        return tuple(self.raw.get(col) for col in KEYS[self.table])

    def problem(self, column: str | None, message: str, code: str = "invalid") -> Problem:
        """A problem located at one cell of this row."""
        if self.pointer is not None:
            path = self.pointers.get(
                column or "", f"{self.pointer}/{column}" if column else self.pointer
            )
            return Problem(self.file, message, path=path, code=code)
        shown = self.labels.get(column, column) if column is not None else None
        return Problem(self.file, message, row=self.line, column=shown, code=code)


@dataclass
class Document:
    """Everything read: rows per table (present tables only), child sets given, read problems."""

    form: str  # "csv" or "json"
    name: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    given: dict[str, set[str]] = field(default_factory=dict)  # child table -> parents it sets
    merged: set[str] = field(default_factory=set)  # child tables that add to a parent's set
    problems: list[Problem] = field(default_factory=list)
    # What each item of another format became, for the report (interop readers fill it).
    notes: list[str] = field(default_factory=list)
    # Run on the tenant's stored entities before the checks: an interop reader matches items
    # to what an earlier import of the same source made, and retires what vanished.
    prepare: Callable[[Any], None] | None = None

    def where(self, table: str) -> str:
        """How a message names a table: its CSV file or the JSON section."""
        return f"{table}.csv" if self.form == "csv" else f"the document's {table}"


def read_path(path: Path) -> Document:
    """Read a JSON file, a CSV file, a folder of CSV files or a ZIP archive of one."""
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.suffix == ".csv"}
        return read_csv_files(files, path.name)
    if not path.is_file():
        return Document("csv", path.name, problems=[Problem(path.name, "no such file or folder")])
    if path.suffix == ".zip":
        with path.open("rb") as source:
            return read_zip(path.name, source)
    if path.suffix == ".csv":
        return read_csv_files({path.name: path.read_bytes()}, path.name)
    return read_json(path.name, path.read_bytes())


def read_zip(name: str, source: IO[bytes]) -> Document:
    """Read a ZIP archive of CSV files, inflating at most the MAX_ZIP_* limits."""
    try:
        with zipfile.ZipFile(source) as archive:
            files = inflate_csv_files(archive)
    except ZipTooLarge as error:
        return Document("csv", name, problems=[Problem(name, str(error), code="too_large")])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # RuntimeError: encrypted members; NotImplementedError: an unknown compression.
        problem = Problem(name, "not a ZIP archive, or a damaged one")
        return Document("csv", name, problems=[problem])
    return read_csv_files(files, name)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean_cell(cell: str) -> str | None:
    """A CSV cell stripped, empty as None, with an export's formula escape undone."""
    text = _clean(cell)
    return None if text is None else restore_formula(text)


def _decode(name: str, data: bytes, doc: Document) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        doc.problems.append(Problem(name, "not UTF-8 text", row=line, code="encoding"))
        return None


def read_csv_files(files: dict[str, bytes], name: str = "import") -> Document:
    """Read CSV files given as {file name: bytes}."""
    doc = Document("csv", name)
    tables = csv_columns()
    for file_name, data in sorted(files.items()):
        table = file_name.removesuffix(".csv")
        if table not in tables:
            doc.problems.append(
                Problem(
                    file_name,
                    f"unknown file (expected one of: {', '.join(f'{t}.csv' for t in tables)})",
                    code="unknown_file",
                )
            )
            continue
        text = _decode(file_name, data, doc)
        if text is not None:
            doc.rows[table] = _csv_rows(table, file_name, text, tables[table], doc)
    for child, (parent, column, _key, _scalar) in CHILDREN.items():
        if child in doc.rows:
            parents = {row.raw.get("id") for row in doc.rows.get(parent, [])}
            parents |= {row.raw.get(column) for row in doc.rows[child]}
            doc.given[child] = {p for p in parents if isinstance(p, str)}
            if child in MERGED_WHEN_PARTIAL and parent not in doc.rows:
                doc.merged.add(child)
    return doc


def _csv_rows(
    table: str, file_name: str, text: str, columns: list[str], doc: Document
) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        if not _header_ok(file_name, header, columns, doc):
            return rows
        # Unknown and repeated columns are reported once (line 1); the rows are still checked.
        known = [(i, name) for i, name in enumerate(header) if name in columns]
        known = [(i, name) for i, name in known if name not in header[:i]]
        last_line = reader.line_num
        for record in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                doc.problems.append(
                    Problem(
                        file_name,
                        f"{len(record)} cells, the header has {len(header)}",
                        row=start,
                        code="syntax",
                    )
                )
                continue
            raw = {name: _clean_cell(record[index]) for index, name in known}
            rows.append(Row(table, file_name, raw, line=start))
    except csv.Error as error:
        doc.problems.append(
            Problem(file_name, f"not valid CSV: {error}", row=reader.line_num, code="syntax")
        )
    return rows


def _header_ok(file_name: str, header: list[str], columns: list[str], doc: Document) -> bool:
    """Report unknown, repeated and missing required columns; False when there is no header."""
    if not header:
        doc.problems.append(Problem(file_name, "empty file: the header row is required", row=1))
        return False
    for index, name in enumerate(header):
        if name not in columns:
            doc.problems.append(
                Problem(
                    file_name,
                    "unknown column",
                    row=1,
                    column=name or f"#{index + 1}",
                    code="unknown_column",
                )
            )
        elif name in header[:index]:
            doc.problems.append(Problem(file_name, "column named twice", row=1, column=name))
    schema = ROW_SCHEMAS[file_name.removesuffix(".csv")]
    for name, schema_field in schema().fields.items():
        if schema_field.required and name not in header:
            doc.problems.append(
                Problem(
                    file_name,
                    "required column is missing",
                    row=1,
                    column=name,
                    code="missing_column",
                )
            )
    return True


def read_json(name: str, data: bytes) -> Document:
    """Read the JSON document; children are flattened into the CSV tables they replace."""
    doc = Document("json", name)
    text = _decode(name, data, doc)
    if text is None:
        return doc
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        doc.problems.append(
            Problem(
                name,
                f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
                path="",
                code="syntax",
            )
        )
        return doc
    if not isinstance(body, dict):
        doc.problems.append(Problem(name, "the document must be a JSON object", path=""))
        return doc
    if body.get("format") != FORMAT:
        doc.problems.append(Problem(name, f"must be {FORMAT!r}", path="/format"))
    if body.get("version") != VERSION:
        doc.problems.append(
            Problem(
                name, f"unsupported version (this tool reads version {VERSION})", path="/version"
            )
        )
    for key in sorted(set(body) - {"format", "version", *JSON_SECTIONS}):
        doc.problems.append(Problem(name, "unknown key", path=f"/{key}", code="unknown_column"))
    for section in JSON_SECTIONS:
        if section in body:
            _json_section(doc, section, body[section])
    if "career_paths" in doc.rows:
        parents = {row.raw.get("id") for row in doc.rows.get("roles", [])}
        parents |= {row.raw.get("from_role") for row in doc.rows["career_paths"]}
        doc.given["career_paths"] = {p for p in parents if isinstance(p, str)}
    return doc


def _json_section(doc: Document, table: str, items: Any) -> None:
    doc.rows.setdefault(table, [])
    if not isinstance(items, list):
        doc.problems.append(Problem(doc.name, "must be a list", path=f"/{table}"))
        return
    nested = {
        key: child for child, (parent, _c, key, _s) in CHILDREN.items() if parent == table and key
    }
    for index, item in enumerate(items):
        pointer = f"/{table}/{index}"
        row = _json_row(doc, table, item, pointer, set(nested))
        if row is None:
            continue
        for key, child in nested.items():
            if key in item:
                _json_children(doc, child, item[key], row, f"{pointer}/{key}")


def _json_row(
    doc: Document, table: str, item: Any, pointer: str, nested: set[str], parent: Row | None = None
) -> Row | None:
    columns = csv_columns()[table]
    implied = CHILDREN[table][1] if parent is not None else None
    if not isinstance(item, dict):
        doc.problems.append(Problem(doc.name, "must be an object", path=pointer))
        return None
    raw: dict[str, Any] = {}
    for key, value in item.items():
        if key in nested:
            continue
        if key not in columns or key == implied:
            doc.problems.append(
                Problem(doc.name, "unknown key", path=f"{pointer}/{key}", code="unknown_column")
            )
        else:
            raw[key] = _clean(value)
    row = Row(table, doc.name, raw, pointer=pointer)
    if parent is not None and implied is not None:
        row.raw[implied] = parent.raw.get("id")
        row.pointers[implied] = f"{parent.pointer}/id"
    doc.rows[table].append(row)
    return row


def _json_children(doc: Document, table: str, items: Any, parent: Row, pointer: str) -> None:
    doc.rows.setdefault(table, [])
    if isinstance(parent.raw.get("id"), str):
        doc.given.setdefault(table, set()).add(parent.raw["id"])
    if not isinstance(items, list):
        doc.problems.append(Problem(doc.name, "must be a list", path=pointer))
        return
    scalar = CHILDREN[table][3]
    for index, item in enumerate(items):
        here = f"{pointer}/{index}"
        if scalar is None:
            _json_row(doc, table, item, here, set(), parent)
            continue
        row = _json_row(doc, table, {}, here, set(), parent)
        assert row is not None
        row.raw[scalar] = _clean(item)
        row.pointers[scalar] = here
