"""Organisation re-plan benchmark: generated learners over the sample catalog.

`python -m bench.replan [--learners N] [--limit S] [--chunk C]` seeds the sample organisation
into a temporary SQLite file, builds one planning request for N generated learners (random target
roles, evidence-like levels and weekly hours) over its catalog, and then runs the re-plan's two
phases as the jobs do: per-learner ideal solves in chunks (phase 1, timed in this process and in
pools of 1 and 2 worker processes — the work a Celery group spreads over workers), then the
ledger and repair (`solver.team.settle`). It prints plans/second, the ratio of each pool to the
in-process baseline, and the price of sharing: total closure with shared mentors and seats
against the sum of each learner planned alone.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from solver.instance import PlanRequest
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
    args = parser.parse_args()
    data = build_request(args.learners, args.limit)
    request = parse_request(data)
    n = len(request.learners)
    base_wall, ideal = phase_one(data, 0, args.chunk, args.limit)
    print(
        f"org re-plan: {n} learners, {len(request.activities)} activities, "
        f"{len(request.mentors)} mentors, {args.limit:g} s per learner"
    )
    print(f"{'phase 1 run':<28}{'wall s':>9}{'plans/s':>10}{'vs baseline':>13}")
    print(f"{'baseline (this process)':<28}{base_wall:>9.2f}{n / base_wall:>10.2f}{1.0:>13.2f}")
    for processes in (1, 2):
        wall, _ = phase_one(data, processes, args.chunk, args.limit)
        label = f"{processes} worker process(es)"
        print(f"{label:<28}{wall:>9.2f}{n / wall:>10.2f}{base_wall / wall:>13.2f}")
    started = time.monotonic()
    now = time.monotonic()
    result, stats = settle(request, ideal, now + max(10, 0.05 * n), now + max(10, 0.05 * n) + 10)
    from solver.measure import learner_plan

    found = result.plans or {}
    team = sum(
        learner_plan(request, lr, found.get(lr.id, ())).closure_milli for lr in request.learners
    )
    alone = sum(
        learner_plan(request, lr, ideal.plans[lr.id]).closure_milli for lr in request.learners
    )
    print(
        f"settle (ledger + repair): {time.monotonic() - started:.2f} s, status {result.status}, "
        f"re-solved {stats['learners_resolved_against_ledger']}, repair group "
        f"{stats['repair_group']}"
    )
    print(
        f"closure shared / alone: {team / 1000:.1f} / {alone / 1000:.1f} = "
        f"{team / max(1, alone):.4f} (price of sharing {100 * (1 - team / max(1, alone)):.2f} %)"
    )


if __name__ == "__main__":
    main()
