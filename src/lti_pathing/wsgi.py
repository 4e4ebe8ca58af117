"""The WSGI application for gunicorn (`lti_pathing.wsgi:app`)."""

from __future__ import annotations

from lti_pathing import create_app
from lti_pathing.jobs import outbox

app = create_app()
# Without a broker, this process runs jobs: it also sends again the ones the outbox holds
# (with Celery, beat does that). Each gunicorn worker imports this module after the fork.
outbox.start_sweeper(app)
