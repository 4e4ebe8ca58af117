"""Term-start launch storm: LTI launches and the plan page on gunicorn, against a baseline revision.

    .venv/bin/python -m bench.launch_load [--users 50,200] [--seconds 15] [--rounds 2]
        [--baseline main] [--workers 2] [--threads 2] [--cache-url redis://...]

Two copies of the tool are served side by side by `lti-pathing serve` (gunicorn), each with its
own copy of one SQLite database (the sample organisation, a few learners planned) and its own
instance folder: the working tree's code, and the code of git revision `--baseline` (exported
with `git archive`). The development LMS (`lti_pathing.devplatform`) runs in a child process on
http://localhost, with one client per tool copy and the sample organisation's people as its
users (Moodle flavour: the `sub` is the person's Moodle user id).

A *launch* is what a learner's browser does when they open the tool from a course: the LMS's
launch link, the tool's OIDC login (state cookie, nonce), the LMS's authorization endpoint (a
signed id_token, auto-posted), the tool's launch (signature against the LMS key set, which the
tool fetched once and caches; nonce, state, deployment), then the landing page. A *page* is the
learner's plan page, loaded in a loop by users signed in through a launch. Every user loads
with no pause between requests (a closed loop), so latency is about users / throughput.

Rounds alternate baseline and working tree, so load from other programs on the machine falls on
both alike; the table gives each phase's totals over the rounds and the working tree's ratios
against the baseline measured in the same run. Absolute numbers depend on what else runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from bench.http_load import Phase, free_port, run_phase

SECRET = "bench-launch-load-" * 3
ENCRYPTION_KEY = "mVjNnGbd0zX8o7Q1Z0f4n2mC9S7r6n9bQKkqf3xS0aQ="
TENANT = "default"
REPO = Path(__file__).resolve().parent.parent
PLATFORM_FLAG = "--serve-platform"
# `lti-pathing` of whichever copy PYTHONPATH names (the venv's script would import its own).
CLI = (sys.executable, "-c", "from lti_pathing.cli import main; main()")


@dataclass
class Tool:
    """One copy of the tool: its code, its instance folder and database, its LMS client."""

    name: str
    src: Path
    client_id: str
    port: int = field(default_factory=free_port)
    pid: int = 0  # gunicorn's master (`serve` execs it)

    @property
    def url(self) -> str:
        """Where it answers."""
        return f"http://127.0.0.1:{self.port}"

    def env(self, folder: Path, cache_url: str | None) -> dict[str, str]:
        """The environment its processes run with."""
        env = {
            **os.environ,
            "PYTHONPATH": f"{self.src / 'src'}:{self.src}",
            "LTI_PATHING_DATABASE_URL": f"sqlite:///{folder / self.name}.sqlite3",
            "LTI_PATHING_SECRET_KEY": SECRET,
            "LTI_PATHING_ENCRYPTION_KEYS": ENCRYPTION_KEY,
            "LTI_PATHING_LOG_JSON": "false",
            "LTI_PATHING_LTI_COOKIE_CHECK": "false",  # a page with a script: no browser here
            "LTI_PATHING_DEV_LOOPBACK_PLATFORMS": "true",  # the LMS is on http://localhost
            "LTI_PATHING_QUICK_TIME_LIMIT_S": "2",
            "LTI_PATHING_SOLVER_TIME_LIMIT_S": "5",
        }
        env.pop("LTI_PATHING_CACHE_URL", None)
        if cache_url:
            env["LTI_PATHING_CACHE_URL"] = cache_url
        return env


def export_source(ref: str | None, into: Path) -> Path:
    """`src` and `solver` of git revision `ref` (None: the working tree) copied into `into`."""
    into.mkdir(parents=True)
    for tree in ("src", "solver"):
        if ref is None:
            skip = shutil.ignore_patterns("__pycache__", "instance")
            shutil.copytree(REPO / tree, into / tree, ignore=skip)
            continue
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref, tree], cwd=REPO, check=True,
            capture_output=True,
        ).stdout  # fmt: skip
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
    return into


def prepare(tool: Tool, env: dict[str, str], plans: int) -> dict[str, Any]:
    """Create the database with the tool's own code; the people the LMS will launch."""
    for command in (["init-db"], ["seed-demo"]):
        subprocess.run([*CLI, *command], env=env, check=True, capture_output=True)
    script = PREPARE.replace("PLANS", str(plans))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    people: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return people


