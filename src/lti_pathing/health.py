"""`/healthz` (is the process up and its database reachable) and `/readyz` (can it serve work)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, current_app
from sqlalchemy import text

from lti_pathing import db

bp = Blueprint("health", __name__)
CHECKS = "lti_pathing.readiness"  # app.extensions key: name -> check (raises when not ready)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Answer 200 when the database answers, 503 otherwise (for load balancers)."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"; the reason goes to the log
        current_app.logger.exception("health check: database unreachable")
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """200 when database, cache and broker all answer; 503 naming the ones that do not."""
    results: dict[str, str] = {}
    for name, check in checks(current_app).items():
        try:
            results[name] = check()
        except Exception as error:  # the reason is logged; the body only names the part
            current_app.logger.warning("readiness: %s failed: %s", name, error)
            results[name] = "unavailable"
    failed = sorted(name for name, state in results.items() if state == "unavailable")
    body: dict[str, object] = {"status": "unavailable" if failed else "ok", **results}
    if failed:
        body["failed"] = failed
    return body, 503 if failed else 200


def checks(app: Flask) -> dict[str, Callable[[], str]]:
    """The app's readiness checks: database, cache and broker by default."""
    found: dict[str, Callable[[], str]] | None = app.extensions.get(CHECKS)
    if found is None:
        found = {
            "database": _database,
            "cache": lambda: _cache(app),
            "broker": lambda: _broker(app),
        }
        app.extensions[CHECKS] = found
    return found


def _database() -> str:
    db.session().execute(text("SELECT 1"))
    return "ok"


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _cache(app: Flask) -> str:
    """Redis when a cache URL is configured, else the filesystem cache in the instance folder."""
    url = app.config.get("CACHE_URL")
    if url:
        _ping_redis(url)
        return "ok"
    folder = Path(app.instance_path)
    probe = folder / ".readyz"
    probe.write_text("ok")
    probe.unlink()
    return "ok"


def _broker(app: Flask) -> str:
    """The Celery broker (Redis); 'not configured' when jobs run in-process."""
    url = app.config.get("CELERY_BROKER_URL")
    if not url:
        return "not configured"
    _ping_redis(url)
    return "ok"
