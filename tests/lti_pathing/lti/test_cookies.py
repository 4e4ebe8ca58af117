"""Cookies in the LMS iframe: Secure; SameSite=None; Partitioned over TLS, plain on http://localhost."""

from __future__ import annotations

import logging
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask, session
from sqlalchemy import Connection

from lti_pathing import create_app
from lti_pathing.cache import KEY_PREFIX, shared_cache
from lti_pathing.db import database
from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey
from tests.lti_pathing.lti.test_launch import actor_of


def _set_cookies(response: Any) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_a_launch_over_tls_sets_iframe_cookies(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    platform = LaunchingPlatform(app.test_client(), platform_key, base_url="https://localhost")
    first = platform.login_response(lti1p3_new_window="1")
    login_cookies = _set_cookies(first)
    assert login_cookies and all(
        "Secure" in c and "SameSite=None" in c and "Partitioned" in c for c in login_cookies
    )
    response = platform.launch()
    assert response.status_code == 302, response.text
    (session_cookie,) = [c for c in _set_cookies(response) if c.startswith("session=")]
    for flag in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert flag in session_cookie
    assert actor_of(platform) is not None


def test_a_launch_over_plain_http_keeps_ordinary_cookies(platform: LaunchingPlatform) -> None:
    response = platform.launch()
    (session_cookie,) = [c for c in _set_cookies(response) if c.startswith("session=")]
    assert "Secure" not in session_cookie and "Partitioned" not in session_cookie
    assert "SameSite=Lax" in session_cookie


def _proxied_app(connection: Connection, database_url: str, tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "p" * 32,
                      "PROXY_COUNT": 1})  # fmt: skip
    app.instance_path = str(tmp_path)
    database(app).sessions.configure(bind=connection, join_transaction_mode="create_savepoint")

    @app.get("/touch")
    def touch() -> str:
        session["x"] = 1
        return "ok"

    return app


def test_behind_a_trusted_proxy_the_forwarded_scheme_decides(
    connection: Connection, database_url: str, tmp_path: Path
) -> None:
    client = _proxied_app(connection, database_url, tmp_path).test_client()
    secure = client.get("/touch", headers={"X-Forwarded-Proto": "https"})
    assert (
        "Secure" in secure.headers["Set-Cookie"] and "Partitioned" in secure.headers["Set-Cookie"]
    )
    plain = client.get("/touch")
    assert "Secure" not in plain.headers["Set-Cookie"]


@pytest.mark.integration
def test_launch_data_and_nonces_live_in_redis_when_configured(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    url = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    app.config["CACHE_URL"] = url  # database 15: the test's own; emptied below
    prefix = KEY_PREFIX
    try:
        platform = LaunchingPlatform(app.test_client(), platform_key)
        assert platform.launch().status_code == 302
        actor = actor_of(platform)
        assert actor is not None
        with app.app_context():
            assert type(shared_cache()).__name__ == "RedisCache"
            assert shared_cache().get(actor["launch"]["launch_id"]) is not None
        assert client.keys(prefix + "*")
    finally:
        for key in client.keys(prefix + "*"):
            client.delete(key)


def test_over_plain_http_the_cookie_check_names_the_tools_setup_not_the_browser(
    platform: LaunchingPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        page = platform.login_response()
    text = unescape(page.text)
    assert page.status_code == 200
    assert "not set up to work inside this page" in text and "over plain http" in text
    assert "not from your browser" in text and "blocks cookies" not in text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "LTI_PATHING_PROXY_COUNT" in logged and "over plain http" in logged


def test_over_tls_the_cookie_check_blames_only_the_browser(
    app: Flask, registration: Any, platform_key: PlatformKey
) -> None:
    platform = LaunchingPlatform(app.test_client(), platform_key, base_url="https://localhost")
    text = unescape(platform.login_response().text)
    assert "Your browser blocks cookies in this frame" in text
    assert "not set up to work" not in text


def test_the_cookie_check_runs_no_inline_script(platform: LaunchingPlatform) -> None:
    text = platform.login_response().text
    assert "<script>" not in text and 'src="/static/js/cookie_check.js"' in text
    script = platform.client.get("/static/js/cookie_check.js")
    script.close()
    assert script.status_code == 200
