"""The shared cache: while Redis does not answer, a login gets a 503 that says so; cause logged.
The file cache writes one file per entry and sweeps expired ones now and then."""

from __future__ import annotations

import logging
import re
import socket
import time
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lti_pathing.cache import SWEEP_KEY, ToolFileCache
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def platform(app: Flask, session: Any, tenant: Any) -> LaunchingPlatform:
    key = PlatformKey.generate()
    register_platform(session, tenant, key)
    return LaunchingPlatform(app.test_client(), key)


def test_a_login_while_the_cache_is_down_says_the_tool_is_unavailable(
    app: Flask, platform: LaunchingPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["CACHE_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    check = platform.login_response()  # the cookie check page needs no cache
    found = re.search(r'id="lti-open-window" href="([^"]+)"', check.text)
    assert check.status_code == 200 and found, check.text
    with caplog.at_level(logging.ERROR, logger="lti_pathing.cache"):
        page = platform.client.get(unescape(found.group(1)), base_url=platform.base_url)
    assert page.status_code == 503
    assert "temporarily unavailable" in unescape(page.text)
    assert "try again in a minute" in unescape(page.text)
    assert page.headers["Retry-After"] == "30"
    assert "Traceback" not in page.text and "Connection refused" not in page.text
    logged = [r.getMessage() for r in caplog.records]
    assert any("shared cache unreachable during GET /lti/login" in m for m in logged), logged
    assert any("Connection refused" in m or "connecting to" in m for m in logged), logged


def test_the_same_login_works_with_the_file_cache(platform: LaunchingPlatform) -> None:
    assert platform.login().state  # the check above fails on the cache, not on the login


def test_the_file_cache_keeps_no_count_and_sweeps_expired_entries(tmp_path: Path) -> None:
    cache = ToolFileCache(str(tmp_path), sweep_seconds=300)
    cache.set("stays", "a", timeout=3600)
    cache.set("goes", "b", timeout=1)
    names = {p.name for p in tmp_path.iterdir()}
    # Two entries and the sweep marker; no count file rewritten on every write.
    assert len(names) == 3 and cache.get("stays") == "a"
    time.sleep(2.1)  # "goes" expires; the next sweep is due in 300 s, not now
    cache.set("another", "c")
    assert len(list(tmp_path.iterdir())) == 4
    cache._next_sweep = 0.0  # this process's period is over ...
    cache.delete(SWEEP_KEY)  # ... and so is every other process's
    cache.set("last", "d")
    assert cache.get("goes") is None  # swept: its file is gone, not just unreadable
    assert len(list(tmp_path.iterdir())) == 4  # stays, another, last, the new marker
    assert (cache.get("stays"), cache.get("another"), cache.get("last")) == ("a", "c", "d")
