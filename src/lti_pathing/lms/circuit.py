"""A circuit breaker per LMS connection: an LMS that stops answering is left alone for a while.

After `LMS_BREAKER_FAILURES` calls in a row that got no answer (the connection was refused or
timed out, or a gateway answered 502/503/504 for it), the breaker opens: syncs over that
connection skip the LMS, failing fast, for `LMS_BREAKER_COOLDOWN_MINUTES`. After that it is
half-open: the next call tries the LMS again; if it fails too, the breaker opens for another
cool-down at once (the count is still at the limit), and any answer closes it.

The state is kept on the connection row, so every process (web, in-process threads, Celery
workers) sees the same breaker and the admin's connections page shows it. A run counts failures
in memory and stores the count with its next save; opening and closing are stored at once, each
as one plain UPDATE (never bumping the row's `version`, so an admin's edit does not conflict with
a sync) in a short transaction of its own: the sync never holds a transaction while it waits for
the LMS, and writes rarely while the LMS is silent, so other writers are not kept waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lti_pathing.lms.errors import LmsUnreachable
from lti_pathing.lms.http import Clock
from lti_pathing.models import LmsConnection

log = logging.getLogger("lti_pathing.lms")
# A run skipped because the breaker is open says so with this prefix (jobs do not retry it).
SKIPPED = "skipped: "


@dataclass(frozen=True)
class BreakerPolicy:
    """When the breaker opens, and for how long."""

    failures: int = 5
    cooldown: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BreakerPolicy:
        """The policy the app's settings give."""
        return cls(
            int(config["LMS_BREAKER_FAILURES"]),
            dt.timedelta(minutes=config["LMS_BREAKER_COOLDOWN_MINUTES"]),
        )


@dataclass(frozen=True)
class BreakerState:
    """A connection's breaker as stored: failures in a row, until when it is open, why."""

    failures: int = 0
    open_until: dt.datetime | None = None
    error: str | None = None

    @classmethod
    def of(cls, connection: LmsConnection) -> BreakerState:
        """The state on a loaded connection row (pages; a sync reads it fresh: `state_of`)."""
        return cls(connection.breaker_failures or 0, connection.breaker_open_until,
                   connection.breaker_error)  # fmt: skip

    def is_open(self, now: dt.datetime) -> bool:
        """True while syncs must skip the LMS."""
        return self.open_until is not None and now < self.open_until

    def describe(self, now: dt.datetime) -> str:
        """What the admin reads about the breaker."""
        if self.is_open(now):
            assert self.open_until is not None
            return (
                f"not answering: {self.failures} calls in a row got no answer (last: "
                f"{self.error or 'unknown'}); syncs skip this LMS until "
                f"{self.open_until:%Y-%m-%d %H:%M} UTC"
            )
        if self.open_until is not None:
            return "trying again: the next call decides whether syncs pause again"
        if self.failures:
            return f"{self.failures} call(s) in a row got no answer (last: {self.error})"
        return "answering"


class Breaker:
    """The breaker of one connection, as one sync run sees and changes it."""

    def __init__(
        self,
        session: Session,
        connection: LmsConnection,
        policy: BreakerPolicy,
        clock: Clock,
    ) -> None:
        self.session = session
        self.connection_id = connection.id
        self.label = f"{connection.kind.value} {connection.base_url}"
        self.policy = policy
        self.clock = clock
        self.state = state_of(session, connection.id)  # as stored now, not as loaded earlier
        self._stored = self.state

    def refresh(self, stored: BreakerState) -> None:
        """Take an opening another process stored (read by the run's watch): fail fast too."""
        now = self.clock()
        if stored.is_open(now) and not self.state.is_open(now):
            self.state = self._stored = stored

    def check(self) -> None:
        """Fail fast while the breaker is open (LmsUnreachable)."""
        if self.state.is_open(self.clock()):
            raise LmsUnreachable(f"{self.label} is {self.state.describe(self.clock())}")

    def failure(self, error: str) -> None:
        """Count a call that got no answer; opening the breaker stores it and raises
        LmsUnreachable (the count alone is stored with the run's next save: `persist`)."""
        now = self.clock()
        failures = self.state.failures + 1
        opens = failures >= self.policy.failures and not self.state.is_open(now)
        open_until = now + self.policy.cooldown if opens else self.state.open_until
        self.state = BreakerState(failures, open_until, error[:1000])
        if opens:
            self.persist()
            self.session.commit()
            log.warning("lms breaker of %s opened: %s", self.label, self.state.describe(now))
            raise LmsUnreachable(f"{self.label} is {self.state.describe(now)}")

    def success(self) -> None:
        """The LMS answered: the breaker closes (stored at once when it was stored otherwise)."""
        if self.state == BreakerState():
            return
        was_open = self.state.open_until is not None
        self.state = BreakerState()
        if self._stored != self.state:
            self.persist()
            self.session.commit()
        if was_open:
            log.info("lms breaker of %s closed: the LMS answers again", self.label)

    def persist(self) -> None:
        """Write the state to the connection row if it changed (the caller commits): one plain
        UPDATE that leaves `version` alone, so an admin's edit never conflicts with a sync."""
        if self.state == self._stored:
            return
        self.session.execute(
            update(LmsConnection)
            .where(LmsConnection.id == self.connection_id)
            .values(
                breaker_failures=self.state.failures,
                breaker_open_until=self.state.open_until,
                breaker_error=self.state.error,
            )
            .execution_options(synchronize_session=False)
        )
        self._stored = self.state


def state_of(session: Session, connection_id: int) -> BreakerState:
    """A connection's breaker as stored now."""
    row = LmsConnection
    failures, open_until, error = session.execute(
        select(row.breaker_failures, row.breaker_open_until, row.breaker_error).where(
            row.id == connection_id
        )
    ).one()
    return BreakerState(failures or 0, open_until, error)
