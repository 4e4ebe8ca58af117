"""Planner benchmark: CP-SAT against the greedy baseline and the bound, on generated catalogs.

Run with `make bench` (or `python -m bench.planner [--quick] [--workers N]`). Prints one table row
per case. Ratios are taken against the greedy baseline run in the same process on the same
instance, so they stay comparable on a noisy machine; wall times are medians over the seeds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from solver import generate
from solver.greedy import greedy
from solver.instance import PlanRequest
from solver.planner import solve
from solver.solution import PlanResponse
from solver.validate import check_response


@dataclass
class Case:
    """One benchmark row: how to build its instances and the time limit it runs under."""

    name: str
    build: Callable[[int], PlanRequest]
    time_limit_s: float
    seeds: int


def cases(quick: bool) -> list[Case]:
    """The cases the issue names: catalog sizes for one learner, then team sizes."""
    one = [(50, 10.0), (200, 10.0), (1000, 10.0), (5000, 5.0)]
    team = [(10, 30.0), (50, 30.0), (200, 30.0)]
    seeds = 2 if quick else 5
    out = [
        Case(
            f"1 learner, {n} activities",
            _single(n),
            limit,
            seeds if n < 5000 else max(1, seeds - 2),
        )
        for n, limit in one
    ]
    out += [Case(f"team of {n}, 200 activities", _team(n), limit, 1) for n, limit in team]
    return out[:5] if quick else out


def _single(n: int) -> Callable[[int], PlanRequest]:
    return lambda seed: generate.single_learner_request(n, seed=seed)


def _team(n: int) -> Callable[[int], PlanRequest]:
    return lambda seed: generate.team_request(n, 200, seed=seed)


def totals(response: PlanResponse) -> tuple[int, int]:
    """Summed closure (thousandths) and readiness weeks over the response's plans."""
    return (
        sum(p.closure_milli for p in response.plans),
        sum(p.readiness_week for p in response.plans),
    )


def run_case(case: Case, workers: int) -> dict[str, object]:
    """Solve every seed of a case; collect medians and ratios."""
    walls, greedy_walls, ratios, saved, gaps, statuses = [], [], [], [], [], []
    for seed in range(1, case.seeds + 1):
        req = case.build(seed)
        opts = replace(req.options, time_limit_s=case.time_limit_s, workers=workers, explain=False)
        req = replace(req, options=opts)
        t0 = time.perf_counter()
        base = greedy(req)
        t1 = time.perf_counter()
        got = solve(req)
        t2 = time.perf_counter()
        problems = check_response(req, got)
        if problems:
            raise SystemExit(f"{case.name} seed {seed}: invalid plan: {problems[:3]}")
        (c_g, r_g), (c_s, r_s) = totals(base), totals(got)
        bound = float(str(got.stats.get("closure_bound", 0))) * 1000
        walls.append(t2 - t1)
        greedy_walls.append(t1 - t0)
        ratios.append(c_s / c_g if c_g else 1.0)
        saved.append((r_g - r_s) / len(req.learners))
        gaps.append((bound - c_s) / bound * 100 if bound else 0.0)
        statuses.append(got.status)
    return {
        "case": case.name,
        "limit_s": case.time_limit_s,
        "wall_s": statistics.median(walls),
        "max_s": max(walls),
        "vs_greedy_time": statistics.median(walls) / max(1e-6, statistics.median(greedy_walls)),
        "status": ",".join(sorted(set(statuses)))
        + f" ({statuses.count('optimal')}/{len(statuses)} opt)",
        "closure_vs_greedy": statistics.mean(ratios),
        "weeks_saved": statistics.mean(saved),
        "gap_to_bound_pct": max(gaps),
    }


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer seeds and cases")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers (1 = deterministic)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    args = parser.parse_args()
    head = (
        f"{'case':32} {'limit':>6} {'median s':>9} {'max s':>7} {'x greedy t':>10} "
        f"{'closure/greedy':>14} {'weeks saved':>11} {'gap %':>6}  status"
    )
    print(f"workers={args.workers}")
    print(head)
    print("-" * len(head))
    for case in (c for c in cases(args.quick) if args.only in c.name):
        r = run_case(case, args.workers)
        print(
            f"{r['case']:32} {r['limit_s']:>6.0f} {r['wall_s']:>9.2f} {r['max_s']:>7.2f} "
            f"{r['vs_greedy_time']:>10.0f} {r['closure_vs_greedy']:>14.3f} "
            f"{r['weeks_saved']:>11.1f} {r['gap_to_bound_pct']:>6.2f}  {r['status']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
