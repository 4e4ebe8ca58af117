"""What a sync run checks around every LMS call: its deadline, its connection, the breaker.

A run over an LMS that hangs must not hang with it. `SyncGuard` sits in `LmsHttp` (every
attempt of every call goes through it) and:

- stops the run at its deadline (`LMS_SYNC_DEADLINE_MINUTES`): no call waits past it, no retry
  sleeps past it, and the next call raises `LmsSyncStopped`;
- every few seconds asks the run's `watch` whether to go on: the watch (the sync's) re-reads the
  connection in a short transaction of its own, notes the run's heartbeat, and says stop when an
  admin deactivated the connection;
- tells the connection's circuit breaker whether the LMS answered (`lti_pathing.lms.circuit`),
  and refuses calls while it is open (`LmsUnreachable`).

Both errors are `LmsConnectionBroken`: sources hand them back with what was fetched before, and
the run stops cleanly after storing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context

from lti_pathing.lms.circuit import Breaker, BreakerPolicy
from lti_pathing.lms.errors import LmsError, LmsSyncStopped

Watch = Callable[[], str | None]  # a reason to stop now, or None
MIN_TIMEOUT = 0.5  # seconds: a call so close to the deadline still gets a chance to answer


@dataclass(frozen=True)
class SyncLimits:
    """How long a run may take, how long one call may wait, and when the breaker opens."""

    deadline_s: float = 3600.0
    timeout_s: float = 30.0
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)
    watch_every_s: float = 5.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SyncLimits:
        """The limits the app's settings give."""
        return cls(
            deadline_s=60.0 * config["LMS_SYNC_DEADLINE_MINUTES"],
            timeout_s=float(config["LMS_TIMEOUT_S"]),
            breaker=BreakerPolicy.from_config(config),
        )

    @classmethod
    def current(cls) -> SyncLimits:
        """The current app's limits (the defaults outside an app)."""
        return cls.from_config(current_app.config) if has_app_context() else cls()

    def timeouts(self) -> tuple[float, float]:
        """(connect, read) timeouts of one call."""
        return min(5.0, self.timeout_s), self.timeout_s


class SyncGuard:
    """The deadline, the watch and the breaker of one run (see the module docstring)."""

    def __init__(
        self,
        limits: SyncLimits,
        breaker: Breaker,
        watch: Watch,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.breaker = breaker
        self.watch = watch
        self.monotonic = monotonic
        self.until = monotonic() + limits.deadline_s
        self._watched = monotonic()

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(0.0, self.until - self.monotonic())

    def stop_reason(self, force: bool = False) -> str | None:
        """Why the run must stop now, if it must: the deadline, or what the watch says."""
        if self.remaining() <= 0:
            minutes = self.limits.deadline_s / 60
            return f"the run reached its deadline ({minutes:g} min, LMS_SYNC_DEADLINE_MINUTES)"
        if force or self.monotonic() - self._watched >= self.limits.watch_every_s:
            self._watched = self.monotonic()
            return self.watch()
        return None

    def before_call(self) -> None:
        """Raise LmsSyncStopped or LmsUnreachable when this call must not be made."""
        reason = self.stop_reason()
        if reason is not None:
            raise LmsSyncStopped(f"stopped: {reason}")
        self.breaker.check()

    def timeout(self, wanted: tuple[float, float]) -> tuple[float, float]:
        """The call's (connect, read) timeouts, cut so that it ends by the deadline."""
        left = max(MIN_TIMEOUT, self.remaining())
        return min(wanted[0], left), min(wanted[1], left)

    def wait(self, seconds: float) -> float:
        """How long to wait before a retry: never past the deadline."""
        return min(seconds, self.remaining())

    def after_call(self, answered: bool, failure: LmsError | None) -> None:
        """Tell the breaker how the call went (opening it raises LmsUnreachable)."""
        if answered:
            self.breaker.success()
        elif failure is not None:
            self.breaker.failure(failure.message)
