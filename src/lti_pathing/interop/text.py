"""Reading another system's CSV file: its text, its records with their lines, its limits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from lti_pathing.services.transfer.export import neutralise_formula, restore_formula
from lti_pathing.services.transfer.reader import Problem

# A framework file of more records than this is refused before any row is checked: the biggest
# published frameworks (ESCO's 13,900 skills, O*NET's 1,000 occupations) fit well under it.
MAX_RECORDS = 20_000


class Unreadable(Exception):
    """The file cannot be read as text or CSV at all; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def decode(name: str, data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); anything else is refused with the line it stops at."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("cp1252")
            hint = " (it looks like Windows-1252: save it as 'CSV UTF-8')"
        except UnicodeDecodeError:
            pass
        message = f"not UTF-8 text{hint}"
        raise Unreadable([Problem(name, message, row=line, code="encoding")]) from None


def first_record(text: str) -> list[str]:
    """The header row of a CSV text (empty when there is none or it is not CSV)."""
    try:
        return next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []


def records(name: str, text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) for every record after the header.

    Stops with Unreadable on broken CSV (an unclosed quote, a truncated file) and on more than
    MAX_RECORDS records, before any of it is imported.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        next(reader, None)
        last = reader.line_num
        for count, record in enumerate(reader, start=1):
            if count > MAX_RECORDS:
                message = f"more than {MAX_RECORDS:,} records: split the framework into files"
                raise Unreadable([Problem(name, message, row=reader.line_num, code="too_large")])
            start, last = last + 1, reader.line_num
            yield start, [cell_text(cell) for cell in record]
    except csv.Error as error:
        line = reader.line_num
        raise Unreadable(
            [Problem(name, f"not valid CSV: {error}", row=line, code="syntax")]
        ) from None


def cell_text(cell: str) -> str:
    """A cell stripped, with an export's formula escape undone (the text is kept, never run)."""
    return restore_formula(cell.strip())


def cell_out(value: str | None) -> str:
    """A cell to write: a text that a spreadsheet would run as a formula gets a `'` in front."""
    return "" if value is None else neutralise_formula(value)
