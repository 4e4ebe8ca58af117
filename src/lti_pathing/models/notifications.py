"""Notifications: what a person was told, over which channel, and whether it arrived.

A `Notification` is written in the transaction of the change it reports (the outbox); each channel
it goes out on has a `NotificationDelivery` whose row is the delivery's key (one per notification
and channel) and its state. `NotificationPreference` holds a person's choices (person_id set) or
the tenant's defaults (person_id NULL); a NULL field means "as the tenant (or the tool) says".
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_pathing.columns import Base, Timestamp, UtcDateTime, intpk, utcnow
from lti_pathing.models.base import TenantOwned, Timestamped, enum_type
from lti_pathing.models.people import Person


class Channel(enum.StrEnum):
    """Where a notification goes."""

    email = "email"
    lms = "lms"  # the LMS's own messages (Moodle messaging, Canvas conversations)


class DeliveryStatus(enum.StrEnum):
    """Where a delivery is: waiting (maybe for quiet hours or the digest), being sent, done."""

    pending = "pending"
    sending = "sending"  # claimed by a sender; never claimed again (at most once)
    sent = "sent"
    failed = "failed"
    skipped = "skipped"  # the channel cannot reach the person (no address, no LMS account)


class NotificationPreference(TenantOwned, Timestamped, Base):
    """A person's notification choices, or (person_id NULL) the tenant's defaults."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("tenant_id", "person_id"),)

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[bool | None] = mapped_column(Boolean)
    lms: Mapped[bool | None] = mapped_column(Boolean)
    digest: Mapped[bool | None] = mapped_column(Boolean)  # True: one daily message
    quiet_from: Mapped[dt.time | None]
    quiet_to: Mapped[dt.time | None]
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Where the person's last launch came from, in the LMS (what messages link back to).
    launch_url: Mapped[str | None] = mapped_column(String(500))


class Notification(TenantOwned, Base):
    """One thing a person is told: the event, its words, and the link back into the LMS."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Events found by a scan (behind schedule, check-in due) are told once per key.
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)

    person: Mapped[Person] = relationship()
    deliveries: Mapped[list[NotificationDelivery]] = relationship(
        back_populates="notification", order_by="NotificationDelivery.channel"
    )


class NotificationDelivery(TenantOwned, Base):
    """One notification on one channel: the delivery key, its state, tries and the outcome."""

    __tablename__ = "notification_delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel"),)

    id: Mapped[intpk]
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "notify_channel"))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, "delivery_status"), default=DeliveryStatus.pending, index=True
    )
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    tries: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[Timestamp] = mapped_column(index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(200))  # Message-ID, Moodle msgid, ...

    notification: Mapped[Notification] = relationship(back_populates="deliveries")

    @property
    def key(self) -> str:
        """The delivery key: one per notification and channel (Message-ID, Moodle clientmsgid)."""
        return f"lti-pathing-{self.tenant_id}-{self.notification_id}-{self.channel.value}"
