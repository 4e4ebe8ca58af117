"""Organisation re-plan end to end: real Celery workers, Redis and PostgreSQL, 1 and 2 processes.

    .venv/bin/python -m bench.org_replan [--learners 10000] [--processes 1,2] [--chunk 20]
        [--limit 2] [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A throw-away PostgreSQL database gets the sample organisation and `--learners` generated people
(a random target role, evidence of a level below each of its targets, 2 to 8 hours a week). Then,
for each worker count in `--processes`, the plans of the previous run are removed, a worker is
started with `lti-pathing worker --concurrency N`, and the whole organisation is re-planned the
way an admin starts it: chunks of learners planned alone (and their open gaps explained) as a
Celery chord, then the settle step: learners who contend for over-booked mentors and seats split
into groups (`solver.org`), the groups settled as a second chord, then merged and stored.

It prints, per run: the wall time of the parallel phase and its plans per second (with the ratio
to the first run, the baseline in the same process), the settle step, and the whole re-plan; then
the price of sharing (total closure with shared mentors and seats) against each learner planned
alone and against the organisation's bound (Lagrangian where groups were priced). The first run
is the baseline; read ratios, not seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, delete, insert, select, text
from sqlalchemy.engine import make_url

from bench.replan import generated_learner

if TYPE_CHECKING:
    from flask import Flask

CLI = str(Path(sys.executable).parent / "lti-pathing")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
TENANT = "larkspur"


@dataclass
class Run:
    """One re-plan's timings and outcome."""

    processes: int
    learners: int
    parallel_s: float
    settle_s: float
    result: dict[str, Any]

    def row(self, base: Run | None) -> str:
        """A line of the table."""
        rate = self.learners / self.parallel_s
        total = self.parallel_s + self.settle_s
        ratio = rate / (base.learners / base.parallel_s) if base else 1.0
        return (
            f"{self.processes:>9} {self.learners:>8} {self.parallel_s:>10.1f} {rate:>9.2f}"
            f" {ratio:>8.2f} {self.settle_s:>9.1f} {total:>9.1f} {self.learners / total:>9.2f}"
        )


