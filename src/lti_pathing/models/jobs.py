"""Background jobs (solves, re-plans, LMS syncs): what pages poll to show progress."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lti_pathing.columns import Base, Timestamp, UtcDateTime, intpk
from lti_pathing.models.base import TenantOwned, Timestamped, enum_type


class JobStatus(enum.StrEnum):
    """Where a job is: waiting for a worker, running, finished, or given up."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class JobKind(enum.StrEnum):
    """What a job does."""

    plan = "plan"  # one person's plan
    replan = "replan"  # an organisation or team re-plan
    lms_sync = "lms_sync"  # pull completions from the LMS for people
    estimate = "estimate"  # time-to-ready estimates (career paths, succession); nothing stored
    grade_passback = "grade_passback"  # plan progress as a score to the LMS grade book


class Job(TenantOwned, Timestamped, Base):
    """One unit of background work and its progress; the row is the truth, not the broker."""

    __tablename__ = "job"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)

    id: Mapped[intpk]
    kind: Mapped[JobKind] = mapped_column(enum_type(JobKind, "job_kind"))
    status: Mapped[JobStatus] = mapped_column(
        enum_type(JobStatus, "job_status"), default=JobStatus.queued, index=True
    )
    progress: Mapped[int] = mapped_column(default=0)
    steps_done: Mapped[int] = mapped_column(default=0, server_default=text("0"))  # re-plan chunks
    message: Mapped[str | None] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. {"plan_ids": [...]}
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[Timestamp | None]

    @property
    def finished(self) -> bool:
        """True once the job is done or failed (nothing more will change)."""
        return self.status in (JobStatus.done, JobStatus.failed)


class JobDispatch(TenantOwned, Base):
    """The outbox record of a job: written with the job, it says whether the job was sent.

    The sweeper sends again what is due (`due_at`): a job whose send failed, or one sent but not
    started in time. The delivery that started the job claims it (`claimed_by`), so a second copy
    of its message does nothing.
    """

    __tablename__ = "job_dispatch"

    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), primary_key=True)
    tries: Mapped[int] = mapped_column(default=0)  # sends attempted
    due_at: Mapped[Timestamp] = mapped_column(index=True)  # when the sweeper sends it (again)
    sent_at: Mapped[Timestamp | None]  # the last send the broker (or the thread pool) took
    last_error: Mapped[str | None] = mapped_column(String(500))  # why the last send failed
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the delivery that runs it
