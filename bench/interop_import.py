"""Import time of a Moodle competency framework against the same skills in the native format.

    .venv/bin/python -m bench.interop_import [--competencies 10000] [--database-url postgresql+psycopg://...]

Writes a Moodle framework CSV (tool_lpimportcsv's 14 columns) of `--competencies` rows: one
category per ten competencies, nine skills in each with the framework's two-value scale, every
description a multi-line HTML paragraph. The baseline, in the same process and database, imports
exactly the categories, skills and levels that file becomes, as the native CSV files
(skill_categories.csv, skills.csv, skill_levels.csv) into another new tenant. Each is a dry run
then the import; it prints seconds and the ratio to the native import: what reading Moodle's
format, matching sources and writing the notes cost on top.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.import_chain import _database, _tenant
from lti_pathing import migrate
from lti_pathing.db import make_engine
from lti_pathing.interop import moodle
from lti_pathing.interop.formats import read_any
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import Document, read_csv_files

CONFIG = '[{"scaleid":"2"},{"id":2,"scaledefault":1,"proficient":1}]'


def moodle_file(competencies: int) -> bytes:
    """A framework of `competencies` rows: a category per ten, nine skills in each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(moodle.HEADER)
    writer.writerow(["", "BENCH", "Bench framework", "", "1", "Not yet competent,Competent",
                     CONFIG, "", "", "", "", "", "1", ""])  # fmt: skip
    for n in range(competencies):
        group = n // 10
        parent, idnumber = ("", f"g{group}") if n % 10 == 0 else (f"g{group}", f"c{n}")
        description = f"<p>Competency {n}\r\nsecond line</p>"
        writer.writerow([parent, idnumber, f"Competency {n}", description, "1", "", "", "", "0",
                         "null", "", str(n), "", ""])  # fmt: skip
    return out.getvalue().encode()


def native_files(competencies: int) -> dict[str, bytes]:
    """The same categories, skills and levels as the import's own CSV files."""
    tables: dict[str, list[list[str]]] = {
        "skill_categories": [["id", "name"]],
        "skills": [["id", "name", "category", "description"]],
        "skill_levels": [["skill", "level", "name"]],
    }
    for n in range(competencies):
        group = n // 10
        if n % 10 == 0:
            tables["skill_categories"].append([f"g{group}", f"Competency {n}"])
            continue
        tables["skills"].append([f"c{n}", f"Competency {n}", f"g{group}",
                                 f"<p>Competency {n}\r\nsecond line</p>"])  # fmt: skip
        tables["skill_levels"] += [[f"c{n}", "1", "Not yet competent"], [f"c{n}", "2", "Competent"]]
    files = {}
    for table, rows in tables.items():
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        files[f"{table}.csv"] = out.getvalue().encode()
    return files


def timed(engine: Engine, read: Callable[[], Document]) -> tuple[float, float, int]:
    """Seconds of the dry run and of the import, and the skills created."""
    with Session(engine) as session:
        tenant = _tenant(session)
        session.commit()
        service = ImportService(session, tenant)
        started = time.perf_counter()
        service.import_document(read(), dry_run=True)
        checked = time.perf_counter()
        report = service.import_document(read())
        session.commit()
    return checked - started, time.perf_counter() - checked, report.counts["skills"]["created"]


def main() -> None:
    """Parse the arguments, measure, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--competencies", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL")
    args = parser.parse_args()
    data, files = moodle_file(args.competencies), native_files(args.competencies)

    def moodle_doc() -> Document:
        return read_any("bench.csv", data, "moodle-csv", lambda: Document("csv", "unused"))

    with tempfile.TemporaryDirectory() as folder, _database(args.database_url, folder) as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            migrate.upgrade(connection)
        base = timed(engine, lambda: read_csv_files(files, "native"))
        mine = timed(engine, moodle_doc)
        engine.dispose()
    if base[2] != mine[2]:
        raise SystemExit(f"native made {base[2]} skills, Moodle {mine[2]}")
    print(f"{args.competencies} competencies ({mine[2]} skills), {engine.dialect.name}")
    print(f"{'step':<26}{'seconds':>9}{'x native':>10}")
    for label, seconds, native in (("native CSV: dry run", base[0], base[0]),
                                   ("native CSV: import", base[1], base[1]),
                                   ("Moodle framework: dry run", mine[0], base[0]),
                                   ("Moodle framework: import", mine[1], base[1])):  # fmt: skip
        print(f"{label:<26}{seconds:>9.2f}{seconds / native:>10.2f}")


if __name__ == "__main__":
    main()