# Run by the tool's own code: plan some learners, list the people with a Moodle user id.
PREPARE = """
import json
from sqlalchemy import select
from lti_pathing import create_app
from lti_pathing.db import transaction
from lti_pathing.models import LmsIdentity, Lms, Person, Tenant
from lti_pathing.services.planning import Limits, PlanningService, PlanSettings

app = create_app()
with app.app_context(), transaction(app) as session:
    tenant = session.scalars(select(Tenant)).one()
    rows = session.execute(
        select(Person.id, Person.name, LmsIdentity.lms_user_id, Person.target_role_id)
        .join(LmsIdentity, LmsIdentity.person_id == Person.id)
        .where(Person.tenant_id == tenant.id, LmsIdentity.lms == Lms.moodle,
               LmsIdentity.lms_user_id.is_not(None), Person.active.is_(True))
        .order_by(Person.id)
    ).all()
    service = PlanningService(session, tenant, limits=Limits.from_config(app.config))
    planned = [r for r in rows if r.target_role_id is not None][:PLANS]
    for r in planned:
        service.generate(r.id, PlanSettings.from_json({}), r.id, None, None)
    print(json.dumps({"people": [[r.lms_user_id, r.name] for r in rows],
                      "planned": [r.lms_user_id for r in planned]}))
"""


def serve_platform(argv: list[str]) -> None:
    """Child process: the development LMS with one client per tool copy, until killed."""
    # Imported here: only this child process imports the tool's code (PYTHONPATH names it).
    from werkzeug.serving import make_server

    from lti_pathing.devplatform import create_platform_app
    from lti_pathing.devplatform.config import (
        ROLE_SETS,
        Client,
        PlatformConfig,
        PlatformPerson,
        ToolUrls,
    )

    spec = json.loads(Path(argv[0]).read_text())
    roles = ROLE_SETS["moodle"]["student"]
    people = [PlatformPerson(sub, name, None, roles) for sub, name in spec["people"]]
    clients = [Client(c, "bench-deployment", ToolUrls.for_base(url)) for c, url in spec["tools"]]
    config = PlatformConfig(
        spec["issuer"], clients, people, private_key_pem=spec["key"],
        product_family_code="moodle",
    )  # fmt: skip
    server = make_server("127.0.0.1", spec["port"], create_platform_app(config), threaded=True)
    server.serve_forever()


REGISTER = """
import json, sys
from lti_pathing import create_app
from lti_pathing.devplatform.cli import register_with_tool
from lti_pathing.devplatform.config import Client, PlatformConfig, ToolUrls
spec = json.loads(open(sys.argv[1]).read())
clients = [Client(c, "bench-deployment", ToolUrls.for_base(url)) for c, url in spec["tools"]]
config = PlatformConfig(spec["issuer"], clients, [], private_key_pem=spec["key"],
                        product_family_code="moodle")
register_with_tool(create_app(), config, "TENANT")
""".replace("TENANT", TENANT)


