"""gunicorn settings `lti-pathing serve` loads (`--config python:lti_pathing.gunicorn_conf`).

gunicorn writes `Server: gunicorn` on every response and has no setting to leave it out; the
header only tells a prober which server to aim at, so each worker drops it as it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PATCHED = "_lti_pathing_no_server_header"


def without_server_header(
    default_headers: Callable[[Any], list[str]],
) -> Callable[[Any], list[str]]:
    """gunicorn's status line and default headers, minus `Server:`."""

    def headers(response: Any) -> list[str]:
        return [h for h in default_headers(response) if not h.lower().startswith("server:")]

    setattr(headers, PATCHED, True)
    return headers


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: this worker sends no `Server` header."""
    from gunicorn.http import wsgi

    if not getattr(wsgi.Response.default_headers, PATCHED, False):
        wsgi.Response.default_headers = without_server_header(wsgi.Response.default_headers)
