"""A plan as an iCalendar file (RFC 5545): one all-day event per planned activity.

Built with the `icalendar` library, which escapes every TEXT value (a lone CR too) and folds
long lines; only http(s) links go into URL, as calendar apps open them on a click.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from lti_pathing.models import ItemStatus, Plan, PlanItem
from lti_pathing.services.text_rules import not_a_web_link

PRODID = "-//lti-pathing//development plan//EN"


def week_date(plan: Plan, week: int) -> dt.date:
    """The calendar date that week `week` of the plan starts on."""
    start = plan.starts_on or plan.created_at.date()
    return start + dt.timedelta(weeks=week)


def day_in_words(day: dt.date) -> str:
    """A date as people write it: "3 May 2027" (never an ISO date or a week number)."""
    return f"{day.day} {day.strftime('%B %Y')}"


def web_link(url: str | None) -> str | None:
    """`url` when it is a web link by the catalog's rule (stored data may predate it)."""
    return url if url and not_a_web_link(url) is None else None


def plan_to_ics(plan: Plan, host: str, stamp: dt.datetime) -> str:
    """The plan's items (not dropped ones) as VEVENTs; stable UIDs so re-imports update them."""
    target = plan.target_role.title if plan.target_role is not None else "development"
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Plan towards {target}")
    for item in plan.items:
        if item.status != ItemStatus.dropped:
            calendar.add_component(_event(plan, item, host, stamp.astimezone(dt.UTC)))
    ics: str = calendar.to_ical().decode()
    return ics


def _event(plan: Plan, item: PlanItem, host: str, stamp: dt.datetime) -> Event:
    activity = item.activity
    event = Event()
    event.add("uid", f"plan-{plan.id}-item-{item.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", week_date(plan, item.start_week))
    event.add("dtend", week_date(plan, item.end_week))
    event.add("summary", f"{activity.title} ({activity.kind.value.replace('_', ' ')})")
    event.add(
        "description",
        f"{activity.hours_per_week} h/week for {activity.duration_weeks} week(s). "
        f"Status: {item.status.value.replace('_', ' ')}.",
    )
    event.add("transp", "TRANSPARENT")
    link = web_link(activity.url)
    if link is not None:
        event.add("url", link)
    return event
