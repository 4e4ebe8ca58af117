"""One HTTP session wrapper for every LMS call: timeouts, retries with backoff, typed errors.

Retried: connection errors and timeouts, 429, 5xx, and whatever `is_throttled` says is a
throttle (Canvas answers 403 "Rate Limit Exceeded"). The wait before retry n is
`backoff * factor**(n-1)`, or the server's `Retry-After` (seconds or an HTTP date) when it sends
one; a throttle without `Retry-After` (Canvas never sends one) waits at least `throttle_wait`, the
time the LMS's quota needs to refill for one more call. A server asking for longer than
`max_wait` is not waited for (the call fails now and the next sync retries). When a response
carries a remaining-quota header below `low_water`, the next call is delayed in proportion, so a
long sync slows down instead of being throttled.

A sync run puts a `CallGuard` (lti_pathing.lms.guard) around every attempt: it may refuse the
call (deadline passed, connection deactivated, circuit breaker open), cuts timeouts and waits to
the run's deadline, and learns whether the LMS answered. A call that could not connect, timed
out, or got 502/503/504 from a gateway got no answer from the LMS; any other response did.

Tokens never reach a log line or an error message: `mask` removes the known secrets and any
`wstoken=` / `access_token=` value from what is written.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests
import urllib3

from lti_pathing.columns import utcnow
from lti_pathing.lms.errors import (
    LmsError,
    LmsMalformedResponse,
    LmsServerError,
    LmsThrottled,
    LmsTimeout,
)

log = logging.getLogger("lti_pathing.lms")

Sleep = Callable[[float], None]
Clock = Callable[[], dt.datetime]
GATEWAY_ERRORS = frozenset({502, 503, 504})  # a proxy answered: the LMS behind it did not
SECRET_PARAMS = re.compile(r"((?:ws)?token|access_token|password)=([^&\s\"']+)", re.IGNORECASE)
BEARER = re.compile(r"(Bearer\s+)[^\s\"']+", re.IGNORECASE)


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret and every token-looking parameter value replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = SECRET_PARAMS.sub(r"\1=***", text)
    return BEARER.sub(r"\1***", text)


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), if valid."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class CallGuard(Protocol):
    """What a sync run checks around each attempt (lti_pathing.lms.guard.SyncGuard)."""

    def before_call(self) -> None:
        """Raise (an LmsConnectionBroken) when no call may be made now."""

    def timeout(self, wanted: tuple[float, float]) -> tuple[float, float]:
        """The (connect, read) timeouts to use instead of `wanted`."""
        ...

    def wait(self, seconds: float) -> float:
        """How long to wait instead of `seconds` before a retry."""
        ...

    def after_call(self, answered: bool, failure: LmsError | None) -> None:
        """Whether the LMS answered the attempt (and its failure, if any)."""


def never_sent(error: requests.ConnectionError) -> bool:
    """True when the connection was never made (refused, no route, no such host): the LMS
    cannot have received the request. A connection reset later may have delivered it."""
    cause = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def unsent(failure: LmsError) -> bool:
    """True when the failed request certainly never reached the LMS (safe to send again)."""
    return isinstance(failure.errors, dict) and failure.errors.get("unsent") is True


def answered(failure: LmsError | None) -> bool:
    """True when the LMS itself answered an attempt (even with an error status)."""
    if isinstance(failure, LmsTimeout):
        return False
    status = failure.errors.get("status") if failure and isinstance(failure.errors, dict) else None
    return status not in GATEWAY_ERRORS


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; the defaults suit a background sync."""

    attempts: int = 4
    backoff: float = 1.0
    factor: float = 2.0
    max_wait: float = 120.0

    def wait(self, attempt: int) -> float:
        """Backoff before retry number `attempt` (1-based), capped at `max_wait`."""
        return float(min(self.max_wait, self.backoff * self.factor ** (attempt - 1)))


@dataclass(frozen=True)
class Throttle:
    """Slow down when the LMS reports little quota left (Canvas `X-Rate-Limit-Remaining`)."""

    header: str
    low_water: float = 100.0
    pause: float = 5.0

    def delay(self, headers: Mapping[str, str]) -> float:
        """How long to pause before the next call, given the last response's headers."""
        raw = headers.get(self.header)
        try:
            remaining = float(raw) if raw is not None else None
        except ValueError:
            return 0.0
        if remaining is None or remaining >= self.low_water:
            return 0.0
        return self.pause * (self.low_water - max(remaining, 0.0)) / self.low_water


