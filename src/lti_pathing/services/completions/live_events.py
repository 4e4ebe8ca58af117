"""Canvas live events as hints: an event about a person and a linked course asks for their sync.

An event never records a completion by itself: it says whom to sync now, and the sync reads the
truth from Canvas's API as polling would (so a forged or replayed event can at most cause a sync
that finds what is already known). Each Canvas connection may have a webhook key: the URL holds
it (Canvas subscriptions take a URL, no header), only its SHA-256 is stored, and it is shown
once when made. Unless the admin allows unsigned events, the delivery must also be signed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lti_pathing import crypto
from lti_pathing.errors import Invalid
from lti_pathing.lms.live_events import EVENTS, EventRefused, LiveEvent
from lti_pathing.lms.source import course_key
from lti_pathing.models import (
    CompletionChannel,
    CompletionRecord,
    Lms,
    LmsConnection,
    LmsCourseLink,
    LmsIdentity,
    Person,
)
from lti_pathing.services.base import TenantService

log = logging.getLogger("lti_pathing.lms")
KEY_PREFIX = "ltpe_"


def key_hash(key: str) -> str:
    """What is stored of a webhook key."""
    return hashlib.sha256(key.encode()).hexdigest()


def connection_for_key(session: Session, key: str) -> LmsConnection | None:
    """The active Canvas connection whose webhook key this is (any tenant: the key says which)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    found = session.scalar(
        select(LmsConnection).where(LmsConnection.events_key_hash == key_hash(key))
    )
    return found if found is not None and found.active and found.kind == Lms.canvas else None


@dataclass(frozen=True)
class EventOutcome:
    """What the tool does with one event: sync a person, or nothing and why."""

    person_id: int | None
    reason: str

    @property
    def queues(self) -> bool:
        """True when the person's sync should be queued."""
        return self.person_id is not None


class LiveEventService(TenantService):
    """Webhook keys of the tenant's Canvas connections, and what an event asks for."""

    def enable(self, connection_id: int, unsigned: bool = False) -> str:
        """Make (or replace) a connection's webhook key; the key, shown this once."""
        connection = self.get(LmsConnection, connection_id)
        if connection.kind != Lms.canvas:
            raise Invalid("live events come from Canvas only; Moodle is synced by polling")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        connection.events_key_hash = key_hash(key)
        connection.events_key_hint = crypto.mask(key)
        connection.events_unsigned = unsigned
        self.flush()
        return key

    def disable(self, connection_id: int) -> LmsConnection:
        """Stop taking events for a connection (its URL answers 404 from now on)."""
        connection = self.get(LmsConnection, connection_id)
        connection.events_key_hash = connection.events_key_hint = None
        connection.events_unsigned = False
        self.flush()
        return connection

    def receive(self, connection: LmsConnection, event: LiveEvent) -> EventOutcome:
        """Whose sync the event asks for (None: nothing to do, and why); logged when ignored."""
        if connection.tenant_id != self.tenant.id:
            raise ValueError("connection of another tenant")
        if not event.signed and not connection.events_unsigned:
            raise EventRefused(
                "this webhook takes signed events only: turn on 'Sign Payload' in the Canvas "
                "Data Services subscription (or allow unsigned events on the LMS page)"
            )
        self._seen(connection)
        outcome = self._decide(event)
        if not outcome.queues:
            log.info("canvas live event %s ignored: %s", event.name, outcome.reason)
        return outcome

    def _decide(self, event: LiveEvent) -> EventOutcome:
        if event.name not in EVENTS:
            return EventOutcome(None, f"{event.name} is not an event the tool uses")
        if not event.completes:
            return EventOutcome(None, "progress without a completion: nothing to sync yet")
        if event.user_id is None or event.course_id is None:
            return EventOutcome(None, "the event names no Canvas user or course")
        person = self._person(event.user_id)
        if person is None:
            return EventOutcome(None, f"no active person has Canvas user id {event.user_id}")
        if not self._linked(event.course_id):
            return EventOutcome(None, f"Canvas course {event.course_id} is linked to no activity")
        if self._known(person, event.course_id):
            return EventOutcome(None, "this completion is already recorded")
        return EventOutcome(person.id, f"course {event.course_id} completed: sync queued")

    def _person(self, user_id: str) -> Person | None:
        return self.session.scalar(
            self.scoped(Person)
            .join(LmsIdentity, LmsIdentity.person_id == Person.id)
            .where(
                LmsIdentity.lms == Lms.canvas,
                LmsIdentity.lms_user_id == user_id,
                Person.active.is_(True),
            )
            .limit(1)
        )

    def _linked(self, course_id: str) -> bool:
        found = self.session.scalar(
            select(LmsCourseLink.id)
            .where(
                LmsCourseLink.tenant_id == self.tenant.id,
                LmsCourseLink.lms == Lms.canvas,
                LmsCourseLink.course_id == course_id,
            )
            .limit(1)
        )
        return found is not None

    def _known(self, person: Person, course_id: str) -> bool:
        found = self.session.scalar(
            select(CompletionRecord.id).where(
                CompletionRecord.tenant_id == self.tenant.id,
                CompletionRecord.person_id == person.id,
                CompletionRecord.channel == CompletionChannel.canvas,
                CompletionRecord.key == course_key("canvas", course_id),
            )
        )
        return found is not None

    def _seen(self, connection: LmsConnection) -> None:
        """When the last event came (a plain UPDATE: the connection's `version` stays)."""
        self.session.execute(
            update(LmsConnection)
            .where(LmsConnection.id == connection.id)
            .values(events_last_at=self.clock())
            .execution_options(synchronize_session=False)
        )
