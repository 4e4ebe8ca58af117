"""Check-in pages: a date and time, the invitation for both people, next steps kept true."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import CheckIn, Person, Plan
from tests.lti_pathing.web.journeys_fixtures import post

AISHA, KENJI, OUTSIDER = "E1011", "E1029", "E1015"
Client = Callable[..., FlaskClient]
WHEN = "14:30\u201315:15 (Europe/Berlin)"  # from 14:30 to 15:15, with an en dash
NEXT_MONTH = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def _schedule(boss: FlaskClient, kenji: Person, **form: str) -> FlaskClient:
    page = f"/team/people/{kenji.id}"
    answer = post(boss, f"{page}/checkins", form, page)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    return boss


def test_a_check_in_at_a_time_gives_both_people_the_same_invitation(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    form = {"starts_at": "14:30", "duration_minutes": "45", "time_zone": "Europe/Berlin"}
    boss = _schedule(client_as(person(AISHA), "manager"), kenji, scheduled_on=NEXT_MONTH, **form)
    made = db.scalars(select(CheckIn).where(CheckIn.person_id == kenji.id)).one()
    page = boss.get(f"/team/people/{kenji.id}").get_data(as_text=True)
    day = dt.date.fromisoformat(NEXT_MONTH)
    assert f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}, {WHEN}" in page
    link = f'href="/checkins/{made.id}/invitation.ics"'
    assert link in page
    theirs = client_as(kenji).get("/me/plan").get_data(as_text=True)
    assert link in theirs and WHEN in theirs
    files = [c.get(f"/checkins/{made.id}/invitation.ics") for c in (boss, client_as(kenji))]
    for answer in files:
        assert answer.status_code == 200 and answer.mimetype == "text/calendar"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert files[0].get_data() == files[1].get_data()
    event = Calendar.from_ical(files[0].get_data()).walk("VEVENT")[0]
    assert event.decoded("dtstart").strftime("%H:%M %Z") in ("14:30 CET", "14:30 CEST")
    emails = {str(a).lower() for a in event.get("attendee")}
    assert {f"mailto:{kenji.email}".lower(), f"mailto:{person(AISHA).email}".lower()} <= emails
    outsider = client_as(person(OUTSIDER))
    assert outsider.get(f"/checkins/{made.id}/invitation.ics").status_code == 404


def test_a_bad_time_zone_is_explained_on_the_page_and_the_input_kept(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    page = f"/team/people/{kenji.id}"
    form = {"scheduled_on": NEXT_MONTH, "starts_at": "25:00", "time_zone": "Mars/Base"}
    answer = post(client_as(person(AISHA), "manager"), f"{page}/checkins", form, page)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'href="#starts_at">Time: use the form HH:MM' in html
    assert 'value="Mars/Base"' in html and f'value="{NEXT_MONTH}"' in html
    assert db.scalars(select(CheckIn).where(CheckIn.person_id == kenji.id)).all() == []
    form["starts_at"] = "09:00"
    html = post(client_as(person(AISHA), "manager"), f"{page}/checkins", form, page).get_data(
        as_text=True
    )
    assert 'href="#time_zone">Time zone: choose a time zone from the list' in html


def test_moving_a_check_in_keeps_one_open_and_needs_the_version_seen(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    boss = _schedule(client_as(person(AISHA), "manager"), kenji, scheduled_on=NEXT_MONTH)
    made = db.scalars(select(CheckIn).where(CheckIn.person_id == kenji.id)).one()
    page = f"/team/people/{kenji.id}"
    moved = post(boss, f"/team/checkins/{made.id}/time", {
        "version": made.version, "scheduled_on": NEXT_MONTH, "starts_at": "08:15",
        "time_zone": "America/New_York",
    }, page)  # fmt: skip
    assert moved.status_code == 302
    db.expire_all()
    assert (made.starts_at, made.time_zone, made.duration_minutes) == (
        dt.time(8, 15),
        "America/New_York",
        30,
    )
    stale = post(boss, f"/team/checkins/{made.id}/time",
                 {"version": 1, "scheduled_on": NEXT_MONTH}, page)  # fmt: skip
    assert stale.status_code == 409


def test_next_steps_a_later_plan_dropped_are_no_longer_next_steps(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    me = client_as(kenji)
    post(me, "/me/plan/generate", {"target_role_id": kenji.target_role_id, "hours_per_week": "6"})
    plan = db.scalars(select(Plan).where(Plan.person_id == kenji.id)).one()
    post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version}, "/me/plan")
    boss = _schedule(client_as(person(AISHA), "manager"), kenji, scheduled_on="")
    page = f"/team/people/{kenji.id}"
    html = boss.get(page).get_data(as_text=True)
    choices = re.findall(r'name="next_activity_ids" value="(\d+)"', html)
    assert len(choices) == len(plan.items)
    first = plan.items[0].activity
    held = db.scalars(select(CheckIn).where(CheckIn.person_id == kenji.id)).one()
    answer = boss.post(f"/team/checkins/{held.id}", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1],
        "version": held.version, "next_activity_ids": [first.id], "next_steps": "Talk to Sam",
    })  # fmt: skip
    assert answer.status_code == 302
    html = boss.get(page).get_data(as_text=True)
    assert f'id="next-steps-{held.id}"' in html and first.title in html

    db.refresh(plan)
    dropped = post(boss, f"/team/plans/{plan.id}/edit", {
        "change": "drop", "activity_id": first.id, "week": 1, "version": plan.version,
        "comment": "Not now",
    }, page)  # fmt: skip
    assert dropped.status_code == 302
    for client, url in ((boss, page), (me, "/me/plan")):
        html = client.get(url).get_data(as_text=True)
        assert f'id="next-steps-{held.id}"' not in html
        note = re.search(rf'id="dropped-steps-{held.id}">([^<]+)<', html)
        assert note and first.title.replace("&", "&amp;") in note[1], url
        assert "Talk to Sam" in html


def test_only_the_managers_of_the_person_can_change_check_ins(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    _schedule(client_as(person(AISHA), "manager"), kenji, scheduled_on=NEXT_MONTH)
    made = db.scalars(select(CheckIn).where(CheckIn.person_id == kenji.id)).one()
    other = client_as(person("E1006"), "manager")
    answer = post(other, f"/team/checkins/{made.id}/time",
                  {"version": made.version, "scheduled_on": NEXT_MONTH}, "/team/")  # fmt: skip
    assert answer.status_code == 404
    assert post(client_as(kenji), f"/team/checkins/{made.id}", {"version": 1}).status_code == 403
    db.refresh(made)
    assert made.held_on is None and made.starts_at is None
