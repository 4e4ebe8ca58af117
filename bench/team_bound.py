"""How far a team's plan is from the best possible: the planner's gap against a long-run bound.

The planner's 30 s bound for a team is mostly the sum of each learner's bound planned alone, which
ignores that learners compete for mentors and seats. Given minutes instead, price and branch
(`solver.columns`) prices every competing learner in every round, and each round's prices prove a
Lagrangian bound on the team's closure. The gap of the 30 s plan to that bound says how much of
the planner's reported gap is the plan and how much the bound.

Run with `.venv/bin/python -m bench.team_bound [--learners 200] [--seeds 1,2,3] [--seconds 300]`.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from solver import generate
from solver.greedy import greedy
from solver.planner import solve
from solver.team import ideal_plans, share_contested, spare_shared


def main() -> None:
    """Print, per seed, the 30 s plan's closure, its bound and the long-run bound."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--seconds", type=float, default=300.0, help="for the long-run bound")
    parser.add_argument("--limit", type=float, default=30.0, help="the planner's time limit")
    args = parser.parse_args()
    head = f"{'seed':>4} {'closure':>9} {'30 s bound':>10} {'gap %':>6} {'long bound':>10}"
    head += f" {'gap %':>6}"
    print(head)
    print("-" * len(head))
    for seed in (int(s) for s in args.seeds.split(",")):
        request = generate.team_request(args.learners, 200, seed=seed)
        options = replace(request.options, time_limit_s=args.limit, explain=False, workers=1)
        request = replace(request, options=options)
        got = solve(request)
        closure = sum(p.closure_milli for p in got.plans) / 1000
        bound = float(str(got.stats["closure_bound"]))
        started = time.monotonic()
        hints = {p.learner: list(p.items) for p in greedy(request).plans}
        ideal = ideal_plans(request, started + args.seconds * 0.2, hints, 1.0)
        spare_shared(request, ideal, started + args.seconds * 0.3)
        share_contested(request, ideal, started + args.seconds, batch_share=1.0)
        long = min(bound, ideal.bound_milli / 1000)
        print(
            f"{seed:>4} {closure:>9.0f} {bound:>10.0f} {(bound - closure) / bound * 100:>6.2f} "
            f"{long:>10.0f} {(long - closure) / long * 100:>6.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
