"""`lti-pathing demo` (what `make demo` runs): database, sample organisation, tool and LMS at once.

It does what `init-db`, `seed-demo`, `run` and `devplatform` do by hand, in one process: the tool
on http://127.0.0.1:PORT+1 and the development LMS on http://localhost:PORT — two sites, as an LMS
and a tool are. The tool's cookies then live in a cross-site iframe, so the demo turns on
`SECURE_COOKIES` (`Secure; SameSite=None; Partitioned`, which Chromium-based browsers accept on
http://localhost and http://127.0.0.1, both secure contexts) for this process only; the
production default (`auto`: only over TLS) is unchanged; so does `DEV_LOOPBACK_PLATFORMS`, since
the LMS's key set and endpoints are on http://localhost. A browser that still refuses cookies in
the frame gets the tool's cookie-check page, which opens the tool in its own window. Ctrl-C (or
SIGTERM) stops both servers.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError
from werkzeug.serving import BaseWSGIServer, make_server

from lti_pathing.devplatform.cli import KEY_FILE, connect_messaging, register_with_tool
from lti_pathing.devplatform.config import demo_config, stored_private_key

LOCK_FILE = "demo.lock"


class DemoError(click.ClickException):
    """A problem a newcomer can fix, said in words with what to do."""


def port_free(port: int) -> bool:
    """True if a server could listen on 127.0.0.1:`port` now."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_pair(start: int) -> int | None:
    """The first port from `start` on that is free together with the next one."""
    for port in range(max(start, 1024), min(start + 200, 65534)):
        if port_free(port) and port_free(port + 1):
            return port
    return None


def check_ports(port: int, tool_port: int) -> None:
    """Refuse ports that are taken, suggesting a free pair."""
    taken = [p for p in (port, tool_port) if not port_free(p)]
    if not taken:
        return
    suggestion = free_pair(max(port, tool_port) + 1)
    which = (
        "ports " + " and ".join(map(str, taken)) + " are"
        if len(taken) > 1
        else (f"port {taken[0]} is")
    )
    hint = (
        f"run: make demo PORT={suggestion}  (or: lti-pathing demo --port {suggestion})"
        if suggestion
        else "pick free ports: make demo PORT=N uses N and N+1"
    )
    raise DemoError(
        f"{which} already in use (another demo, or another program). The demo needs "
        f"port PORT for the LMS and PORT+1 for the tool; {hint}"
    )


