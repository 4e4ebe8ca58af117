"""Notification fixtures: a real SMTP server on loopback, the tiny organisation with addresses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.notify.preferences import PreferenceService
from tests.lti_pathing.services.journeys_org import Org, build_org
from tests.support.smtp import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """The loopback SMTP server: (what it received, its port)."""
    with smtp_server() as running:
        yield running


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
def mail_app(app: Flask, smtp: tuple[Inbox, int]) -> Flask:
    """The app sending e-mail to the loopback server (plain SMTP: it is on 127.0.0.1)."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp[1], SMTP_TLS="none",
                      MAIL_FROM="lti-pathing <no-reply@larkspur.example>")  # fmt: skip
    return app


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    """The tiny organisation; everyone has an e-mail address; by default, e-mail only (the
    tenant has no LMS connection: tests of LMS messages turn them on)."""
    made = build_org(session, tenant)
    for person in (made.director, made.maya, made.leo, made.lea, made.omar, made.xena):
        person.email = f"{person.name.split()[0].lower()}@larkspur.example"
    PreferenceService(session, tenant).save(None, {"lms": "off"})
    session.flush()
    return made
