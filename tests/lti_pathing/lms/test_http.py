"""The shared HTTP wrapper: retries, Retry-After, throttling, typed errors, no token in logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import requests
import responses

from lti_pathing.lms.errors import (
    LmsMalformedResponse,
    LmsServerError,
    LmsThrottled,
    LmsTimeout,
)
from lti_pathing.lms.http import LmsHttp, RetryPolicy, Throttle, mask, retry_after
from tests.lti_pathing.lms.conftest import NOW, Sleeps, clock

URL = "http://127.0.0.1:8080"
TOKEN = "s3cr3t-token-value"


def client(sleeps: Sleeps, **kwargs: object) -> LmsHttp:
    return LmsHttp(
        URL, secrets=[TOKEN], sleep=sleeps, clock=clock,
        retry=RetryPolicy(attempts=3, backoff=1.0, factor=2.0, max_wait=60.0), **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_mask_removes_known_secrets_and_token_parameters() -> None:
    text = f"POST {URL}/x?wstoken=abc123&x=1 body access_token=zzz Bearer {TOKEN} {TOKEN}"
    shown = mask(text, [TOKEN])
    assert TOKEN not in shown and "abc123" not in shown and "zzz" not in shown
    assert "wstoken=***" in shown and "x=1" in shown


def test_retry_after_takes_seconds_and_http_dates() -> None:
    assert retry_after("7", NOW) == 7.0
    later = NOW + dt.timedelta(seconds=30)
    assert retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT"), NOW) == 30.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW) == 0.0  # in the past: now
    assert retry_after("soon", NOW) is None and retry_after(None, NOW) is None


@responses.activate
def test_429_waits_as_long_as_retry_after_says_then_succeeds(sleeps: Sleeps) -> None:
    responses.get(f"{URL}/a", status=429, headers={"Retry-After": "7"})
    responses.get(f"{URL}/a", json={"ok": True})
    http = client(sleeps)
    assert http.json(http.request("GET", "/a")) == {"ok": True}
    assert sleeps == [7.0]


@responses.activate
def test_429_with_an_http_date(sleeps: Sleeps) -> None:
    when = (NOW + dt.timedelta(seconds=12)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    responses.get(f"{URL}/a", status=429, headers={"Retry-After": when})
    responses.get(f"{URL}/a", json=[])
    client(sleeps).request("GET", "/a")
    assert sleeps == [12.0]


@responses.activate
def test_a_wait_longer_than_allowed_fails_at_once(sleeps: Sleeps) -> None:
    responses.get(f"{URL}/a", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(LmsThrottled, match="asked to wait 3600 s"):
        client(sleeps).request("GET", "/a")
    assert sleeps == []


@responses.activate
def test_5xx_backs_off_exponentially_then_succeeds(sleeps: Sleeps) -> None:
    responses.get(f"{URL}/a", status=502)
    responses.get(f"{URL}/a", status=503)
    responses.get(f"{URL}/a", json={"ok": 1})
    assert client(sleeps).request("GET", "/a").status_code == 200
    assert sleeps == [1.0, 2.0]


@responses.activate
def test_5xx_every_time_is_a_server_error(sleeps: Sleeps) -> None:
    for _ in range(3):
        responses.get(f"{URL}/a", status=500)
    with pytest.raises(LmsServerError, match="after 3 attempts"):
        client(sleeps).request("GET", "/a")
    assert len(responses.calls) == 3


@responses.activate
def test_timeouts_are_retried_and_reported_without_the_token(
    sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="lti_pathing.lms")
    for _ in range(3):
        responses.post(f"{URL}/ws", body=requests.ReadTimeout(f"read timeout wstoken={TOKEN}"))
    with pytest.raises(LmsTimeout) as raised:
        client(sleeps).request("POST", "/ws", data={"wstoken": TOKEN})
    assert sleeps == [1.0, 2.0]
    assert TOKEN not in raised.value.message and TOKEN not in caplog.text
    assert "retry 1" in caplog.text


@responses.activate
def test_connection_errors_are_retried(sleeps: Sleeps) -> None:
    responses.get(f"{URL}/a", body=requests.ConnectionError("refused"))
    responses.get(f"{URL}/a", json={})
    assert client(sleeps).request("GET", "/a").status_code == 200


@responses.activate
def test_low_remaining_quota_slows_the_next_call(sleeps: Sleeps) -> None:
    responses.get(f"{URL}/a", json=[], headers={"X-Rate-Limit-Remaining": "25.0"})
    responses.get(f"{URL}/b", json=[], headers={"X-Rate-Limit-Remaining": "650.0"})
    responses.get(f"{URL}/c", json=[])
    http = client(sleeps, throttle=Throttle("X-Rate-Limit-Remaining", low_water=100, pause=4))
    http.request("GET", "/a")
    assert sleeps == []
    http.request("GET", "/b")
    assert sleeps == [3.0]  # 4 s x (100 - 25) / 100, before the next call
    http.request("GET", "/c")
    assert sleeps == [3.0]


@responses.activate
def test_malformed_json_is_a_typed_error_naming_the_call(sleeps: Sleeps) -> None:
    responses.post(f"{URL}/ws", body="<html>Moodle is being upgraded</html>", status=200)
    http = client(sleeps)
    with pytest.raises(LmsMalformedResponse, match="not JSON"):
        http.json(http.request("POST", "/ws", data={"wstoken": TOKEN}))


@responses.activate
def test_a_throttle_waits_at_least_the_refill_time_unless_retry_after_says(sleeps: Sleeps) -> None:
    responses.get(f"{URL}/a", status=429)
    responses.get(f"{URL}/a", status=429, headers={"Retry-After": "2"})
    responses.get(f"{URL}/a", json=[])
    http = client(sleeps, throttle_wait=6.0)
    assert http.json(http.request("GET", "/a")) == []
    assert sleeps == [6.0, 2.0]  # not the policy's 1 s; the server's own word wins


@responses.activate
def test_a_retry_wait_counts_toward_a_low_quota_pause(sleeps: Sleeps) -> None:
    low = {"X-Rate-Limit-Remaining": "0.0"}
    responses.get(f"{URL}/a", status=429, headers=low)
    responses.get(f"{URL}/a", json=[])
    http = client(sleeps, throttle=Throttle("X-Rate-Limit-Remaining"), throttle_wait=6.0)
    http.request("GET", "/a")
    assert sleeps == [6.0]  # the 5 s pause for an empty quota already passed while waiting