@contextmanager
def single_demo(instance: Path) -> Iterator[IO[str]]:
    """Hold the instance folder's demo lock (one demo per database); refuse if held."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / LOCK_FILE
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        other = handle.read().strip() or "another process"
        handle.close()
        raise DemoError(
            f"another demo is already running on this database ({other}). Open its URL, or "
            "stop it with Ctrl-C in its terminal, then run make demo again."
        ) from None
    try:
        yield handle
    finally:
        handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _locked(error: OperationalError) -> DemoError | None:
    if "locked" not in str(error.orig):
        return None
    return DemoError(
        "the database is locked: another lti-pathing process (a demo, a worker or a command) "
        "is writing to it. Stop it, or wait for it to finish, then run make demo again."
    )


def prepare_database(app: Flask, slug: str) -> int:
    """Create or upgrade the schema and import the sample organisation; records changed."""
    from lti_pathing import migrate
    from lti_pathing.db import database, transaction
    from lti_pathing.services.sample_org import SampleOrgService
    from lti_pathing.services.tenants import TenantService

    try:
        with database(app).engine.begin() as connection:
            migrate.upgrade(connection)
        with transaction(app) as session:
            tenant = TenantService(session).get_or_create(slug)
            report = SampleOrgService(session, tenant).load()
    except OperationalError as error:
        raise (_locked(error) or error) from None
    changed: int = report.changed
    return changed


def _serve(server: BaseWSGIServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name=f"demo-{server.port}", daemon=True)
    thread.start()
    return thread


def _stop_pools(app: Flask) -> None:
    # Queued background work stays in the outbox (the next start sends it again); a solve
    # already running ends within its time limit.
    from lti_pathing.jobs import EXECUTOR, outbox
    from lti_pathing.jobs.sweep import stop_sweeper

    outbox.stop_sweeper(app)
    pool = app.extensions.get(EXECUTOR)
    if isinstance(pool, ThreadPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
    stop_sweeper(app)


@contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM while inside (handlers restored after)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_demo(app: Flask, port: int, slug: str, verbose: bool = False) -> None:
    """Prepare the database, then serve the tool and the LMS until Ctrl-C or SIGTERM."""
    from lti_pathing.db import database
    from lti_pathing.devplatform import create_platform_app
    from lti_pathing.jobs.sweep import on_start

    tool_port = port + 1
    issuer, tool_url = f"http://localhost:{port}", f"http://127.0.0.1:{tool_port}"
    if not verbose:  # the banner, warnings and errors; not every migration, request and launch
        for name in ("werkzeug", "alembic", "lti_pathing"):
            logging.getLogger(name).setLevel(logging.WARNING)
    # The lock first: a second `make demo` is told where the first one runs, not just "port taken".
    with single_demo(Path(app.instance_path)) as lock:
        check_ports(port, tool_port)
        lock.write(f"pid {os.getpid()}, {issuer}/")
        lock.flush()
        click.echo(f"database: {database(app).engine.url.render_as_string()}")
        changed = prepare_database(app, slug)
        on_start(app)  # syncs a stopped demo left running are recovered, then swept
        click.echo(
            f"sample organisation (tenant {slug}): "
            + (f"imported, {changed} records" if changed else "already loaded")
        )
        key = stored_private_key(Path(app.instance_path) / KEY_FILE)
        config = demo_config(issuer, tool_url, private_key_pem=key)
        config.secure_cookies = True
        try:
            register_with_tool(app, config, slug)
            connect_messaging(app, issuer, config.ws_token, slug)  # notifications as LMS messages
        except OperationalError as error:
            raise (_locked(error) or error) from None
        app.config["SECURE_COOKIES"] = True  # this process only: see the module docstring
        app.config["DEV_LOOPBACK_PLATFORMS"] = (
            True  # the LMS is http://localhost, this process only
        )
        app.test_client().get("/.well-known/jwks.json")  # make the tool's key before serving
        servers = [
            make_server("127.0.0.1", tool_port, app, threaded=True),
            make_server("127.0.0.1", port, create_platform_app(config), threaded=True),
        ]
        # Signals are caught before the URL is printed: a Ctrl-C right after it stops cleanly.
        with stop_signals() as stop:
            threads = [_serve(server) for server in servers]
            click.echo(
                f"\n  lti-pathing demo: open {issuer}/\n\n"
                "  Pick a person (a learner, their manager, an L&D admin), then 'Career plan':\n"
                f"  the tool ({tool_url}) opens inside the page through a real LTI 1.3 launch.\n"
                f"  Notifications it sends arrive on the LMS's Messages page: {issuer}/messages\n"
                "  Press Ctrl-C to stop.\n"
            )
            try:
                while not stop.wait(0.5):
                    pass
            finally:
                click.echo("stopping…")
                for server in servers:
                    server.shutdown()
                    server.server_close()
                for thread in threads:
                    thread.join(timeout=5)
                _stop_pools(app)
                database(app).engine.dispose()
    click.echo("stopped")


@click.command("demo")
@with_appcontext
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1024, 65534),
    help="Port of the development LMS (the URL to open); the tool uses PORT+1.",
)  # fmt: skip
@click.option("--tenant", "slug", default=None, help="Tenant (default: DEFAULT_TENANT).")
@click.option("--verbose", is_flag=True, help="Also log migrations and every HTTP request.")
def demo(port: int, slug: str | None, verbose: bool) -> None:
    """Set up the sample organisation and run the tool and the development LMS until Ctrl-C."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        run_demo(app, port, slug or app.config["DEFAULT_TENANT"], verbose)
    except KeyboardInterrupt:  # Ctrl-C while the database is being prepared
        raise click.Abort() from None
