"""`/healthz`: is the process up and can it reach its database."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from lti_pathing import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Answer 200 when the database answers, 503 otherwise (for load balancers)."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"; the reason goes to the log
        current_app.logger.exception("health check: database unreachable")
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
