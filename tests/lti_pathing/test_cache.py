"""The shared cache: while Redis does not answer, a login gets a 503 that says so; cause logged."""

from __future__ import annotations

import logging
import re
import socket
from html import unescape
from typing import Any

import pytest
from flask import Flask

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
