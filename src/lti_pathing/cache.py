"""The shared cache: LTI launch data, login nonces, platform key sets and service access tokens.

Every worker process must see the same entries (a launch validated by one worker is read by the
next request on another), so this is never a process dict: a file cache in the instance folder by
default (one machine), Redis when `CACHE_URL` is set. Built on first use, like the crypto ring, so
the instance folder is the one the app has when it serves, not when it was created.

The file cache keeps no file count: cachelib's count is one more file read and written on every
write (racy across processes), and past its threshold every write scans the whole folder, which a
term-start launch storm reaches within the hour. Expired entries are swept instead, at most once
per `SWEEP_SECONDS` across processes.

Without the cache no launch can be checked: while Redis cannot be reached, a request that needs it
answers 503 with a page saying the tool is unavailable for a moment, and the cause is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

import redis
from cachelib import BaseCache, FileSystemCache, RedisCache
from flask import Flask, Response, current_app, request

from lti_pathing.error_responses import render_error
from lti_pathing.errors import TEMPORARILY_UNAVAILABLE, Unavailable

log = logging.getLogger(__name__)
EXTENSION = "lti_pathing.cache"
KEY_PREFIX = "lti-pathing:"
DEFAULT_TIMEOUT = 3600
SWEEP_SECONDS = 300
SWEEP_KEY = "file-cache-swept"


class ToolFileCache(FileSystemCache):
    """A file cache with no per-write file count; expired entries swept now and then."""

    def __init__(self, folder: str, sweep_seconds: int = SWEEP_SECONDS) -> None:
        super().__init__(folder, threshold=0, default_timeout=DEFAULT_TIMEOUT, mode=0o600)
        self.sweep_seconds = sweep_seconds
        self._next_sweep = 0.0

    def set(
        self,
        key: str,
        value: Any,
        timeout: int | dt.timedelta | None = None,
        mgmt_element: bool = False,
    ) -> bool:
        """Store `value`; sweep expired entries first when a sweep is due."""
        self._sweep_if_due()
        return bool(super().set(key, value, timeout, mgmt_element))

    def _sweep_if_due(self) -> None:
        now = time.time()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.sweep_seconds
        # One process sweeps per period (the marker says another one just did).
        if not self.has(SWEEP_KEY):
            super().set(SWEEP_KEY, True, timeout=self.sweep_seconds)
            self._remove_expired(now)


def init_app(app: Flask) -> None:
    """Register the (lazily built) cache on the app, and what a cache outage looks like."""
    app.extensions[EXTENSION] = None
    app.register_error_handler(redis.exceptions.ConnectionError, _unreachable)
    app.register_error_handler(redis.exceptions.TimeoutError, _unreachable)


def _unreachable(error: redis.exceptions.RedisError) -> Response | tuple[str, int, dict[str, str]]:
    """A Redis the request needed did not answer: 503, the cause in the log (not on the page)."""
    log.error("shared cache unreachable during %s %s: %s", request.method, request.path, error)
    return render_error(Unavailable(TEMPORARILY_UNAVAILABLE))


def build(app: Flask) -> BaseCache:
    """The cache backend the app's settings ask for."""
    url = app.config.get("CACHE_URL")
    if url:
        # Bounded waits: an unreachable Redis costs a request SERVICE_TIMEOUT_S, then a 503.
        timeout = app.config["SERVICE_TIMEOUT_S"]
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=5 * timeout + 5
        )
        return RedisCache(host=client, key_prefix=KEY_PREFIX, default_timeout=DEFAULT_TIMEOUT)
    folder = Path(app.instance_path) / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    return ToolFileCache(str(folder))


def shared_cache(app: Flask | None = None) -> BaseCache:
    """The shared cache of `app` (default: the current app), built on first use."""
    target: Flask = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    backend: BaseCache | None = target.extensions.get(EXTENSION)
    if backend is None:
        backend = target.extensions[EXTENSION] = build(target)
    return backend
