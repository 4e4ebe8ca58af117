"""A person's data rights, exercised by an admin: export everything about them (an access
request) and erase what identifies them (an erasure request), keeping plans and counts whole.

What an erasure keeps and why is in docs/audit.md; in short: the person row stays (plans,
evidence, check-ins and reporting lines point at it, and the organisation's figures count it),
with an anonymous name and employee id and no e-mail; their LMS identities and grade-book links
go; free text they or others wrote about them goes; their id anywhere in stored JSON is replaced.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from lti_pathing.errors import Invalid
from lti_pathing.models import (
    ApiToken,
    CheckIn,
    CompletionRecord,
    CourseRoster,
    Evidence,
    GradePassback,
    Job,
    LmsIdentity,
    LmsSyncRun,
    Mentor,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    Person,
    Plan,
    PlanEvent,
    PlanItem,
)
from lti_pathing.services.audit.scrub import Scrubber
from lti_pathing.services.audit.trail import AuditService
from lti_pathing.services.base import TenantService

MAX_REASON = 2000
SECRET_COLUMNS = frozenset({"sha256"})
# What an access export holds: each section's rows, found by the columns naming the person.
SECTIONS: tuple[tuple[str, type[Any], tuple[str, ...]], ...] = (
    ("lms_identities", LmsIdentity, ("person_id",)),
    ("evidence", Evidence, ("person_id", "recorded_by_id")),
    ("plans", Plan, ("person_id",)),
    ("check_ins", CheckIn, ("person_id", "manager_id")),
    ("completion_records", CompletionRecord, ("person_id",)),
    ("grade_passbacks", GradePassback, ("person_id",)),
    ("lms_sync_runs", LmsSyncRun, ("person_id",)),
    ("jobs", Job, ("requested_by_id",)),
    ("mentor", Mentor, ("person_id",)),
    ("api_tokens", ApiToken, ("created_by_id",)),
    ("notifications", Notification, ("person_id",)),
    ("notification_preferences", NotificationPreference, ("person_id",)),
)


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed, by table."""

    person_id: int
    counts: dict[str, int]


