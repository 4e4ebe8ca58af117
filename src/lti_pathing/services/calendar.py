"""Calendar files (RFC 5545): a plan's activities, and a check-in as an invitation.

Built with the `icalendar` library, which escapes every TEXT value (a lone CR too) and folds
long lines; only http(s) links go into URL, as calendar apps open them on a click.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from icalendar import Calendar, Event, vCalAddress, vText

from lti_pathing.models import CheckIn, ItemStatus, Person, Plan, PlanItem
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


def checkin_to_ics(check_in: CheckIn, host: str, stamp: dt.datetime) -> str:
    """A check-in as one event with both people, the manager organising; the same file for both.

    The UID stays the same and SEQUENCE follows the record's version, so a calendar that imported
    an earlier copy moves the event when the check-in is rescheduled. Without a time of day the
    event is an all-day one; with one, it is in the check-in's time zone (with its VTIMEZONE).
    """
    person, manager = check_in.person, check_in.manager
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", f"check-in-{check_in.id}@{host}")
    event.add("sequence", max(0, check_in.version - 1))
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    who = f"{manager.name} and {person.name}" if manager is not None else person.name
    event.add("summary", f"Development check-in: {who}")
    event.add("description", _checkin_description(check_in))
    start, end = checkin_times(check_in)
    event.add("dtstart", start)
    event.add("dtend", end)
    if manager is not None and manager.email:
        event.add("organizer", _address(manager, organizer=True))
    for attendee in (manager, person):
        if attendee is not None and attendee.email:
            event.add("attendee", _address(attendee), encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ics: str = calendar.to_ical().decode()
    return ics


def checkin_times(check_in: CheckIn) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """Start and end: the day (and the next) for an all-day check-in, else zoned date-times."""
    if check_in.starts_at is None:
        return check_in.scheduled_on, check_in.scheduled_on + dt.timedelta(days=1)
    zone = zoneinfo.ZoneInfo(check_in.time_zone or "UTC")
    start = dt.datetime.combine(check_in.scheduled_on, check_in.starts_at, zone)
    return start, start + dt.timedelta(minutes=check_in.duration_minutes or 30)


def _address(person: Person, organizer: bool = False) -> vCalAddress:
    """A person (with an e-mail address) as ORGANIZER or ATTENDEE: address and name."""
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    if not organizer:
        address.params["role"] = vText("REQ-PARTICIPANT")
    return address


def _checkin_description(check_in: CheckIn) -> str:
    target = check_in.person.target_role
    about = f" towards {target.title}" if target is not None else ""
    return (
        f"Quarterly development check-in about {check_in.person.name}'s plan{about}: "
        "progress since the last one, what is next, and anything in the way. "
        "Both of you can open the plan in lti-pathing from your LMS."
    )
