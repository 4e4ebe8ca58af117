"""Organisation re-plan benchmark: generated learners over the sample catalog.

`python -m bench.replan [--learners N] [--limit S] [--chunk C]` seeds the sample organisation
into a temporary SQLite file, builds one planning request for N generated learners (random target
roles, evidence-like levels and weekly hours) over its catalog, and then runs the re-plan's two
phases as the jobs do: per-learner ideal solves in chunks (phase 1, timed in this process and in
pools of 1 and 2 worker processes — the work a Celery group spreads over workers), then the
ledger and repair (`solver.team.settle`). It prints plans/second, the ratio of each pool to the
in-process baseline; then the settle step side by side: before (one ledger over everyone in one
process) and now (`solver.org`: contention groups settled in this process and in pools of 1 and 2
processes), each with its wall time, the closure with shared mentors and seats, the price of
sharing against everyone planned alone and against the organisation's bound.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lti_pathing.services.replan import SETTLE_S_PER_LEARNER as SETTLE_S
from solver.instance import PlanRequest
from solver.org import settle_organisation
from solver.request import parse_request
from solver.solution import PlanItem
from solver.team import Ideal, ideal_plans, settle

SAMPLE = Path(__file__).parents[1] / "src" / "lti_pathing" / "sample_data" / "catalog.json"
_REQUEST: PlanRequest | None = None


def build_request(learners: int, limit: float, seed: int = 7) -> dict[str, Any]:
    """A request over the sample catalog with `learners` generated learners."""
    import datetime as dt

    from sqlalchemy.orm import Session

    from lti_pathing import migrate
    from lti_pathing.db import make_engine
    from lti_pathing.models import Role, Tenant
    from lti_pathing.services.planning.calendar import Calendar, next_monday
    from lti_pathing.services.planning.catalog import CatalogLoader
    from lti_pathing.services.transfer.importer import ImportService

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        with engine.begin() as conn:
            migrate.upgrade(conn)
        with Session(engine) as session:
            tenant = Tenant(slug="bench", name="Bench")
            session.add(tenant)
            session.flush()
            ImportService(session, tenant).import_path(SAMPLE)
            calendar = Calendar.starting(next_monday(dt.date.today()))
            catalog = CatalogLoader(session, tenant).build(calendar, 104)
            roles = [r for r in session.query(Role).where(Role.tenant_id == tenant.id) if r.skills]
            skill_of = {v: k for k, v in catalog.skill_ids.items()}
            people = []
            for index in range(learners):
                role, levels, hours = generated_learner(rng, roles)
                people.append({
                    "id": f"L{index:05d}",
                    "levels": {skill_of[k]: v for k, v in levels.items()},
                    "target": {skill_of[r.skill_id]: {"level": r.level, "weight": float(r.weight)}
                               for r in role.skills},
                    "hours_per_week": hours,
                    "excluded": sorted(catalog.unofferable),
                })  # fmt: skip
        engine.dispose()
    return {"version": 1, "horizon_weeks": 104, "skills": catalog.skills,
            "activities": catalog.activities, "mentors": catalog.mentors, "learners": people,
            "options": {"time_limit_s": limit, "explain": False}}  # fmt: skip


def generated_learner(rng: random.Random, roles: Sequence[Any]) -> tuple[Any, dict[int, int], int]:
    """A random target role (of those with skills), levels below each target, weekly hours."""
    role = rng.choice(roles)
    levels = {rs.skill_id: rng.randint(0, rs.level) for rs in role.skills}
    return role, levels, rng.choice([2, 3, 4, 6, 8])


def _init(data: dict[str, Any]) -> None:
    global _REQUEST
    _REQUEST = parse_request(data)


def _chunk(
    args: tuple[list[str], float],
) -> tuple[dict[str, list[tuple[Any, ...]]], dict[str, int], bool]:
    """Phase 1 for some learners (runs in a worker process, like a Celery chunk task)."""
    from dataclasses import replace

    ids, limit = args
    assert _REQUEST is not None
    part = replace(_REQUEST, learners=tuple(lr for lr in _REQUEST.learners if lr.id in ids))
    ideal = ideal_plans(part, time.monotonic() + limit * len(ids))
    plans = {
        k: [(i.activity, i.start_week, i.end_week, i.mentor) for i in v]
        for k, v in ideal.plans.items()
    }
    return plans, ideal.bounds, ideal.proven


def phase_one(
    data: dict[str, Any], processes: int, chunk: int, limit: float
) -> tuple[float, Ideal]:
    """Ideal plans for everyone; 0 processes means in this process (the baseline)."""
    ids = [lr["id"] for lr in data["learners"]]
    parts = [(ids[i : i + chunk], limit) for i in range(0, len(ids), chunk)]
    started = time.monotonic()
    if processes == 0:
        _init(data)
        results = [_chunk(p) for p in parts]
    else:
        with ProcessPoolExecutor(processes, initializer=_init, initargs=(data,)) as pool:
            results = list(pool.map(_chunk, parts))
    wall = time.monotonic() - started
    ideal = Ideal({}, 0, True)
    for plans, bounds, proven in results:
        ideal.plans.update({k: [PlanItem(*i) for i in v] for k, v in plans.items()})
        ideal.bounds.update(bounds)
        ideal.bound_milli += sum(bounds.values())
        ideal.proven = ideal.proven and proven
    return wall, ideal


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--limit", type=float, default=2.0, help="seconds per learner solve")
    parser.add_argument("--chunk", type=int, default=2)
    parser.add_argument("--policy", default="total", help="sharing policy (solver.org.POLICIES)")
    parser.add_argument(
        "--pools", default="0,1,2", help="phase 1 process counts; the first is the baseline"
    )
    parser.add_argument("--settle-s", type=float, default=SETTLE_S, help="per contending learner")
    parser.add_argument(
        "--settle-processes", default="0,1,2", help="settle runs: 0 is this process, else a pool"
    )
    args = parser.parse_args()
    data = build_request(args.learners, args.limit)
    request = parse_request(data)
    n = len(request.learners)
    pools = [int(p) for p in args.pools.split(",")]
    base_wall, ideal = phase_one(data, pools[0], args.chunk, args.limit)
    print(
        f"org re-plan: {n} learners, {len(request.activities)} activities, "
        f"{len(request.mentors)} mentors, {args.limit:g} s per learner"
    )
    print(f"{'phase 1 run':<28}{'wall s':>9}{'plans/s':>10}{'vs baseline':>13}")
    for i, processes in enumerate(pools):
        wall = base_wall if i == 0 else phase_one(data, processes, args.chunk, args.limit)[0]
        label = "this process" if processes == 0 else f"{processes} worker process(es)"
        print(f"{label:<28}{wall:>9.2f}{n / wall:>10.2f}{base_wall / wall:>13.2f}", flush=True)
    print()
    print(f"{'settle step':<34}{'wall s':>8}{'x base':>8}{'closure':>10}{'alone':>10}"
          f"{'bound':>10}{'vs alone %':>11}{'vs bound %':>11}")  # fmt: skip
    base = _old_settle(request, ideal)
    print(base.row("before: one ledger (this process)", base))
    for processes in (int(p) for p in args.settle_processes.split(",")):
        label = "groups, this process" if processes == 0 else f"groups, {processes} process(es)"
        got = _new_settle(request, ideal, processes, args.policy, args.settle_s)
        print(got.row(label, base), flush=True)


@dataclass
class Settled:
    """One settle step's wall time and outcome."""

    wall: float
    closure: int
    alone: int
    bound: int
    note: str = ""

    def row(self, label: str, base: Settled) -> str:
        """A line of the settle table."""
        return (
            f"{label:<34}{self.wall:>8.1f}{base.wall / self.wall:>8.2f}{self.closure / 1000:>10.1f}"
            f"{self.alone / 1000:>10.1f}{self.bound / 1000:>10.1f}"
            f"{100 * (1 - self.closure / max(1, self.alone)):>11.2f}"
            f"{100 * (1 - self.closure / max(1, self.bound)):>11.2f} {self.note}"
        )


