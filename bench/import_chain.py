"""Import time of people whose reporting lines form one long chain (and, for contrast, a flat org).

    .venv/bin/python -m bench.import_chain [--people 100000] [--shape chain|flat]
                                           [--database-url postgresql+psycopg://...]

Writes a `people.csv` where person i is managed by person i-1 (`chain`: as deep as the file is
long) or everyone by person 0 (`flat`), and imports it into a freshly migrated database: a
temporary SQLite file, or with `--database-url` a throw-away database created on that PostgreSQL
server and dropped afterwards. It prints the seconds spent reading, checking and writing, and rows
per second. Import time should be linear in rows whatever the depth of the chain.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from lti_pathing import migrate
from lti_pathing.db import make_engine
from lti_pathing.models import Tenant
from lti_pathing.services.transfer.importer import ImportService


def write_people(folder: Path, people: int, shape: str) -> Path:
    """A people.csv of `people` rows with the reporting lines of `shape`."""
    path = folder / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_id", "name", "manager_employee_id"])
        for n in range(people):
            manager = "" if n == 0 else f"e{n - 1}" if shape == "chain" else "e0"
            writer.writerow([f"e{n}", f"Person {n}", manager])
    return path


@contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """The URL of a new database on `server`, dropped on leaving."""
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    name = f"lti_pathing_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, path: Path) -> tuple[float, int]:
    """Import `path` into a new tenant; the seconds taken and the people created."""
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    with Session(engine) as session, session.begin():
        tenant = Tenant(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
        session.add(tenant)
        session.flush()
        started = time.perf_counter()
        report = ImportService(session, tenant).import_path(path)
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, report.counts["people"]["created"]


def main() -> None:
    """Parse the arguments, import once, print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--shape", choices=("chain", "flat"), default="chain")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write_people(Path(folder), args.people, args.shape)
        if args.database_url:
            with throwaway_database(args.database_url) as url:
                seconds, created = run(url, path)
        else:
            seconds, created = run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", path)
    print(f"{args.shape} of {created} people: {seconds:.1f} s ({created / seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
