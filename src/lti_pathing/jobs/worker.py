"""Celery workers' entry point: `celery -A lti_pathing.jobs.worker worker`."""

from __future__ import annotations

from lti_pathing import create_app
from lti_pathing.jobs.celery_app import make_celery

flask_app = create_app()
celery = make_celery(flask_app)