@contextmanager
def database(server: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of `server`, dropped afterwards."""
    name = f"lti_pathing_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(env: dict[str, str], learners: int, seed: int) -> None:
    """Migrate, load the sample organisation, and add the generated people with evidence."""
    for command in (["init-db"], ["seed-demo", "--tenant", TENANT]):
        subprocess.run([CLI, *command], env=env, check=True, capture_output=True)
    from lti_pathing.models import Evidence, EvidenceSource, Person, Role, Tenant

    engine = create_engine(env["LTI_PATHING_DATABASE_URL"])
    rng = random.Random(seed)
    today = dt.date.today()
    with engine.begin() as conn:
        tenant = conn.scalars(select(Tenant.id).where(Tenant.slug == TENANT)).one()
        # Only the generated people are re-planned: the sample's own lose their targets.
        conn.execute(Person.__table__.update().values(target_role_id=None))
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        roles = [
            r for r in session.scalars(select(Role).where(Role.tenant_id == tenant)) if r.skills
        ]
        people, evidence = [], []
        for index in range(learners):
            role, levels, hours = generated_learner(rng, roles)
            people.append({"tenant_id": tenant, "external_id": f"G{index:05d}",
                           "name": f"Generated {index}", "target_role_id": role.id,
                           "hours_per_week": hours})  # fmt: skip
            evidence.append(levels)
        ids = session.scalars(insert(Person).returning(Person.id), people).all()
        rows = [
            {
                "tenant_id": tenant,
                "person_id": pid,
                "skill_id": skill,
                "level": level,
                "source": EvidenceSource.import_,
                "observed_on": today,
            }
            for pid, levels in zip(ids, evidence, strict=True)
            for skill, level in levels.items()
            if level > 0
        ]
        if rows:
            session.execute(insert(Evidence), rows)
        session.commit()
    engine.dispose()


def replan(app: Flask, env: dict[str, str], processes: int, log: Path, policy: str) -> Run:
    """Remove earlier plans, start a worker with `processes` children, re-plan everyone."""
    import redis

    from lti_pathing.db import transaction
    from lti_pathing.jobs import enqueue_replan
    from lti_pathing.models import Job, JobStatus, Plan, PlanEvent, PlanItem, Tenant

    redis.Redis.from_url(REDIS).flushdb()
    with app.app_context(), transaction(app) as session:
        for table in (PlanEvent, PlanItem, Plan, Job):
            session.execute(delete(table))
    out = open(log, "ab")  # noqa: SIM115
    worker = subprocess.Popen(
        [CLI, "worker", "--concurrency", str(processes)], env=env, stdout=out, stderr=out
    )
    try:
        _wait_ready(log)
        with app.app_context(), transaction(app) as session:
            tenant = session.scalars(select(Tenant).where(Tenant.slug == TENANT)).one()
            job = enqueue_replan(session, tenant, policy=policy)
            job_id, learners = job.id, len(job.params["person_ids"])
        chunks = -(-learners // int(env["LTI_PATHING_REPLAN_CHUNK"]))
        started = time.monotonic()
        parallel = None
        while True:
            time.sleep(0.5)
            with app.app_context(), transaction(app) as session:
                state = session.get_one(Job, job_id)
                if parallel is None and state.steps_done >= chunks:
                    parallel = time.monotonic() - started
                if state.finished:
                    if state.status is not JobStatus.done:
                        raise SystemExit(f"re-plan {state.status.value}: {state.error}; see {log}")
                    total = time.monotonic() - started
                    result = dict(state.result or {})
                    break
        parallel = parallel or total
        return Run(processes, learners, parallel, total - parallel, result)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        out.close()


def _wait_ready(log: Path) -> None:
    for _ in range(600):
        if b" ready." in log.read_bytes():
            return
        time.sleep(0.1)
    raise SystemExit(f"the worker did not start; see {log}")


def main() -> None:
    """Prepare once, re-plan once per worker count, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--processes", default="1,2", help="worker processes, one run each")
    parser.add_argument("--chunk", type=int, default=20, help="learners per task")
    parser.add_argument("--limit", type=float, default=2.0, help="seconds per learner solve")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--policy", default="total", help="sharing policy (solver.org_policy)")
    parser.add_argument(
        "--database",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server (any database on it) where a throw-away database is made",
    )
    args = parser.parse_args()
    counts = [int(p) for p in args.processes.split(",")]
    with database(args.database) as url, tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LTI_PATHING_")},
            "LTI_PATHING_DATABASE_URL": url,
            "LTI_PATHING_CELERY_BROKER_URL": REDIS,
            "LTI_PATHING_SECRET_KEY": "bench-org-replan-" * 3,
            "LTI_PATHING_LOG_JSON": "false",
            "LTI_PATHING_QUICK_TIME_LIMIT_S": str(args.limit),
            "LTI_PATHING_SOLVER_TIME_LIMIT_S": str(max(5.0, 5 * args.limit)),
            "LTI_PATHING_REPLAN_CHUNK": str(args.chunk),
        }
        print(f"preparing: sample organisation and {args.learners} generated learners ...",
              flush=True)  # fmt: skip
        prepare(env, args.learners, args.seed)
        print(
            f"\norganisation re-plan, {args.learners} learners, chunks of {args.chunk}, "
            f"{args.limit:g} s per learner, {os.cpu_count()} CPUs, PostgreSQL + Redis + Celery\n"
            f"{'processes':>9} {'learners':>8} {'parallel s':>10} {'plans/s':>9} {'x base':>8}"
            f" {'settle s':>9} {'total s':>9} {'overall/s':>9}",
            flush=True,
        )
        os.environ.update(env)
        from lti_pathing import create_app

        app = create_app()  # one app (and one Celery app) for every run
        runs: list[Run] = []
        for processes in counts:
            log = Path(folder) / f"worker-{processes}.log"
            runs.append(replan(app, env, processes, log, args.policy))
            print(runs[-1].row(runs[0] if len(runs) > 1 else None), flush=True)
    last = runs[-1].result
    alone, shared, bound = last["closure_alone"], last["closure"], last["closure_bound"]
    print(
        f"closure shared / alone: {shared:.1f} / {alone:.1f} = {shared / max(alone, 1e-9):.4f} "
        f"(price of sharing {100 * (1 - shared / max(alone, 1e-9)):.2f} %); "
        f"bound {bound:.1f} (against it {100 * (1 - shared / max(bound, 1e-9)):.2f} %); "
        f"{last['drafts']} drafts, {len(last['skipped'])} skipped; groups {last.get('groups')}"
    )


if __name__ == "__main__":
    main()
