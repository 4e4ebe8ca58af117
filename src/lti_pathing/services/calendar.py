"""A plan as an iCalendar file (RFC 5545): one all-day event per planned activity."""

from __future__ import annotations

import datetime as dt

from lti_pathing.models import ItemStatus, Plan

PRODID = "-//lti-pathing//development plan//EN"


def _escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, continuation lines starting with a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    while raw:
        limit = 75 if not parts else 74
        cut = min(limit, len(raw))
        while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
    return "\r\n ".join(parts)


def week_date(plan: Plan, week: int) -> dt.date:
    """The calendar date that week `week` of the plan starts on."""
    start = plan.starts_on or plan.created_at.date()
    return start + dt.timedelta(weeks=week)


def plan_to_ics(plan: Plan, host: str, stamp: dt.datetime) -> str:
    """The plan's items (not dropped ones) as VEVENTs; stable UIDs so re-imports update them."""
    target = plan.target_role.title if plan.target_role is not None else "development"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(f'Plan towards {target}')}",
    ]
    dtstamp = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for item in plan.items:
        if item.status == ItemStatus.dropped:
            continue
        activity = item.activity
        summary = f"{activity.title} ({activity.kind.value.replace('_', ' ')})"
        description = (
            f"{activity.hours_per_week} h/week for {activity.duration_weeks} week(s). "
            f"Status: {item.status.value.replace('_', ' ')}."
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:plan-{plan.id}-item-{item.id}@{host}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{week_date(plan, item.start_week):%Y%m%d}",
            f"DTEND;VALUE=DATE:{week_date(plan, item.end_week):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(description)}",
            "TRANSP:TRANSPARENT",
        ]
        if activity.url:
            lines.append("URL:" + "".join(activity.url.split()))  # no line breaks smuggled in
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
