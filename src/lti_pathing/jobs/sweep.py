"""LMS sync runs whose process died, recovered at start and every few minutes after.

A sync killed mid-run (a restart, a crash, a SIGKILLed worker) never reaches its own `finally`;
`lti_pathing.lms.recovery` knows such a run and marks it (and its job) failed with a message the
admin reads. It is called

- when the tool starts serving (`lti_pathing.wsgi`, `lti-pathing demo`) and when a Celery worker
  is ready (`lti_pathing.jobs.worker`);
- every `SWEEP_MINUTES`: by Celery beat (`lti_pathing.sweep_lms_syncs`) with a broker, or by a
  daemon thread of the serving process without one (the embedded default);
- and by every sync, for its connection, before it starts.

Without a broker the same thread also runs the daily audit-retention purge (`jobs.retention`).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from lti_pathing.db import transaction
from lti_pathing.jobs import uses_celery
from lti_pathing.jobs.retention import PURGE_HOURS, purge_all
from lti_pathing.lms.recovery import recover_stale_runs

log = logging.getLogger(__name__)
SWEEP_MINUTES = 5
SWEEPER = "lti_pathing.jobs.sync_sweeper"  # the outbox's own thread has another key


def recover_stale_syncs(app: Flask) -> int:
    """Mark every stale sync run failed; how many. A database not ready yet is only logged."""
    try:
        with transaction(app) as session:
            found = recover_stale_runs(session)
    except SQLAlchemyError as error:  # before `init-db`, or the database is down for a moment
        log.warning("could not look for stale LMS sync runs: %s", type(error).__name__)
        return 0
    if found:
        log.warning("marked %d stale LMS sync run(s) failed", len(found))
    return len(found)


def on_start(app: Flask) -> None:
    """When the tool starts serving: recover now; without a broker, keep sweeping in threads
    (stale syncs here, unsent jobs in the outbox; with a broker, Celery beat does both)."""
    from lti_pathing.jobs import outbox

    recover_stale_syncs(app)
    if not uses_celery(app):
        start_sweeper(app)
        outbox.start_sweeper(app)


def start_sweeper(app: Flask, every_s: float = SWEEP_MINUTES * 60.0) -> threading.Event:
    """Sweep every `every_s` seconds from a daemon thread (once per app); set the event to stop."""
    running = app.extensions.get(SWEEPER)
    if isinstance(running, threading.Event):
        return running
    stop = threading.Event()

    def sweep() -> None:
        purged_at = 0.0
        while not stop.wait(every_s):
            try:
                recover_stale_syncs(app)
                if time.monotonic() - purged_at >= PURGE_HOURS * 3600:  # daily, as Celery beat
                    purged_at = time.monotonic()
                    purge_all(app)
            except Exception:  # never let the sweeper die: the next round tries again
                log.exception("the LMS sync sweep or the audit purge failed")

    threading.Thread(target=sweep, name="lms-sync-sweep", daemon=True).start()
    app.extensions[SWEEPER] = stop
    return stop


def stop_sweeper(app: Flask) -> None:
    """Stop the app's sweeper thread, if it runs."""
    running = app.extensions.pop(SWEEPER, None)
    if isinstance(running, threading.Event):
        running.set()
