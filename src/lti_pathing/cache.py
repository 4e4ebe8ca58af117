"""The shared cache: LTI launch data, login nonces, platform key sets and service access tokens.

Every worker process must see the same entries (a launch validated by one worker is read by the
next request on another), so this is never a process dict: a file cache in the instance folder by
default (one machine), Redis when `CACHE_URL` is set. Built on first use, like the crypto ring, so
the instance folder is the one the app has when it serves, not when it was created.
"""

from __future__ import annotations

from pathlib import Path

from cachelib import BaseCache, FileSystemCache, RedisCache
from flask import Flask, current_app

EXTENSION = "lti_pathing.cache"
KEY_PREFIX = "lti-pathing:"
DEFAULT_TIMEOUT = 3600


def init_app(app: Flask) -> None:
    """Register the (lazily built) cache on the app."""
    app.extensions[EXTENSION] = None


def build(app: Flask) -> BaseCache:
    """The cache backend the app's settings ask for."""
    url = app.config.get("CACHE_URL")
    if url:
        import redis

        client = redis.Redis.from_url(url)
        return RedisCache(host=client, key_prefix=KEY_PREFIX, default_timeout=DEFAULT_TIMEOUT)
    folder = Path(app.instance_path) / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemCache(
        str(folder), threshold=10000, default_timeout=DEFAULT_TIMEOUT, mode=0o600
    )


def shared_cache(app: Flask | None = None) -> BaseCache:
    """The shared cache of `app` (default: the current app), built on first use."""
    target: Flask = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    backend: BaseCache | None = target.extensions.get(EXTENSION)
    if backend is None:
        backend = target.extensions[EXTENSION] = build(target)
    return backend