class PersonDataService(TenantService):
    """Access and erasure requests for one person of the acting tenant."""

    # --- access ---------------------------------------------------------------------------
    def export(self, person_id: int, actor_id: int | None) -> dict[str, Any]:
        """Everything the tool holds about the person, as JSON-ready data (the export is logged)."""
        person = self.get(Person, person_id)
        out: dict[str, Any] = {
            "format": "lti-pathing-person",
            "version": 1,
            "exported_at": self.clock().isoformat(),
            "person": row(person),
        }
        for name, model, columns in SECTIONS:
            out[name] = [row(r) for r in self._rows_naming(model, columns, person.id)]
        plan_ids = [p["id"] for p in out["plans"]]
        items = self.scoped(PlanItem).where(PlanItem.plan_id.in_(plan_ids)).order_by(PlanItem.id)
        out["plan_items"] = [row(r) for r in self.session.scalars(items)]
        trail = AuditService(self.session, self.tenant, self.clock)
        out["audit_records"] = [row(e) for e in trail.involving(person.id)]
        trail.record("person_data_exported", actor_id, person.id)
        return out

    def export_zip(self, person_id: int, actor_id: int | None) -> bytes:
        """The export as a ZIP: one JSON file a section, and all of it in `person.json`."""
        data = self.export(person_id, actor_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("person.json", _dump(data))
            for name, value in data.items():
                if isinstance(value, list):
                    archive.writestr(f"{name}.json", _dump(value))
        return buffer.getvalue()

    def _rows_naming(self, model: type[Any], columns: Iterable[str], person_id: int) -> list[Any]:
        conditions = [_column(model, c) == person_id for c in columns]
        stmt = self.scoped(model).where(or_(*conditions)).order_by(_column(model, "id"))
        return list(self.session.scalars(stmt))

    # --- erasure --------------------------------------------------------------------------
    def erase(self, person_id: int, actor_id: int | None, reason: str) -> Erasure:
        """Anonymise the person everywhere in the tenant; plans, evidence and counts stay."""
        reason = (reason or "").strip()
        if not reason or len(reason) > MAX_REASON:
            raise Invalid("say why", {"reason": [f"required, at most {MAX_REASON} characters"]})
        person = self.get(Person, person_id)
        if person.id == actor_id:
            raise Invalid("not yourself", {"person": ["ask another admin to erase your own data"]})
        scrub = self._scrubber(person)
        counts = self._forget_links(person) | self._clear_free_text(person)
        counts |= self._scrub_stored(scrub)
        person.name = f"Erased person {person.id}"
        person.external_id = scrub.replacement
        person.email = None
        self.flush()
        self.session.expire_all()  # rows changed by statements above are read again
        AuditService(self.session, self.tenant, self.clock).record(
            "person_erased", actor_id, person_id, reason, {"changed": counts}
        )
        return Erasure(person_id, counts)

    def _scrubber(self, person: Person) -> Scrubber:
        ids = [person.external_id, person.email]
        for identity in self.session.scalars(self.scoped(LmsIdentity).where(
                LmsIdentity.person_id == person.id)):  # fmt: skip
            ids += [identity.subject, identity.lms_user_id]
        links = select(GradePassback.subject).where(
            GradePassback.tenant_id == self.tenant.id, GradePassback.person_id == person.id
        )
        ids += list(self.session.scalars(links))
        return Scrubber.of(ids, [person.name, person.email], f"erased-{person.id}")

    def _forget_links(self, person: Person) -> dict[str, int]:
        """LMS identities and grade-book links identify the person to their LMS, and the messages
        sent to them and their choices about messages are theirs alone: they go."""
        counts = {}
        for name, model in (
            ("lms_identity", LmsIdentity),
            ("grade_passback", GradePassback),
            ("notification_delivery", NotificationDelivery),
            ("notification", Notification),
            ("notification_preference", NotificationPreference),
        ):
            stmt = delete(model).where(model.tenant_id == self.tenant.id,
                                       model.person_id == person.id)  # fmt: skip
            counts[name] = _rowcount(self.session.execute(stmt))
        self.session.expire(person, ["identities"])
        return counts

    def _clear_free_text(self, person: Person) -> dict[str, int]:
        """Notes and comments written about or by the person go (the facts around them stay)."""
        t = self.tenant.id
        theirs = select(Plan.id).where(Plan.tenant_id == t, Plan.person_id == person.id)
        statements = {
            "evidence_note": update(Evidence).where(Evidence.tenant_id == t,
                Evidence.person_id == person.id, Evidence.note.is_not(None)).values(note=None),
            "check_in_notes": update(CheckIn).where(CheckIn.tenant_id == t,
                CheckIn.person_id == person.id).values(notes=None, next_steps=None),
            "audit_comment": update(PlanEvent).where(PlanEvent.tenant_id == t,
                PlanEvent.comment.is_not(None), or_(PlanEvent.plan_id.in_(theirs),
                PlanEvent.actor_id == person.id, PlanEvent.subject_id == person.id)
            ).values(comment=None),
        }  # fmt: skip
        return {name: _rowcount(self.session.execute(stmt.execution_options(
            synchronize_session=False))) for name, stmt in statements.items()}  # fmt: skip

    def _scrub_stored(self, scrub: Scrubber) -> dict[str, int]:
        """The person's ids and name inside stored JSON and messages, in every row of the tenant."""
        fields: tuple[tuple[str, type[Any], tuple[str, ...]], ...] = (
            ("plan", Plan, ("request", "response")),
            ("audit_data", PlanEvent, ("data",)),
            ("check_in_snapshot", CheckIn, ("snapshot",)),
            ("job", Job, ("params", "result", "message", "error")),
            ("lms_sync_run", LmsSyncRun, ("failures", "notes", "message")),
            ("lti_roster", CourseRoster, ("last_match",)),
            ("notification_to_others", Notification, ("subject", "text", "link", "data")),
            ("notification_delivery_error", NotificationDelivery, ("last_error",)),
        )
        return {name: self._scrub_table(model, columns, scrub) for name, model, columns in fields}

    def _scrub_table(self, model: type[Any], columns: tuple[str, ...], scrub: Scrubber) -> int:
        cols = [_column(model, c) for c in columns]
        id_col = _column(model, "id")
        stmt = select(id_col, *cols).where(_column(model, "tenant_id") == self.tenant.id)
        changed = 0
        for rid, *values in self.session.execute(stmt):
            new = [_scrub_value(scrub, v) for v in values]
            if new != values:
                values_by_column = dict(zip(columns, new, strict=True))
                update_stmt = update(model).where(id_col == rid).values(values_by_column)
                self.session.execute(update_stmt.execution_options(synchronize_session=False))
                changed += 1
        return changed


def _scrub_value(scrub: Scrubber, value: Any) -> Any:
    """JSON stored as text (a roster's last match) is read, scrubbed and written back."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return scrub.text(value)
        cleaned = scrub.json(parsed)
        return value if cleaned == parsed else json.dumps(cleaned)
    return scrub.json(value)


def row(obj: Any) -> dict[str, Any]:
    """A model row as JSON-ready data (dates as ISO text, decimals as text; no secrets)."""
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns
            if c.key not in SECRET_COLUMNS}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # enum members
    return value


def _dump(data: Any) -> str:
    return json.dumps(data, indent=1, sort_keys=True, default=str) + "\n"


def _column(model: type[Any], name: str) -> InstrumentedAttribute[Any]:
    attribute: InstrumentedAttribute[Any] = getattr(model, name)
    return attribute


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
