"""A seeded database file that worker processes can open, a Redis on 127.0.0.1, Celery workers.

The sample organisation is imported once per run into a template SQLite file; each test gets its
own copy. Celery workers run as real subprocesses (`celery -A lti_pathing.jobs.worker worker`)
against a dedicated Redis database number, flushed before and after each test.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing import create_app, migrate
from lti_pathing.db import make_engine, transaction
from lti_pathing.models import Job, Tenant
from lti_pathing.services.transfer.importer import ImportService

SAMPLE = Path(__file__).parents[3] / "src" / "lti_pathing" / "sample_data" / "catalog.json"
REDIS_DB = 13  # a database number nothing else on the machine uses
REDIS_URL = os.environ.get("LTI_PATHING_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")
SECRET = "jobs-test-" * 4
# Fast, deterministic settings for every process of a test (app, workers).
LIMITS = {"SOLVER_TIME_LIMIT_S": 20, "QUICK_TIME_LIMIT_S": 10, "REPLAN_CHUNK": 2}


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding the sample organisation as tenant `larkspur`."""
    path = tmp_path_factory.mktemp("jobs-db") / "template.sqlite3"
    seed_sample(f"sqlite:///{path}", migrate_first=True)
    return path


def seed_sample(url: str, migrate_first: bool = False) -> None:
    """Put the sample organisation in the database at `url` as tenant `larkspur`."""
    engine = make_engine(url)
    if migrate_first:
        with engine.begin() as conn:
            migrate.upgrade(conn)
    with Session(engine) as session:
        tenant = Tenant(slug="larkspur", name="Larkspur Software")
        session.add(tenant)
        session.flush()
        ImportService(session, tenant).import_path(SAMPLE)
        session.commit()
    engine.dispose()


@pytest.fixture
def database_file(seeded: Path, tmp_path: Path) -> Path:
    """This test's own copy of the seeded database."""
    target = tmp_path / "jobs.sqlite3"
    shutil.copy(seeded, target)
    return target


def make_app(database: Path | str, instance: Path, broker: str | None, **settings: Any) -> Flask:
    """An app on the file database (or a database URL); with a broker, jobs go to Celery."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{database}" if isinstance(database, Path) else database,
            "SECRET_KEY": SECRET,
            "CELERY_BROKER_URL": broker,
            "LOG_JSON": False,
            "DEV_LOOPBACK_PLATFORMS": True,  # the tests' platforms are on 127.0.0.1
            **LIMITS,
            **settings,
        }
    )
    app.instance_path = str(instance)
    return app


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database, flushed around the test; skipped when Redis is down (not in CI)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} unreachable in CI: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: start it to run the Celery tests")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@dataclass
class Workers:
    """Starts and stops real Celery worker processes for one test."""

    database_url: str
    broker: str
    log_dir: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self, concurrency: int = 1, beat: bool = False, **settings: Any
    ) -> subprocess.Popen[bytes]:
        """A worker (with `beat`, running beat's schedule too); `settings` as LTI_PATHING_*."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LTI_PATHING_")},
            "LTI_PATHING_DATABASE_URL": self.database_url,
            "LTI_PATHING_CELERY_BROKER_URL": self.broker,
            "LTI_PATHING_SECRET_KEY": SECRET,
            "LTI_PATHING_CELERY_VISIBILITY_TIMEOUT": "4",
            "LTI_PATHING_LOG_JSON": "false",
            **{f"LTI_PATHING_{k}": str(v) for k, v in {**LIMITS, **settings}.items()},
        }
        extra = ["-B", "-s", str(self.log_dir / "beat-schedule")] if beat else []
        with open(self.log_dir / f"worker-{len(self.running)}.log", "wb") as log:
            proc = self._popen(env, [*extra, "-c", str(concurrency)], log)
        self.running.append(proc)
        return proc

    def _popen(self, env: dict[str, str], options: list[str], log: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lti_pathing.jobs.worker",
                "worker",
                "-Q",
                "lti_pathing",
                *options,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its children at once (no warm shutdown, no acknowledgement)."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.log_dir.glob("*.log"))


@pytest.fixture
def workers(database_file: Path, redis_url: str, tmp_path: Path) -> Iterator[Workers]:
    found = Workers(f"sqlite:///{database_file}", redis_url, tmp_path)
    yield found
    found.stop_all()


def wait_for(
    app: Flask,
    job_id: int,
    until: Callable[[Job], bool],
    timeout: float,
    why: Callable[[], str] = lambda: "",
) -> dict[str, Any]:
    """Poll the job row until `until(job)` holds; its state then."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with transaction(app) as session:
            job = session.get_one(Job, job_id)
            if until(job):
                return {
                    "status": job.status.value,
                    "result": job.result,
                    "error": job.error,
                    "attempts": job.attempts,
                    "progress": job.progress,
                    "steps_done": job.steps_done,
                }
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not get there in {timeout}s\n{why()}")
