"""When a delivery is due: at once, after the person's quiet hours, or at their daily digest.

Pure functions of the person's effective choices and a UTC instant, in the person's time zone
(daylight saving is the zone database's: a quiet night that spans a change ends at its local time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DIGEST_HOUR = dt.time(8, 0)  # local time the daily digest goes out (then quiet hours apply)


@dataclass(frozen=True)
class Timing:
    """What decides when a person is told: digest or not, quiet hours, their zone."""

    digest: bool = False
    quiet_from: dt.time | None = None
    quiet_to: dt.time | None = None
    zone: str = "UTC"

    def quiet_at(self, local: dt.datetime) -> bool:
        """True when `local` (a wall-clock time in the zone) falls in the quiet hours."""
        start, end = self.quiet_from, self.quiet_to
        if start is None or end is None or start == end:
            return False
        now = local.time().replace(tzinfo=None)
        return start <= now < end if start < end else now >= start or now < end

    def after_quiet(self, when: dt.datetime) -> dt.datetime:
        """`when` (UTC), or the end of the quiet hours it falls in."""
        zone = ZoneInfo(self.zone)
        local = when.astimezone(zone)
        if not self.quiet_at(local) or self.quiet_to is None:
            return when
        end = dt.datetime.combine(local.date(), self.quiet_to, zone)
        if end <= local:
            end = dt.datetime.combine(local.date() + dt.timedelta(days=1), self.quiet_to, zone)
        return end.astimezone(dt.UTC)

    def next_digest(self, when: dt.datetime) -> dt.datetime:
        """The next daily digest time after `when` (UTC), moved past quiet hours."""
        zone = ZoneInfo(self.zone)
        local = when.astimezone(zone)
        at = dt.datetime.combine(local.date(), DIGEST_HOUR, zone)
        if at <= local:
            at = dt.datetime.combine(local.date() + dt.timedelta(days=1), DIGEST_HOUR, zone)
        return self.after_quiet(at.astimezone(dt.UTC))

    def due(self, now: dt.datetime) -> dt.datetime:
        """When something that happens at `now` goes out."""
        return self.next_digest(now) if self.digest else self.after_quiet(now)
