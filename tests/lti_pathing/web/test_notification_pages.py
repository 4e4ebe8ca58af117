"""The notification settings page: a person's own choices, the organisation's defaults (admins),
every wrong field named and nothing saved; the menu leads to both pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from lti_pathing.auth import Actor
from lti_pathing.models import Tenant
from lti_pathing.notify.preferences import PreferenceService
from tests.lti_pathing.web.conftest import Browser


def test_a_person_saves_their_channels_digest_and_quiet_hours(
    browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor], session: Session
) -> None:
    actor = make_actor(tenant, name="Lena Learner")
    browser.sign_in(actor)
    page = browser.get("/me/").get_data(as_text=True)
    assert 'id="nav-notifications"' in page and 'id="nav-notify-settings"' in page
    form = browser.get("/me/notifications/settings").get_data(as_text=True)
    assert 'id="prefs-form"' in form and 'id="prefs-form-org"' not in form  # not an admin
    answer = browser.post("/me/notifications/settings", {
        "email": "off", "lms": "on", "digest": "digest", "quiet_from": "21:30",
        "quiet_to": "07:00", "time_zone": "Europe/Berlin",
    })  # fmt: skip
    assert answer.status_code == 302
    row = PreferenceService(session, tenant).row(actor.person_id)
    assert row is not None
    assert (row.email, row.lms, row.digest, row.quiet_from, row.time_zone) == (
        False, True, True, dt.time(21, 30), "Europe/Berlin"
    )  # fmt: skip
    shown = browser.get("/me/notifications/settings").get_data(as_text=True)
    assert "Now: LMS messages, once a day, quiet from 21:30 to 07:00 (Europe/Berlin)." in shown


def test_every_wrong_field_is_named_and_nothing_is_saved(
    browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor], session: Session
) -> None:
    actor = make_actor(tenant, name="Lena Learner")
    browser.sign_in(actor)
    answer = browser.post("/me/notifications/settings", {
        "email": "maybe", "digest": "hourly", "quiet_from": "25:00", "time_zone": "Mars/Base",
    })  # fmt: skip
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Please correct 4 problems" in page
    assert "use the form HH:MM" in page and "choose a time zone from the list" in page
    assert PreferenceService(session, tenant).row(actor.person_id) is None
    half = browser.post("/me/notifications/settings", {"quiet_from": "22:00"})
    assert half.status_code == 422 and "give both the start and the end" in half.get_data(
        as_text=True
    )


def test_only_an_admin_sets_the_organisations_defaults(
    browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor], session: Session
) -> None:
    browser.sign_in(make_actor(tenant, name="Lena Learner"))
    assert browser.post("/me/notifications/defaults", {"email": "off"}).status_code == 403
    browser.sign_in(make_actor(tenant, "admin"))
    assert 'id="prefs-form-org"' in browser.get("/me/notifications/settings").get_data(as_text=True)
    assert browser.post("/me/notifications/defaults", {"email": "off"}).status_code == 302
    assert PreferenceService(session, tenant).defaults()["email"] is False


def test_the_list_is_empty_until_something_happens(
    browser: Browser, tenant: Tenant, make_actor: Callable[..., Actor]
) -> None:
    browser.sign_in(make_actor(tenant, name="Lena Learner"))
    assert 'id="no-notifications"' in browser.get("/me/notifications/").get_data(as_text=True)
