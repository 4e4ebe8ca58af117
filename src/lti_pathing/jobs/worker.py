"""Celery workers' entry point: `celery -A lti_pathing.jobs.worker worker`."""

from __future__ import annotations

from typing import Any

from celery.signals import worker_ready

from lti_pathing import create_app
from lti_pathing.jobs.celery_app import make_celery
from lti_pathing.jobs.sweep import recover_stale_syncs

flask_app = create_app()
celery = make_celery(flask_app)


@worker_ready.connect  # type: ignore[untyped-decorator,unused-ignore]
def recover_at_start(**_: Any) -> None:
    """A worker that starts (again) fails the LMS syncs whose process died (a restart, a kill)."""
    recover_stale_syncs(flask_app)
