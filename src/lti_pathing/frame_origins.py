"""Which origins may frame the tool (CSP `frame-ancestors`), kept in the shared cache.

Every HTML response names them, so reading them costs a lookup in the shared cache instead of
two queries (and a second transaction: the headers go on after the request's commit). Entries are
per tenant (or for nobody signed in) under a generation token; any committed change to a
platform registration or an LMS connection replaces the token, so every process reads fresh
origins at its next page. A reader that raced the change wrote its entry under the old token,
which nobody reads again; `TTL_SECONDS` bounds everything else.

Pages other than LTI's never needed Redis: when it does not answer, this process reads the
origins from the database for `OUTAGE_SECONDS` before asking Redis again, so an outage costs one
bounded wait per process and period, not one per page.
"""

from __future__ import annotations

import logging
import time
import uuid
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import redis
from cachelib import BaseCache
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_pathing.cache import shared_cache
from lti_pathing.db import APP_INFO
from lti_pathing.models import LmsConnection, PlatformRegistration

log = logging.getLogger(__name__)

GENERATION_KEY = "frame-origins-generation"
ENTRY_PREFIX = "frame-origins:"
TTL_SECONDS = 300
OUTAGE_SECONDS = 30
_cache_down_until = [0.0]  # this process's: when to ask an unanswering Redis again
_STALE = "lti_pathing.frame_origins_stale"
# Instructure-hosted Canvas frames tools from each school's own domain, which no registration
# names (they all share the canvas.instructure.com issuers).
CANVAS_CLOUD_ANCESTOR = "https://*.instructure.com"
WATCHED = (PlatformRegistration, LmsConnection)


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def origins_from_database(session: Session, tenant_id: int | None) -> list[str]:
    """The active registrations' issuer and login URL, and active LMS connections' addresses."""
    registrations = select(PlatformRegistration.issuer, PlatformRegistration.auth_login_url).where(
        PlatformRegistration.active.is_(True)
    )
    connections = select(LmsConnection.base_url).where(LmsConnection.active.is_(True))
    if tenant_id is not None:
        registrations = registrations.where(PlatformRegistration.tenant_id == tenant_id)
        connections = connections.where(LmsConnection.tenant_id == tenant_id)
    urls = [url for row in session.execute(registrations) for url in row]
    urls += list(session.scalars(connections))
    origins = {origin for origin in map(_origin, urls) if origin}
    if any(o.endswith(".instructure.com") for o in origins):
        origins.add(CANVAS_CLOUD_ANCESTOR)
    return sorted(origins)


def frame_origins(session: Session, tenant_id: int | None) -> list[str]:
    """The origins that may frame the tool for this tenant (all tenants' for nobody)."""
    if time.monotonic() < _cache_down_until[0]:
        return origins_from_database(session, tenant_id)
    cache = shared_cache()
    try:
        key = _entry_key(cache, tenant_id)
        cached = cache.get(key)
    except redis.exceptions.RedisError as error:  # the page may be the cache-outage page
        log.warning("frame-ancestors: shared cache unreadable (%s); read from the database", error)
        _cache_down_until[0] = time.monotonic() + OUTAGE_SECONDS
        return origins_from_database(session, tenant_id)
    if isinstance(cached, list):
        return [str(origin) for origin in cached]
    origins = origins_from_database(session, tenant_id)
    with suppress(redis.exceptions.RedisError):  # it answered a moment ago: next page retries
        cache.set(key, origins, timeout=TTL_SECONDS)
    return origins


def _entry_key(cache: BaseCache, tenant_id: int | None) -> str:
    generation = cache.get(GENERATION_KEY)
    if not isinstance(generation, str):
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=0)
        generation = cache.get(GENERATION_KEY)
    scope = "anyone" if tenant_id is None else str(tenant_id)
    return f"{ENTRY_PREFIX}{generation}:{scope}"


def invalidate(app: Flask) -> None:
    """Forget every cached origin list (a registration or connection changed)."""
    try:
        shared_cache(app).set(GENERATION_KEY, uuid.uuid4().hex, timeout=0)
    except redis.exceptions.RedisError as error:
        log.error("frame-ancestors: could not invalidate (%s); stale for %d s", error, TTL_SECONDS)


def _note_changes(session: Session, flush_context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, WATCHED) for row in changed):
        session.info[_STALE] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(_STALE, False):
        return
    app = session.info.get(APP_INFO)
    if app is None and has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app is not None:
        invalidate(app)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_STALE, None)


def init_app(app: Flask) -> None:
    """Invalidate cached origins whenever a commit changed a registration or a connection."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
