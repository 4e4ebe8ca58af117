"""Sending what is due: claim, send outside any transaction, record the outcome.

At most once per delivery key: a delivery is claimed (`sending`, committed) before anything
leaves, and a claimed delivery is never claimed again. So a task delivered twice, two sweepers at
once, or a retry after a crash cannot send it twice. What is certainly not delivered (`Retry`) goes
back to `pending` with a growing wait (`NOTIFY_RETRY_BASE_S` doubled per try) until
`NOTIFY_MAX_TRIES`, then `failed`; a definite refusal fails at once; a delivery whose sender
vanished while `sending` (a killed worker) is failed as "outcome unknown" after
`NOTIFY_SEND_TIMEOUT_S`, never sent again. The person sees each of these in their list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto
from lti_pathing.models import (
    Channel,
    DeliveryStatus,
    LmsConnection,
    LmsIdentity,
    Notification,
    NotificationDelivery,
    Person,
    Tenant,
)
from lti_pathing.notify.channels import (
    Message,
    Refused,
    Retry,
    SendError,
    SmtpSettings,
    Unknown,
    send_email,
    send_lms,
)
from lti_pathing.notify.messages import compose
from lti_pathing.notify.preferences import PreferenceService

BATCH = 200  # deliveries one run sends at most (the next run takes the rest)
MAX_RETRY_S = 6 * 3600


@dataclass(frozen=True)
class DeliverySettings:
    """How deliveries are sent and retried (from the app's configuration)."""

    smtp: SmtpSettings
    max_tries: int = 6
    retry_base_s: float = 60.0
    send_timeout_s: float = 600.0
    lms_timeout_s: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliverySettings:
        """The settings of the app's configuration."""
        return cls(SmtpSettings.from_config(config), config["NOTIFY_MAX_TRIES"],
                   float(config["NOTIFY_RETRY_BASE_S"]), float(config["NOTIFY_SEND_TIMEOUT_S"]),
                   float(config["LMS_TIMEOUT_S"]))  # fmt: skip

    def retry_after(self, tries: int) -> dt.timedelta:
        """The wait before try number `tries + 1`."""
        return dt.timedelta(seconds=min(MAX_RETRY_S, self.retry_base_s * 2 ** max(0, tries - 1)))


@dataclass(frozen=True)
class LmsTarget:
    """The LMS connection a message goes through."""

    kind: Any
    base_url: str
    token: str


@dataclass(frozen=True)
class Claimed:
    """Deliveries claimed for one send (several for a digest) and what to send."""

    ids: tuple[int, ...]
    channel: Channel
    message: Message
    lms: LmsTarget | None


def due_ids(session: Session, now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Deliveries due now, oldest first."""
    stmt = (
        select(NotificationDelivery.id)
        .where(NotificationDelivery.status == DeliveryStatus.pending,
               NotificationDelivery.due_at <= now)
        .order_by(NotificationDelivery.due_at, NotificationDelivery.id)
        .limit(limit)
    )  # fmt: skip
    return list(session.scalars(stmt))


def expire_stale(session: Session, now: dt.datetime, settings: DeliverySettings) -> int:
    """Fail deliveries left `sending` longer than a send may take: never sent again."""
    cutoff = now - dt.timedelta(seconds=settings.send_timeout_s)
    stale = session.scalars(
        select(NotificationDelivery)
        .where(NotificationDelivery.status == DeliveryStatus.sending,
               NotificationDelivery.claimed_at < cutoff)
        .with_for_update(skip_locked=True)
    ).all()  # fmt: skip
    for delivery in stale:
        delivery.status = DeliveryStatus.failed
        delivery.last_error = (
            "outcome unknown: the sender stopped while sending; not sent again, so that "
            "nobody gets it twice"
        )
    return len(stale)


def claim(
    session: Session, delivery_id: int, now: dt.datetime, email_ready: bool = True
) -> Claimed | DeliveryStatus | None:
    """Claim a due delivery (and, for a digest, the person's other due ones on that channel).

    None when it is not due or someone else has it; `skipped` (marked so, with the reason) when
    the channel cannot reach the person.
    """
    first = session.scalar(
        select(NotificationDelivery).where(NotificationDelivery.id == delivery_id)
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    if first is None or first.status is not DeliveryStatus.pending or first.due_at > now:
        return None
    group = [first] + (_digest_siblings(session, first, now) if first.digest else [])
    tenant = session.get_one(Tenant, first.tenant_id)
    person = session.get_one(Person, first.person_id)
    lms = _lms_target(session, person) if first.channel is Channel.lms else None
    why_not = _unreachable(first.channel, person, lms, email_ready)
    for delivery in group:
        delivery.tries += 1
        delivery.claimed_at = now
        delivery.status = DeliveryStatus.skipped if why_not else DeliveryStatus.sending
        delivery.last_error = why_not
    if why_not:
        return DeliveryStatus.skipped
    notes = [d.notification for d in sorted(group, key=lambda d: d.notification_id)]
    link = _link(session, tenant, person, notes)
    words = compose(notes, person.name, tenant.name, link, first.digest)
    message = Message(first.key, words.subject, words.text, words.html, person.name, person.email,
                      lms[1] if lms else None)  # fmt: skip
    return Claimed(tuple(d.id for d in group), first.channel, message, lms[0] if lms else None)


def send(claimed: Claimed, settings: DeliverySettings) -> str:
    """Send a claimed message over its channel (no transaction is open); the remote id."""
    if claimed.channel is Channel.email:
        return send_email(settings.smtp, claimed.message)
    assert claimed.lms is not None
    target = claimed.lms
    return send_lms(target.kind, target.base_url, target.token, claimed.message,
                    settings.lms_timeout_s)  # fmt: skip


def record(
    session: Session, claimed: Claimed, outcome: str | SendError, now: dt.datetime,
    settings: DeliverySettings,
) -> DeliveryStatus:  # fmt: skip
    """Store how the send ended for every delivery it carried; the status they now have."""
    status = DeliveryStatus.sent
    for delivery_id in claimed.ids:
        delivery = session.get_one(NotificationDelivery, delivery_id)
        if isinstance(outcome, str):
            delivery.status, delivery.sent_at, delivery.remote_id = status, now, outcome[:200]
            delivery.last_error = None
            continue
        delivery.last_error = str(outcome)[:2000]
        if isinstance(outcome, Retry) and delivery.tries < settings.max_tries:
            status = DeliveryStatus.pending
            delivery.due_at = now + settings.retry_after(delivery.tries)
        else:
            status = DeliveryStatus.failed
            if isinstance(outcome, Retry):
                delivery.last_error += f" (gave up after {delivery.tries} tries)"
        delivery.status = status
    return status


def _digest_siblings(
    session: Session, first: NotificationDelivery, now: dt.datetime
) -> list[NotificationDelivery]:
    stmt = (
        select(NotificationDelivery)
        .where(NotificationDelivery.tenant_id == first.tenant_id,
               NotificationDelivery.person_id == first.person_id,
               NotificationDelivery.channel == first.channel,
               NotificationDelivery.digest.is_(True),
               NotificationDelivery.status == DeliveryStatus.pending,
               NotificationDelivery.due_at <= now, NotificationDelivery.id != first.id)
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    return list(session.scalars(stmt))


def _lms_target(session: Session, person: Person) -> tuple[LmsTarget, str] | None:
    """The first active LMS connection of the tenant the person has an account id in."""
    connections = session.scalars(
        select(LmsConnection)
        .where(LmsConnection.tenant_id == person.tenant_id, LmsConnection.active.is_(True))
        .order_by(LmsConnection.id)
    )  # fmt: skip
    for connection in connections:
        user_id = session.scalar(
            select(LmsIdentity.lms_user_id).where(
                LmsIdentity.tenant_id == person.tenant_id, LmsIdentity.person_id == person.id,
                LmsIdentity.lms == connection.kind, LmsIdentity.lms_user_id.is_not(None),
            )
        )  # fmt: skip
        if not user_id:
            continue
        try:
            token = crypto.decrypt(connection.token_encrypted)
        except crypto.DecryptionError:  # a key rotated away: the admin re-enters the token
            continue
        return LmsTarget(connection.kind, connection.base_url, token), user_id
    return None


def _unreachable(
    channel: Channel, person: Person, lms: tuple[LmsTarget, str] | None, email_ready: bool
) -> str | None:
    if channel is Channel.email and not email_ready:
        return "e-mail is not set up on this lti-pathing (SMTP_HOST is empty)"
    if channel is Channel.email and not person.email:
        return "no e-mail address is known for this person"
    if channel is Channel.lms and lms is None:
        return "no active LMS connection knows this person's LMS account"
    return None


def _link(
    session: Session, tenant: Tenant, person: Person, notes: list[Notification]
) -> str | None:
    """Back into the LMS: where the notification was made for, the person's last launch, or
    the LMS's own address; never the tool's bare URL."""
    for note in reversed(notes):
        if note.link:
            return note.link
    own = PreferenceService(session, tenant).row(person.id)
    if own is not None and own.launch_url:
        return own.launch_url
    return session.scalar(
        select(LmsConnection.base_url)
        .where(LmsConnection.tenant_id == tenant.id, LmsConnection.active.is_(True))
        .order_by(LmsConnection.id).limit(1)
    )  # fmt: skip


__all__ = [
    "Claimed", "DeliverySettings", "Refused", "Retry", "SendError", "Unknown", "claim", "due_ids",
    "expire_stale", "record", "send",
]  # fmt: skip
