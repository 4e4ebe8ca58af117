"""Plan calendars carry no smuggled properties and only web links, whatever the catalog holds."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.services.calendar import plan_to_ics, web_link
from tests.lti_pathing.services.journeys_org import Org, build_org

NOW = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    return build_org(session, tenant)


def only_event(ics: str) -> Calendar:
    """The one VEVENT of a calendar, parsed back as a calendar app would."""
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.mark.parametrize("breaker", ["\r", "\n", "\r\n"])
def test_a_line_break_in_a_title_does_not_start_a_property(org: Org, breaker: str) -> None:
    org.course.title = f"JS Essentials{breaker}X-INJECTED:1"
    ics = plan_to_ics(org.plan, "tool.example.com", NOW)
    assert "\r\nX-INJECTED" not in ics and "\rX-INJECTED" not in ics
    assert "\r" not in ics.replace("\r\n", "")  # every CR ends a content line
    event = only_event(ics)
    assert "X-INJECTED" not in event
    assert str(event["SUMMARY"]) == "JS Essentials\nX-INJECTED:1 (course)"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>",
     "JavaScript:alert(1)", "ftp://files.example.com/x", "//example.com/x",
     "https://example.com/a\r\nX-INJECTED:1"],
)  # fmt: skip
def test_only_web_links_go_into_url(org: Org, url: str) -> None:
    org.course.url = url
    event = only_event(plan_to_ics(org.plan, "tool.example.com", NOW))
    assert "URL" not in event and "X-INJECTED" not in event


def test_a_web_link_is_kept(org: Org) -> None:
    org.course.url = "https://learn.example.com/course/view.php?id=7&x=1"
    event = only_event(plan_to_ics(org.plan, "tool.example.com", NOW))
    assert str(event["URL"]) == "https://learn.example.com/course/view.php?id=7&x=1"
    assert web_link("HTTP://example.com") == "HTTP://example.com"
