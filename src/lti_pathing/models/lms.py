"""LMS connections (per tenant), their sync runs, and the completions fetched from them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from lti_pathing.columns import Base, Flag, Timestamp, UtcDateTime, intpk, utcnow
from lti_pathing.models.base import TenantOwned, Timestamped, Versioned, enum_type
from lti_pathing.models.catalog import Activity
from lti_pathing.models.people import Lms, Person


class LmsConnection(TenantOwned, Versioned, Timestamped, Base):
    """A tenant's web-service access to one LMS: where it is and the token (encrypted)."""

    __tablename__ = "lms_connection"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "base_url"),)

    id: Mapped[intpk]
    kind: Mapped[Lms] = mapped_column(enum_type(Lms, "lms"))
    base_url: Mapped[str] = mapped_column(String(500))
    token_encrypted: Mapped[str] = mapped_column(Text)  # lti_pathing.crypto.encrypt
    token_hint: Mapped[str] = mapped_column(String(16))  # crypto.mask of the token: "…abcd"
    active: Mapped[Flag]
    # The circuit breaker (lti_pathing.lms.circuit): LMS calls in a row that got no answer, and
    # until when syncs skip this LMS. Written with plain UPDATEs, so `version` is not bumped and
    # an admin's edit never conflicts with a sync.
    breaker_failures: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    breaker_open_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    breaker_error: Mapped[str | None] = mapped_column(Text)
    # Canvas live events (lti_pathing.lms.live_events): the SHA-256 of the webhook key (the key
    # itself is shown once), whether unsigned events are taken, and when the last one came.
    events_key_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    events_key_hint: Mapped[str | None] = mapped_column(String(16))
    events_unsigned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    events_last_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<LmsConnection {self.kind} {self.base_url} {self.token_hint}>"


class SyncStatus(enum.StrEnum):
    """How a sync run ended (running until it does)."""

    running = "running"
    succeeded = "succeeded"  # every person fetched
    partial = "partial"  # some people or courses failed; they are retried next run
    aborted = "aborted"  # the connection broke (token revoked): stopped, what was stored kept
    failed = "failed"  # nothing could be fetched


class LmsSyncRun(TenantOwned, Base):
    """One pass over a connection (a whole tenant or one person): what it fetched, what failed."""

    __tablename__ = "lms_sync_run"

    id: Mapped[intpk]
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("lms_connection.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )  # None: the whole tenant
    trigger: Mapped[str] = mapped_column(String(32), default="manual")
    status: Mapped[SyncStatus] = mapped_column(
        enum_type(SyncStatus, "sync_status"), default=SyncStatus.running
    )
    started_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # previous good run's cursor
    cursor: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # set when the run is good
    people_total: Mapped[int] = mapped_column(default=0)
    people_synced: Mapped[int] = mapped_column(default=0)
    people_failed: Mapped[int] = mapped_column(default=0)
    fetched: Mapped[int] = mapped_column(default=0)  # completions the LMS reported this run
    recorded: Mapped[int] = mapped_column(default=0)  # of those, new to the tool
    evidence_created: Mapped[int] = mapped_column(default=0)
    items_completed: Mapped[int] = mapped_column(default=0)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Linked courses that cannot report completion and why ({course, reason, people}).
    notes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)
    # Who runs it ("host:pid"), when it last showed life, and when it must stop: a run whose
    # process died is recognised by these and marked failed (lti_pathing.lms.recovery).
    owner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    job_id: Mapped[int | None] = mapped_column(index=True)  # the lms_sync job (not enforced)

    connection: Mapped[LmsConnection] = relationship()


class CompletionChannel(enum.StrEnum):
    """Where a completion came from."""

    moodle = "moodle"
    canvas = "canvas"
    csv = "csv"


class CompletionRecord(TenantOwned, Base):
    """A person completed an LMS course or activity; stored once per channel and key."""

    __tablename__ = "completion_record"
    __table_args__ = (UniqueConstraint("tenant_id", "person_id", "channel", "key"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[CompletionChannel] = mapped_column(
        enum_type(CompletionChannel, "completion_channel")
    )
    # "moodle:course:412", "moodle:module:412/37", "canvas:course:88", "activity:<external id>"
    key: Mapped[str] = mapped_column(String(200))
    lms: Mapped[Lms | None] = mapped_column(enum_type(Lms, "lms"))
    lms_course_id: Mapped[str | None] = mapped_column(String(64))
    lms_module_id: Mapped[str | None] = mapped_column(String(64))
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="SET NULL"), index=True
    )  # named directly (CSV by activity id); LMS keys resolve through the catalog's links
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_connection.id", ondelete="SET NULL"), index=True
    )
    sync_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_sync_run.id", ondelete="SET NULL"), index=True
    )
    completed_at: Mapped[Timestamp]
    fetched_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    raw_status: Mapped[str] = mapped_column(String(255))

    person: Mapped[Person] = relationship()
    activity: Mapped[Activity | None] = relationship()
