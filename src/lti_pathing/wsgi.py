"""The WSGI application for gunicorn (`lti_pathing.wsgi:app`)."""

from __future__ import annotations

from lti_pathing import create_app
from lti_pathing.jobs.sweep import on_start

app = create_app()
# LMS syncs a previous process left running are recovered; without a broker this process also
# sweeps (stale syncs, jobs the outbox holds). Each gunicorn worker imports this after the fork.
on_start(app)
