"""A failing LMS sync tells the tenant's admins, once a day per connection."""

from __future__ import annotations

from typing import Any

import responses
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.lms.sync import sync_tenant
from lti_pathing.models import Notification, Person, SyncStatus
from tests.lti_pathing.lms.conftest import Sleeps, clock, moodle_exchange
from tests.lti_pathing.lms.test_sync import (
    WS,
    add_alice_done,
    add_bob_partial,
    connect_moodle,
    factory,
)


def test_a_revoked_token_tells_each_admin_once_a_day(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    admin = Person(tenant_id=tenant.id, external_id="A1", name="Ada Admin", is_admin=True)
    session.add(admin)
    connect_moodle(session, tenant)
    _, revoked = moodle_exchange("32_invalid_token")
    for _ in range(2):  # the second failing run the same day tells nobody again
        with responses.RequestsMock() as rsps:
            rsps.add(responses.POST, WS, body=revoked)
            [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
        assert run.status == SyncStatus.aborted
    notes = session.scalars(select(Notification)).all()
    assert [(n.person_id, n.event) for n in notes] == [(admin.id, "lms_sync_failing")]
    assert "ended aborted: stopped: Moodle" in notes[0].text
    assert "Invalid token" in notes[0].text


def test_a_good_sync_tells_nobody(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any], sleeps: Sleeps
) -> None:
    session.add(Person(tenant_id=tenant.id, external_id="A1", name="Ada Admin", is_admin=True))
    connect_moodle(session, tenant)
    with responses.RequestsMock() as rsps:
        add_alice_done(rsps)
        add_bob_partial(rsps)
        [run] = sync_tenant(session, tenant, clock, source_factory=factory(sleeps))
    assert run.status == SyncStatus.succeeded
    assert session.scalars(select(Notification)).all() == []