class LmsHttp:
    """A `requests.Session` bound to one LMS, with the retry, throttle and masking rules."""

    def __init__(
        self,
        base_url: str,
        *,
        secrets: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        retry: RetryPolicy | None = None,
        throttle: Throttle | None = None,
        is_throttled: Callable[[requests.Response], bool] | None = None,
        throttle_wait: float = 0.0,
        sleep: Sleep = time.sleep,
        clock: Clock = utcnow,
        session: requests.Session | None = None,
        guard: CallGuard | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.guard = guard
        self.secrets = [s for s in secrets if s]
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.throttle = throttle
        self.is_throttled = is_throttled or (lambda response: False)
        self.throttle_wait = throttle_wait
        self.sleep = sleep
        self.clock = clock
        self.session = session or requests.Session()
        self.session.headers.update(headers or {})
        self._pause = 0.0

    def close(self) -> None:
        """Close the connections this wrapper holds open."""
        self.session.close()

    def url(self, path: str) -> str:
        """An absolute URL: `path` as is when absolute (pagination links), else under base_url."""
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def mask(self, text: str) -> str:
        """`text` safe to log or show: this connection's secrets removed."""
        return mask(text, self.secrets)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request with retries: the first response not retried, or a typed error."""
        url = self.url(path)
        shown = self.mask(f"{method} {url}")
        failure: LmsError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            if self._pause > 0:
                self.sleep(self._wait(self._pause))
                self._pause = 0.0
            if self.guard is not None:
                self.guard.before_call()
            response, failure, wait = self._attempt(method, url, shown, attempt, kwargs)
            if self.guard is not None:
                self.guard.after_call(answered(failure), failure)
            if response is not None:
                return response
            if attempt == self.retry.attempts:
                break
            assert failure is not None
            if wait > self.retry.max_wait:
                raise type(failure)(
                    f"{failure.message}; the LMS asked to wait {wait:.0f} s, longer than "
                    f"{self.retry.max_wait:.0f} s — try again later"
                )
            log.warning("%s: %s; retry %d in %.1f s", shown, failure.message, attempt, wait)
            self.sleep(self._wait(wait))
            self._pause = max(0.0, self._pause - wait)  # that wait refilled the quota too
        assert failure is not None
        # The last failure's details stay (its status; whether the request was never sent).
        raise type(failure)(
            f"{failure.message} (after {self.retry.attempts} attempts)", failure.errors
        )

    def _attempt(
        self, method: str, url: str, shown: str, attempt: int, kwargs: dict[str, Any]
    ) -> tuple[requests.Response | None, LmsError | None, float]:
        """One try: (response, None, 0) when usable, else (None, error, wait before retry)."""
        timeout = self.guard.timeout(self.timeout) if self.guard is not None else self.timeout
        try:
            response = self.session.request(method, url, timeout=timeout, **kwargs)
        except requests.ConnectTimeout:  # before `Timeout`: it is one, and nothing was sent
            gone = LmsTimeout(f"{shown} could not connect (timed out)", {"unsent": True})
            return None, gone, self.retry.wait(attempt)
        except requests.Timeout:
            return None, LmsTimeout(f"{shown} timed out"), self.retry.wait(attempt)
        except requests.ConnectionError as error:
            reason = self.mask(type(error).__name__)
            unsent = {"unsent": True} if never_sent(error) else None
            return (
                None,
                LmsTimeout(f"{shown} could not connect ({reason})", unsent),
                self.retry.wait(attempt),
            )
        except requests.RequestException as error:
            raise LmsError(f"{shown} failed: {self.mask(str(error))}") from None
        log.info("%s -> %d", shown, response.status_code)
        if self.throttle is not None:
            self._pause = self.throttle.delay(response.headers)
        status = response.status_code
        if status == 429 or self.is_throttled(response):
            throttled = LmsThrottled(f"{shown} was throttled ({status})")
            return None, throttled, self._retry_wait(response, attempt, self.throttle_wait)
        if status >= 500:
            failed = LmsServerError(f"{shown} failed with {status}", {"status": status})
            return None, failed, self._retry_wait(response, attempt)
        return response, None, 0.0

    def _wait(self, seconds: float) -> float:
        """A wait as the guard allows it (never past the run's deadline)."""
        return self.guard.wait(seconds) if self.guard is not None else seconds

    def _retry_wait(self, response: requests.Response, attempt: int, least: float = 0.0) -> float:
        asked = retry_after(response.headers.get("Retry-After"), self.clock())
        return asked if asked is not None else max(least, self.retry.wait(attempt))

    def json(self, response: requests.Response) -> Any:
        """The response body as JSON, or LmsMalformedResponse naming the call (never the token)."""
        try:
            return response.json()
        except ValueError:
            shown = self.mask(f"{response.request.method} {response.url}")
            snippet = self.mask(response.text[:80])
            raise LmsMalformedResponse(
                f"{shown} answered {response.status_code} with a body that is not JSON: {snippet!r}"
            ) from None
