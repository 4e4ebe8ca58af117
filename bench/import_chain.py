"""Import time of people whose reporting lines form one long chain, and of a flat organisation.

    .venv/bin/python -m bench.import_chain [--people 100000] [--shapes flat,chain]
                                           [--database-url postgresql+psycopg://...] [--profile]

Writes a `people.csv` per shape, where person i is managed by person i-1 (`chain`: as deep as the
file is long) or everyone by person 0 (`flat`), into a freshly migrated database: a temporary
SQLite file, or with `--database-url` a throw-away database created on that PostgreSQL server and
dropped afterwards. Each shape is imported into a new tenant the way the admin page does it: a
dry run (read, check, write, roll back), then the import. The baseline, in the same process and
database, is the floor for writing that many people at all: one bare INSERT executemany of the
same rows, no reading, checking or reporting lines. It prints seconds, rows per second and the
ratio to the floor; import time should be linear in rows whatever the depth of the chain (chain /
flat about 1). `--profile` prints where the chain import spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import os
import pstats
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, insert, make_url, text
from sqlalchemy.orm import Session

from lti_pathing import migrate
from lti_pathing.db import make_engine
from lti_pathing.models import Person, Tenant
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_path


def write_people(folder: Path, people: int, shape: str) -> Path:
    """A people.csv of `people` rows with the reporting lines of `shape`."""
    path = folder / shape / "people.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
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


def _tenant(session: Session) -> Tenant:
    tenant = Tenant(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
    session.add(tenant)
    session.flush()
    return tenant


def floor(engine: Engine, people: int) -> float:
    """Seconds for one bare INSERT executemany of `people` rows (committed)."""
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        tenant_id = _tenant(session).id
        session.commit()
        rows = [
            {"tenant_id": tenant_id, "external_id": f"e{n}", "name": f"Person {n}",
             "version": 1, "created_at": now, "updated_at": now}
            for n in range(people)
        ]  # fmt: skip
        started = time.perf_counter()
        session.execute(insert(Person.__table__), rows)
        session.commit()
    return time.perf_counter() - started


def import_twice(
    engine: Engine, path: Path, profile: cProfile.Profile | None = None
) -> tuple[float, float, int]:
    """Seconds of the dry run and of the import (committed), and the people created."""
    with Session(engine) as session:
        tenant = _tenant(session)
        session.commit()
        service = ImportService(session, tenant)
        started = time.perf_counter()
        service.import_document(read_path(path), dry_run=True)
        checked = time.perf_counter()
        if profile is not None:
            profile.enable()
        report = service.import_document(read_path(path))
        session.commit()
        if profile is not None:
            profile.disable()
        done = time.perf_counter()
    return checked - started, done - checked, report.counts["people"]["created"]


def main() -> None:
    """Parse the arguments, measure, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--shapes", default="flat,chain", help="comma-separated: flat, chain")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL")
    parser.add_argument("--profile", action="store_true", help="profile the chain import")
    args = parser.parse_args()
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    profile = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as folder, _database(args.database_url, folder) as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            migrate.upgrade(connection)
        print(f"import of {args.people} people, {engine.dialect.name} "
              f"{'.'.join(map(str, engine.dialect.server_version_info or ()))}, "
              f"{os.cpu_count()} CPUs")  # fmt: skip
        base = floor(engine, args.people)
        print(f"{'step':<22}{'seconds':>9}{'rows/s':>10}{'x floor':>9}")
        _line("bare INSERT (floor)", base, args.people, base)
        imports = {}
        for shape in shapes:
            path = write_people(Path(folder), args.people, shape)
            watched = profile if shape == "chain" else None
            dry, real, created = import_twice(engine, path, watched)
            if created != args.people:
                raise SystemExit(f"{shape}: the import created {created} of {args.people} people")
            _line(f"{shape}: dry run", dry, args.people, base)
            _line(f"{shape}: import", real, args.people, base)
            imports[shape] = real
        engine.dispose()
    if {"flat", "chain"} <= imports.keys():
        print(f"chain / flat import: {imports['chain'] / imports['flat']:.2f}")
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())


def _line(step: str, seconds: float, rows: int, base: float) -> None:
    print(f"{step:<22}{seconds:>9.2f}{rows / seconds:>10,.0f}{seconds / base:>9.2f}")


@contextmanager
def _database(server: str | None, folder: str) -> Iterator[str]:
    if server:
        with throwaway_database(server) as url:
            yield url
    else:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


if __name__ == "__main__":
    main()
