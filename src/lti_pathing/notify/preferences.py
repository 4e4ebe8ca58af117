"""Who wants what: each person's channels, digest and quiet hours over the tenant's defaults.

A person's row overrides the tenant's default row field by field; a field left empty (NULL) in
both takes the tool's default (`TOOL_DEFAULTS`: e-mail and LMS messages, at once, no quiet hours,
UTC). Saving checks every field first and writes nothing when one is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from lti_pathing.errors import Invalid
from lti_pathing.models import Channel, Notification, NotificationPreference
from lti_pathing.notify.timing import Timing
from lti_pathing.services.base import TenantService
from lti_pathing.services.checkins import _zone_error

FIELDS = ("email", "lms", "digest", "quiet_from", "quiet_to", "time_zone")
CHOICES = {"": None, "on": True, "off": False}
DELIVERY = {"": None, "immediate": False, "digest": True}
MAX_URL = 500


@dataclass(frozen=True)
class Effective:
    """A person's choices once defaults are applied."""

    channels: tuple[Channel, ...]
    timing: Timing
    launch_url: str | None


TOOL_DEFAULTS: Mapping[str, object] = {
    "email": True, "lms": True, "digest": False, "quiet_from": None, "quiet_to": None,
    "time_zone": "UTC",
}  # fmt: skip


class PreferenceService(TenantService):
    """Read and save notification preferences of the tenant's people and its defaults."""

    def row(self, person_id: int | None) -> NotificationPreference | None:
        """The person's row (None: the tenant's defaults row), if stored."""
        stmt = self.scoped(NotificationPreference).where(
            NotificationPreference.person_id.is_(None)
            if person_id is None
            else NotificationPreference.person_id == person_id
        )
        return self.session.scalars(stmt.order_by(NotificationPreference.id)).first()

    def _row_for(self, person_id: int | None) -> NotificationPreference:
        found = self.row(person_id)
        if found is None:
            found = NotificationPreference(tenant_id=self.tenant.id, person_id=person_id)
            self.session.add(found)
        return found

    def defaults(self) -> dict[str, object]:
        """The tenant's defaults, the tool's where the tenant set none."""
        row = self.row(None)
        return {f: _or(getattr(row, f, None), TOOL_DEFAULTS[f]) for f in FIELDS}

    def effective(self, person_id: int) -> Effective:
        """What applies to the person now."""
        base, own = self.defaults(), self.row(person_id)
        value = {f: _or(getattr(own, f, None), base[f]) for f in FIELDS}
        channels = tuple(c for c in Channel if value[c.value])
        quiet = (value["quiet_from"], value["quiet_to"])
        if own is not None and (own.quiet_from is not None or own.quiet_to is not None):
            quiet = (own.quiet_from, own.quiet_to)  # the person's hours replace the tenant's
        timing = Timing(bool(value["digest"]), *quiet, zone=str(value["time_zone"]))  # type: ignore[arg-type]
        return Effective(channels, timing, own.launch_url if own is not None else None)

    def save(self, person_id: int | None, form: Mapping[str, str]) -> NotificationPreference:
        """Store the person's (None: the tenant's) choices from a form; Invalid lists errors."""
        values = parse(form)
        row = self._row_for(person_id)
        for name, value in values.items():
            setattr(row, name, value)
        self.flush()
        return row

    def remember_launch(self, person_id: int, url: str | None) -> None:
        """Note where the person last launched from in their LMS (messages link back there)."""
        if not url or len(url) > MAX_URL or not url.startswith(("https://", "http://")):
            return
        row = self._row_for(person_id)
        if row.launch_url != url:
            row.launch_url = url


def parse(form: Mapping[str, str]) -> dict[str, object]:
    """The preference fields of a posted form, or Invalid naming each wrong one."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name, table in (("email", CHOICES), ("lms", CHOICES), ("digest", DELIVERY)):
        raw = form.get(name, "").strip()
        if raw not in table:
            errors[name] = [f"choose one of: {', '.join(k or 'default' for k in table)}"]
        values[name] = table.get(raw)
    for name in ("quiet_from", "quiet_to"):
        values[name] = _time(form.get(name, ""), name, errors)
    if (values["quiet_from"] is None) != (values["quiet_to"] is None) and not errors.keys() & {
        "quiet_from",
        "quiet_to",
    }:
        errors["quiet_to"] = ["give both the start and the end of the quiet hours, or neither"]
    zone = form.get("time_zone", "").strip()
    problem = _zone_error(zone) if zone else None
    if problem:
        errors["time_zone"] = [problem]
    values["time_zone"] = zone or None
    if errors:
        raise Invalid("check the notification settings", errors)
    return values


def _time(raw: str, name: str, errors: dict[str, list[str]]) -> dt.time | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        errors[name] = ["use the form HH:MM, such as 22:00"]
        return None


def _or(value: object, fallback: object) -> object:
    return fallback if value is None else value


class NotificationListService(TenantService):
    """A person's own notifications, what each was about and how each delivery went."""

    def of_person(self, person_id: int, limit: int = 100) -> list[Notification]:
        """Their newest notifications first, each with its deliveries."""
        stmt = (
            self.scoped(Notification)
            .where(Notification.person_id == person_id)
            .options(selectinload(Notification.deliveries))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
