"""HTTP latency of the learner plan page on gunicorn, idle and while an organisation re-plan runs.

    .venv/bin/python -m bench.http_load [--users 50] [--seconds 20] [--workers 3] [--plans 8]

A throw-away instance (SQLite, the sample organisation) is served by `lti-pathing serve`
(gunicorn). `--plans` learners get a generated plan first, so their page draws a timeline. Then
`--users` concurrent clients, each signed in as a different learner, load `/me/plan` in a loop:
first with nothing else running (the baseline), then while `lti-pathing replan` re-plans the whole
organisation in another process on the same machine. It prints p50/p95/max latency and requests
per second for both phases, and their ratios. Sessions are the tool's own signed cookies (what an
LTI launch would set), made with the instance's secret key.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from sqlalchemy import select

from lti_pathing import create_app
from lti_pathing.auth import SESSION_KEY, Actor
from lti_pathing.db import transaction
from lti_pathing.models import Person, Tenant

T = TypeVar("T")

SECRET = "bench-http-load-" * 3
CLI = str(Path(sys.executable).parent / "lti-pathing")


@dataclass
class Phase:
    """Latencies of one load phase."""

    name: str
    seconds: float
    latencies: list[float]
    errors: int

    def row(self, baseline: Phase | None) -> str:
        """One line of the result table."""
        lat = sorted(self.latencies) or [0.0]
        p50, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
        rps = len(self.latencies) / self.seconds
        ratio = ""
        if baseline is not None and baseline.latencies:
            base = sorted(baseline.latencies)
            ratio = (
                f"   p50 x{p50 / statistics.median(base):.2f}"
                f"  p95 x{p95 / base[int(0.95 * (len(base) - 1))]:.2f}"
                f"  req/s x{rps / (len(base) / baseline.seconds):.2f}"
            )
        return (
            f"{self.name:<28} {len(self.latencies):>6} {rps:>7.1f} {p50 * 1000:>8.0f}"
            f" {p95 * 1000:>8.0f} {lat[-1] * 1000:>8.0f} {self.errors:>6}{ratio}"
        )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(env: dict[str, str], plans: int) -> list[dict[str, object]]:
    """Create the database, load the sample organisation, plan a few learners; their actors."""
    for command in (["init-db"], ["seed-demo"]):
        subprocess.run([CLI, *command], env=env, check=True, capture_output=True)
    os.environ.update(env)
    app = create_app()
    from lti_pathing.services.planning import Limits, PlanningService, PlanSettings

    with app.app_context(), transaction(app) as session:
        tenant = session.scalars(select(Tenant)).one()
        people = session.scalars(
            select(Person)
            .where(Person.tenant_id == tenant.id, Person.target_role_id.is_not(None))
            .order_by(Person.id)
        ).all()
        service = PlanningService(session, tenant, limits=Limits.from_config(app.config))
        for person in people[:plans]:
            service.generate(person.id, PlanSettings.from_json({}), person.id, None, None)
        actors = [
            Actor(tenant.id, p.id, p.name, frozenset({"learner"})).to_session() for p in people
        ]
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return [{"cookie": serializer.dumps({SESSION_KEY: actor})} for actor in actors]


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[str]:
    """`lti-pathing serve` on a free port until the block ends."""
    log = open(Path(env["BENCH_DIR"]) / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [CLI, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if requests.get(url + "/healthz", timeout=5).ok:
                    break
            except requests.RequestException:  # not listening yet, or still importing
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start; see gunicorn.log")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def run_phase(clients: Sequence[T], seconds: float, name: str, work: Callable[[T], Any]) -> Phase:
    """Every client calls `work(client)` in a loop for `seconds`; latencies of the successes."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def user(client: T) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                ok = bool(work(client))
            except requests.RequestException:
                ok = False
            took = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=user, args=(client,)) for client in clients]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Phase(name, time.perf_counter() - began, latencies, errors[0])


def load(
    url: str, cookies: list[dict[str, object]], users: int, seconds: float, name: str
) -> Phase:
    """`users` clients loading /me/plan in a loop for `seconds`."""
    sessions = []
    for index in range(users):
        http = requests.Session()
        http.cookies.set("session", str(cookies[index % len(cookies)]["cookie"]))
        sessions.append(http)
    return run_phase(
        sessions,
        seconds,
        name,
        lambda http: http.get(url + "/me/plan", timeout=60).status_code == 200,
    )


def main() -> None:
    """Run both phases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--plans", type=int, default=8, help="learners given a plan first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lti-pathing-bench-") as folder:
        env = {
            **os.environ,
            "BENCH_DIR": folder,
            "LTI_PATHING_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "LTI_PATHING_SECRET_KEY": SECRET,
            "LTI_PATHING_ENCRYPTION_KEYS": "",
            "LTI_PATHING_LOG_JSON": "false",
            "LTI_PATHING_QUICK_TIME_LIMIT_S": "2",
            "LTI_PATHING_SOLVER_TIME_LIMIT_S": "5",
        }
        env = {k: v for k, v in env.items() if k != "LTI_PATHING_ENCRYPTION_KEYS"}
        print(f"preparing: sample organisation, {args.plans} plans ...", flush=True)
        cookies = prepare(env, args.plans)
        with gunicorn(env, free_port(), args.workers) as url:
            load(url, cookies, 4, 2, "warm-up")
            idle = load(url, cookies, args.users, args.seconds, "idle")
            replan = subprocess.Popen(
                [CLI, "replan"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(2)  # the re-plan is solving by now
            busy = load(url, cookies, args.users, args.seconds, "while re-planning")
            replan.terminate()
            replan.wait(timeout=30)
    print(
        f"\nlearner plan page, {args.users} users, gunicorn x{args.workers}, "
        f"{os.cpu_count()} CPUs\n"
        f"{'phase':<28} {'reqs':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f" {'errors':>6}"
    )
    print(idle.row(None))
    print(busy.row(idle))


if __name__ == "__main__":
    main()
