"""Planner benchmark: CP-SAT against the greedy baseline and the bound, on generated catalogs.

Run with `make bench` (or `python -m bench.planner [--quick] [--workers N] [--compare REF]`).
Prints one table row per case. Ratios are taken against the greedy baseline run in the same process
on the same instance, so they stay comparable on a noisy machine; wall times are medians over the
seeds. `--compare REF` also solves every seed with the planner as of git revision REF (in a child
process, right after the current planner, so both see the same machine load) and adds the ratio of
the median wall times and the old status.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any

from solver import generate
from solver.greedy import greedy
from solver.instance import PlanRequest
from solver.planner import solve
from solver.solution import PlanResponse
from solver.validate import check_response


@dataclass
class Case:
    """One benchmark row: the instances it builds and the time limit it runs under."""

    name: str
    kind: str  # single | team
    size: int  # activities for one learner, learners for a team
    time_limit_s: float
    seeds: int

    def build(self, seed: int) -> PlanRequest:
        """The instance of this case for one seed."""
        return build(self.kind, self.size, seed)


def build(kind: str, size: int, seed: int) -> PlanRequest:
    """One learner against `size` activities, or a team of `size` over 200 activities."""
    if kind == "single":
        return generate.single_learner_request(size, seed=seed)
    return generate.team_request(size, 200, seed=seed)


def cases(quick: bool) -> list[Case]:
    """The cases the issue names: catalog sizes for one learner, then team sizes."""
    one = [(50, 10.0), (200, 10.0), (1000, 10.0), (5000, 5.0)]
    team = [(10, 30.0), (50, 30.0), (200, 30.0)]
    seeds = 2 if quick else 5
    out = [
        Case(
            f"1 learner, {n} activities",
            "single",
            n,
            limit,
            seeds if n < 5000 else max(1, seeds - 2),
        )
        for n, limit in one
    ]
    out += [Case(f"team of {n}, 200 activities", "team", n, limit, 1) for n, limit in team]
    return out[:5] if quick else out


def totals(response: PlanResponse) -> tuple[int, int]:
    """Summed closure (thousandths) and readiness weeks over the response's plans."""
    return (
        sum(p.closure_milli for p in response.plans),
        sum(p.readiness_week for p in response.plans),
    )


# Run by the child process of `Baseline`, where `solver` is the planner of an older revision.
_CHILD = """
import json, sys, time
from dataclasses import replace
from solver import generate
from solver.planner import solve
a = json.loads(sys.argv[1])
if a["kind"] == "single":
    req = generate.single_learner_request(a["size"], seed=a["seed"])
else:
    req = generate.team_request(a["size"], 200, seed=a["seed"])
opts = replace(req.options, time_limit_s=a["limit"], workers=a["workers"], explain=False)
req = replace(req, options=opts)
t = time.perf_counter()
got = solve(req)
wall = time.perf_counter() - t
print(json.dumps({"wall_s": wall, "status": got.status,
                  "closure": sum(p.closure_milli for p in got.plans),
                  "readiness": sum(p.readiness_week for p in got.plans)}))
"""


class Baseline:
    """The planner as of a git revision, unpacked into a temporary folder and run in a child."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self._dir = tempfile.TemporaryDirectory(prefix="bench-baseline-")
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref, "solver"],
            check=True,
            capture_output=True,  # run from the repository, like `make bench`
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(self._dir.name, filter="data")

    def run(self, case: Case, seed: int, workers: int) -> dict[str, Any]:
        """Solve one seed of a case with the old planner; its wall time is measured in the child."""
        args = {
            "kind": case.kind,
            "size": case.size,
            "seed": seed,
            "limit": case.time_limit_s,
            "workers": workers,
        }
        env = dict(os.environ, PYTHONPATH=self._dir.name)
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(args)],
            check=True,
            capture_output=True,
            text=True,
            cwd=self._dir.name,  # `solver` resolves to the unpacked revision first
            env=env,
        ).stdout
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result


def run_case(case: Case, workers: int, baseline: Baseline | None = None) -> dict[str, object]:
    """Solve every seed of a case; collect medians and ratios (and the baseline's, if given)."""
    walls, greedy_walls, ratios, saved, gaps, statuses = [], [], [], [], [], []
    old_walls, old_statuses, old_closure, old_ready = [], [], [], []
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
        if baseline is not None:
            old = baseline.run(case, seed, workers)
            old_walls.append(float(old["wall_s"]))
            old_statuses.append(str(old["status"]))
            old_closure.append(int(old["closure"]) - c_s)
            old_ready.append(int(old["readiness"]) - r_s)
    row: dict[str, object] = {
        "case": case.name,
        "limit_s": case.time_limit_s,
        "wall_s": statistics.median(walls),
        "max_s": max(walls),
        "vs_greedy_time": statistics.median(walls) / max(1e-6, statistics.median(greedy_walls)),
        "status": _statuses(statuses),
        "closure_vs_greedy": statistics.mean(ratios),
        "weeks_saved": statistics.mean(saved),
        "gap_to_bound_pct": max(gaps),
    }
    if baseline is not None:
        row["old_wall_s"] = statistics.median(old_walls)
        row["speedup"] = statistics.median(old_walls) / max(1e-6, statistics.median(walls))
        row["old_status"] = _statuses(old_statuses)
        # Positive: the old planner closed more (or was ready later, for readiness).
        row["old_minus_new"] = f"closure {sum(old_closure):+d}, weeks {sum(old_ready):+d}"
    return row


def _statuses(statuses: list[str]) -> str:
    return ",".join(sorted(set(statuses))) + f" ({statuses.count('optimal')}/{len(statuses)} opt)"


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer seeds and cases")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers (1 = deterministic)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument(
        "--compare", metavar="REF", help="also time the planner at git revision REF"
    )
    args = parser.parse_args()
    baseline = Baseline(args.compare) if args.compare else None
    head = (
        f"{'case':32} {'limit':>6} {'median s':>9} {'max s':>7} {'x greedy t':>10} "
        f"{'closure/greedy':>14} {'weeks saved':>11} {'gap %':>6}  status"
    )
    print(f"workers={args.workers}" + (f", baseline {args.compare}" if args.compare else ""))
    print(head)
    print("-" * len(head))
    for case in (c for c in cases(args.quick) if args.only in c.name):
        r = run_case(case, args.workers, baseline)
        print(
            f"{r['case']:32} {r['limit_s']:>6.0f} {r['wall_s']:>9.2f} {r['max_s']:>7.2f} "
            f"{r['vs_greedy_time']:>10.0f} {r['closure_vs_greedy']:>14.3f} "
            f"{r['weeks_saved']:>11.1f} {r['gap_to_bound_pct']:>6.2f}  {r['status']}",
            flush=True,
        )
        if baseline is not None:
            print(
                f"{'  vs ' + args.compare:32} {'':>6} {r['old_wall_s']:>9.2f} "
                f"{'speedup x' + format(r['speedup'], '.2f'):>18}  old {r['old_status']}; "
                f"old - new: {r['old_minus_new']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
