"""The tenant's audit trail: add a record, export a date range (CSV or JSON), keep it no
longer than the tenant's retention.

Every record is a `PlanEvent` row (one record type for the tenant): plan generations and human
decisions on plans are logged where they happen (`planning.store`, `approvals`, `proposals`);
records that concern no plan (an erasure, a retention change, an access export) come here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import aliased

from lti_pathing.errors import Invalid
from lti_pathing.models import Person, Plan, PlanEvent, Tenant
from lti_pathing.services.base import TenantService
from lti_pathing.services.transfer.export import neutralise_formula

# The EU AI Act (art. 26(6)) has deployers keep a high-risk system's logs at least six months.
MIN_RETENTION_DAYS = 183
MAX_RETENTION_DAYS = 36500
MAX_EXPORT_DAYS = 3660
FORMATS = ("csv", "json")
COLUMNS = ("id", "at", "kind", "plan_id", "subject_id", "subject", "actor_id", "actor",
           "comment", "data")  # fmt: skip


@dataclass(frozen=True)
class AuditRow:
    """One audit record as it is exported."""

    id: int
    at: str
    kind: str
    plan_id: int | None
    subject_id: int | None
    subject: str | None
    actor_id: int | None
    actor: str | None
    comment: str | None
    data: dict[str, Any]


class AuditService(TenantService):
    """Add, export and purge the acting tenant's audit records."""

    def record(
        self,
        kind: str,
        actor_id: int | None,
        subject_id: int | None = None,
        comment: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> PlanEvent:
        """Append a record that concerns no plan (a person's data, the tenant's settings)."""
        event = PlanEvent(tenant_id=self.tenant.id, plan_id=None, kind=kind, actor_id=actor_id,
                          subject_id=subject_id, at=self.clock(), comment=comment or None,
                          data=data or {})  # fmt: skip
        return self.add(event)

    def rows(self, start: dt.date, end: dt.date) -> list[AuditRow]:
        """Records from `start` to `end` (both days included, UTC), oldest first."""
        check_range(start, end)
        actor, subject = aliased(Person), aliased(Person)
        subject_id = func.coalesce(Plan.person_id, PlanEvent.subject_id)
        stmt = (
            select(PlanEvent, actor.name, subject_id, subject.name)
            .outerjoin(Plan, Plan.id == PlanEvent.plan_id)
            .outerjoin(actor, actor.id == PlanEvent.actor_id)
            .outerjoin(subject, subject.id == subject_id)
            .where(PlanEvent.tenant_id == self.tenant.id, *_between(start, end))
            .order_by(PlanEvent.at, PlanEvent.id)
        )
        return [
            AuditRow(e.id, e.at.isoformat(), e.kind, e.plan_id, sid, sname, e.actor_id, aname,
                     e.comment, dict(e.data or {}))
            for e, aname, sid, sname in self.session.execute(stmt)
        ]  # fmt: skip

    def export(self, start: dt.date, end: dt.date, fmt: str) -> str:
        """The records of a date range as CSV or JSON text."""
        if fmt not in FORMATS:
            raise Invalid("unknown format", {"format": [f"one of {', '.join(FORMATS)}"]})
        rows = self.rows(start, end)
        return to_csv(rows) if fmt == "csv" else to_json(self.tenant, start, end, rows)

    def set_retention(self, days: int | None, actor_id: int | None) -> None:
        """Keep records `days` days (None: for good); the change itself is recorded."""
        if days is not None and not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
            raise Invalid("retention out of range", {"retention_days": [
                f"from {MIN_RETENTION_DAYS} days (six months, the EU AI Act's minimum for "
                f"logs) to {MAX_RETENTION_DAYS}, or empty to keep records for good"]})  # fmt: skip
        before = self.tenant.audit_retention_days
        self.tenant.audit_retention_days = days
        self.record("retention_changed", actor_id, data={"from": before, "to": days})

    def purge(self) -> int:
        """Delete the records older than the tenant's retention; how many (none: kept for good).

        A bulk DELETE on purpose: the ORM refuses to delete audit records one by one.
        """
        days = self.tenant.audit_retention_days
        if days is None:
            return 0
        cutoff = self.clock() - dt.timedelta(days=days)
        stmt = delete(PlanEvent).where(PlanEvent.tenant_id == self.tenant.id, PlanEvent.at < cutoff)
        return int(self.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]

    def involving(self, person_id: int) -> list[PlanEvent]:
        """Records about the person (their plans, or naming them) or made by them."""
        stmt = (
            select(PlanEvent)
            .outerjoin(Plan, Plan.id == PlanEvent.plan_id)
            .where(PlanEvent.tenant_id == self.tenant.id, or_(
                Plan.person_id == person_id, PlanEvent.subject_id == person_id,
                PlanEvent.actor_id == person_id))
            .order_by(PlanEvent.at, PlanEvent.id)
        )  # fmt: skip
        return list(self.session.scalars(stmt))


def check_range(start: dt.date, end: dt.date) -> None:
    """A date range an export can cover: in order, at most ten years."""
    if end < start:
        raise Invalid("the range ends before it starts", {"end": ["must not be before start"]})
    if (end - start).days > MAX_EXPORT_DAYS:
        raise Invalid("range too long", {"end": [f"at most {MAX_EXPORT_DAYS} days after start"]})


def _between(start: dt.date, end: dt.date) -> tuple[Any, Any]:
    since = dt.datetime.combine(start, dt.time(), dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    return PlanEvent.at >= since, PlanEvent.at < until


def to_csv(rows: list[AuditRow]) -> str:
    """One line a record; `data` as compact JSON; cells a spreadsheet would run are escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = asdict(row)
        cells["data"] = json.dumps(row.data, sort_keys=True, separators=(",", ":"), default=str)
        writer.writerow(_cell(cells[name]) for name in COLUMNS)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return neutralise_formula(value) if isinstance(value, str) else ("" if value is None else value)


def to_json(tenant: Tenant, start: dt.date, end: dt.date, rows: list[AuditRow]) -> str:
    """The records with what they cover: tenant, range, count."""
    body = {
        "format": "lti-pathing-audit", "version": 1, "tenant": tenant.slug,
        "from": start.isoformat(), "to": end.isoformat(), "count": len(rows),
        "records": [asdict(row) for row in rows],
    }  # fmt: skip
    return json.dumps(body, indent=1, sort_keys=True, default=str) + "\n"