@contextmanager
def process(argv: list[str], env: dict[str, str], log: Path, ready: str) -> Iterator[int]:
    """A child process, up once `ready` answers (its pid), terminated when the block ends."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                try:
                    if requests.get(ready, timeout=5).status_code < 500:
                        break
                except requests.RequestException:  # not listening yet
                    time.sleep(0.2)
                if proc.poll() is not None:
                    raise SystemExit(f"{argv[:4]} stopped; see {log}")
            else:
                raise SystemExit(f"{ready} did not answer; see {log}")
            yield proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def cpu_seconds(master: int) -> float:
    """CPU time used so far by a gunicorn master and its workers (user + system), Linux only.

    CPU time per request hardly depends on what else runs on the machine, unlike latency:
    it is the benchmark's steadiest measure of what a request costs the tool.
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(entry.name) == master or int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Learner:
    """One browser: signed in at the LMS as `sub`, launching the tool from the course link.

    Redirects are followed by hand so the time spent waiting on the tool (login, launch,
    landing page) is told apart from the time spent on the LMS (its launch link, its
    authorization endpoint), which runs on the same machine.
    """

    FORM = re.compile(r'<form[^>]*action="([^"]*)"')
    FIELD = re.compile(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"')

    def __init__(self, platform: str, sub: str, link: str) -> None:
        self.http = requests.Session()
        self.platform, self.link, self.sub = platform, link, sub
        self.tool_seconds: list[float] = []  # per launch: the tool's share of its latency

    def sign_in(self) -> Learner:
        """Sign in at the LMS (once per browser)."""
        self.http.get(f"{self.platform}/as/{self.sub}", timeout=60).raise_for_status()
        return self

    def _get(self, url: str) -> tuple[requests.Response, float]:
        started = time.perf_counter()
        answer = self.http.get(url, timeout=60, allow_redirects=False)
        return answer, time.perf_counter() - started

    def launch(self) -> bool:
        """Open the tool from the course; True when the landing page came back."""
        link, _ = self._get(f"{self.platform}/launch/{self.link}")
        login, tool = self._get(link.headers.get("Location", ""))
        page, _ = self._get(login.headers.get("Location", ""))
        action = self.FORM.search(page.text)
        if page.status_code != 200 or action is None:
            return False
        fields = {unescape(k): unescape(v) for k, v in self.FIELD.findall(page.text)}
        started = time.perf_counter()
        posted = self.http.post(
            unescape(action.group(1)), data=fields, timeout=60, allow_redirects=False
        )
        tool += time.perf_counter() - started
        location = posted.headers.get("Location", "")
        landing, took = self._get(urljoin(posted.url, location))
        self.tool_seconds.append(tool + took)
        return landing.status_code == 200 and "/me/plan" in landing.text

    def plan_page(self, tool: str) -> bool:
        """Load the plan page; True when it came back."""
        return self.http.get(f"{tool}/me/plan", timeout=60).status_code == 200


def merged(phases: list[Phase]) -> Phase:
    """One phase from several rounds of it."""
    return Phase(
        phases[0].name,
        sum(p.seconds for p in phases),
        [lat for p in phases for lat in p.latencies],
        sum(p.errors for p in phases),
    )


def learners_for(platform: str, link: str, subs: list[str], users: int) -> list[Learner]:
    """`users` browsers signed in at the LMS, spread over `subs`."""
    crowd = [Learner(platform, subs[i % len(subs)], link) for i in range(users)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(Learner.sign_in, crowd))
    return crowd


def main() -> None:
    """Prepare both copies, serve them, run the rounds, print the table."""
    if len(sys.argv) > 1 and sys.argv[1] == PLATFORM_FLAG:
        serve_platform(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50,200", help="concurrent users, comma-separated")
    parser.add_argument("--seconds", type=float, default=15, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--plans", type=int, default=8, help="learners given a plan first")
    parser.add_argument("--cache-url", default=None, help="Redis URL (default: file cache)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept: logs, databases)")
    args = parser.parse_args()
    user_counts = [int(u) for u in args.users.split(",")]
    with ExitStack() as stack:
        if args.keep:
            folder = Path(args.keep)
            folder.mkdir(parents=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lti-launch-")))
        tools = [
            Tool("baseline", export_source(args.baseline, folder / "baseline"), "bench-baseline"),
            Tool("current", export_source(None, folder / "current"), "bench-current"),
        ]
        envs = {t.name: t.env(folder, args.cache_url) for t in tools}
        print(f"preparing: sample organisation, {args.plans} plans ...", flush=True)
        spec = prepare(tools[1], envs["current"], args.plans)
        for tool in tools[:1]:  # the same data for both; the schema is the same
            shutil.copy(folder / "current.sqlite3", folder / f"{tool.name}.sqlite3")
        # Imported here: any copy's key maker will do, and the module needs no app.
        from lti_pathing.devplatform.config import generate_private_key

        port = free_port()
        platform = f"http://localhost:{port}"
        spec_file = folder / "platform.json"
        spec_file.write_text(json.dumps({
            "issuer": platform, "port": port, "key": generate_private_key(),
            "people": spec["people"], "tools": [[t.client_id, t.url] for t in tools],
        }))  # fmt: skip
        for tool in tools:
            script = [sys.executable, "-c", REGISTER, str(spec_file)]
            subprocess.run(script, env=envs[tool.name], check=True, capture_output=True)
        stack.enter_context(process(
            [sys.executable, "-m", "bench.launch_load", PLATFORM_FLAG, str(spec_file)],
            {**os.environ, "PYTHONPATH": f"{tools[1].src / 'src'}:{REPO}"}, folder / "platform.log",
            platform + "/",
        ))  # fmt: skip
        for tool in tools:
            tool.pid = stack.enter_context(process(
                [*CLI, "serve", "--bind", f"127.0.0.1:{tool.port}", "--workers", str(args.workers),
                 "--threads", str(args.threads)],
                envs[tool.name], folder / f"{tool.name}.log", tool.url + "/healthz",
            ))  # fmt: skip
        links = {c: f"link-{i + 1}" for i, c in enumerate(t.client_id for t in tools)}
        subs = [sub for sub, _ in spec["people"]]
        results: dict[tuple[str, int, str], list[Phase]] = {}
        shares: dict[tuple[str, int, str], list[float]] = {}
        cpu: dict[tuple[str, int, str], list[float]] = {}
        for users in user_counts:
            for round_no in range(args.rounds):
                for tool in tools:
                    link = links[tool.client_id]
                    print(f"users {users}, round {round_no + 1}, {tool.name} ...", flush=True)
                    crowd = learners_for(platform, link, subs, users)
                    run_phase(crowd[:4], 2, "warm-up", Learner.launch)
                    key = (tool.name, users, "launch")
                    for learner in crowd:
                        learner.tool_seconds.clear()
                    used = cpu_seconds(tool.pid)
                    phase = run_phase(crowd, args.seconds, "launch", Learner.launch)
                    cpu.setdefault(key, []).append(cpu_seconds(tool.pid) - used)
                    results.setdefault(key, []).append(phase)
                    shares.setdefault(key, []).extend(t for c in crowd for t in c.tool_seconds)
                    planned = learners_for(platform, link, spec["planned"], users)
                    with ThreadPoolExecutor(8) as pool:  # signed in to the tool by a launch
                        assert all(pool.map(Learner.launch, planned)), "a launch failed"
                    key = (tool.name, users, "plan")
                    used = cpu_seconds(tool.pid)
                    phase = run_phase(
                        planned, args.seconds, "plan page",
                        lambda learner, url=tool.url: learner.plan_page(url),
                    )  # fmt: skip
                    cpu.setdefault(key, []).append(cpu_seconds(tool.pid) - used)
                    results.setdefault(key, []).append(phase)
        report(results, shares, tools, user_counts, args)
        report_cpu(results, cpu, tools, user_counts, args.workers)


def report(
    results: dict[tuple[str, int, str], list[Phase]],
    shares: dict[tuple[str, int, str], list[float]],
    tools: list[Tool],
    user_counts: list[int],
    args: argparse.Namespace,
) -> None:
    """The table: per user count and kind, baseline then the working tree with its ratios."""
    print(
        f"\nlaunch = LMS link -> OIDC login -> id_token -> launch -> landing page; "
        f"gunicorn {args.workers} workers x {args.threads} threads, {os.cpu_count()} CPUs, "
        f"{'Redis' if args.cache_url else 'file'} cache, {args.rounds} rounds x "
        f"{args.seconds:.0f} s, baseline {args.baseline}\n"
        f"{'phase':<28} {'done':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f" {'errors':>6}"
    )
    for users in user_counts:
        for kind in ("launch", "plan"):
            base = merged(results[(tools[0].name, users, kind)])
            new = merged(results[(tools[1].name, users, kind)])
            label = "launches" if kind == "launch" else "plan pages"
            base.name = f"{label}, {users} users, base"
            new.name = f"{label}, {users} users, now"
            print(base.row(None))
            print(new.row(base).replace("req/s", "per s"))
    print("\nthe tool's share of a launch (login + launch + landing page; the rest is the LMS)")
    for users in user_counts:
        base = sorted(shares[(tools[0].name, users, "launch")]) or [0.0]
        new = sorted(shares[(tools[1].name, users, "launch")]) or [0.0]
        p50 = statistics.median(new) / statistics.median(base)
        p95 = new[int(0.95 * (len(new) - 1))] / base[int(0.95 * (len(base) - 1))]
        print(
            f"{users} users: base p50 {statistics.median(base) * 1000:.0f} ms, now "
            f"{statistics.median(new) * 1000:.0f} ms (x{p50:.2f}); p95 x{p95:.2f}"
        )


def report_cpu(
    results: dict[tuple[str, int, str], list[Phase]],
    cpu: dict[tuple[str, int, str], list[float]],
    tools: list[Tool],
    user_counts: list[int],
    workers: int,
) -> None:
    """CPU milliseconds the tool spent per launch and per page, and what that allows."""
    cores = min(workers, os.cpu_count() or 1)
    print(
        f"\ntool CPU per launch / page (gunicorn master + workers); capacity: what {cores} "
        "cores would serve, had the tool them to itself"
    )
    for users in user_counts:
        for kind in ("launch", "plan"):
            per = []
            for tool in tools:
                done = sum(len(p.latencies) + p.errors for p in results[(tool.name, users, kind)])
                per.append(sum(cpu[(tool.name, users, kind)]) / max(done, 1))
            print(
                f"{kind:<7} {users:>4} users: base {per[0] * 1000:6.1f} ms, now "
                f"{per[1] * 1000:6.1f} ms (x{per[0] / per[1]:.2f} per request); capacity "
                f"{cores / per[0]:6.1f} -> {cores / per[1]:6.1f} per s"
            )


if __name__ == "__main__":
    main()