def _closure(request: PlanRequest, plans: dict[str, list[PlanItem]]) -> int:
    from solver.measure import learner_plan

    return sum(
        learner_plan(request, lr, plans.get(lr.id, ())).closure_milli for lr in request.learners
    )


def _old_settle(request: PlanRequest, ideal: Ideal) -> Settled:
    """The settle step before contention groups: one ledger over everyone, then the repair."""
    n = len(request.learners)
    started = time.monotonic()
    ledger_end = started + max(10, 0.05 * n)
    result, _ = settle(request, ideal, ledger_end, ledger_end + 10)
    wall = time.monotonic() - started
    alone = _closure(request, ideal.plans)
    return Settled(wall, _closure(request, result.plans or {}), alone, ideal.bound_milli)


def _new_settle(
    request: PlanRequest, ideal: Ideal, processes: int, policy: str, settle_s: float
) -> Settled:
    """`solver.org.settle_organisation`, its groups in this process or a pool of processes."""
    started = time.monotonic()
    if processes == 0:
        org = settle_organisation(request, ideal.plans, ideal.bounds, settle_s, policy)
    else:
        with ProcessPoolExecutor(processes) as pool:
            org = settle_organisation(
                request, ideal.plans, ideal.bounds, settle_s, policy, map_fn=pool.map
            )
    wall = time.monotonic() - started
    note = f"groups {org.stats['groups']}, largest {org.stats['largest_group']}"
    return Settled(wall, org.closure_milli, org.alone_milli, org.bound_milli, note)


if __name__ == "__main__":
    main()
