"""The WSGI application for gunicorn (`lti_pathing.wsgi:app`)."""

from __future__ import annotations

from lti_pathing import create_app

app = create_app()
