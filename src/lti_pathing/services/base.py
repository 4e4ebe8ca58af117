"""What every tenant-scoped service shares: scoped look-ups, version checks, guarded deletes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from lti_pathing.columns import utcnow
from lti_pathing.errors import Conflict, Invalid, NotFound, Reference, Referenced, StaleEdit
from lti_pathing.models import Tenant
from lti_pathing.models.base import TenantOwned
from lti_pathing.models.limits import DURATION_WEEKS, HOURS_MESSAGE, LEVEL_RANK, MENTOR_CAPACITY

M = TypeVar("M", bound=TenantOwned)

# CHECK constraints a change can break only in combination with stored values: which field to
# name, and what to say, when the database refuses one the services did not catch first.
CHECKS = {
    "window_order": ("latest_end", "must be after earliest_start"),
    "duration_range": ("duration_weeks", DURATION_WEEKS.message),
    "hours_quarters": ("hours_per_week", HOURS_MESSAGE),
    "cost_not_negative": ("cost", "must not be negative"),
    "seats_positive": ("seats", "must be at least 1"),
    "not_own_manager": ("manager_id", "a person cannot be their own manager"),
    "hours_positive": ("hours_per_week", "must be more than 0"),
    "no_self_edge": ("to_role_id", "a career path must lead to another role"),
    "level_rank_range": ("level_rank", LEVEL_RANK.message),
    "capacity_range": ("capacity", MENTOR_CAPACITY.message),
}


def broken_check(error: IntegrityError) -> Invalid | None:
    """The 422 for a CHECK constraint the database refused, naming the field; None otherwise."""
    text = str(error.orig)
    for name, (field, message) in CHECKS.items():
        if name in text and "check" in text.lower():
            return Invalid(f"{field} {message}", {field: [message]})
    return None


Clock = Callable[[], dt.datetime]


def label_of(obj: Any) -> str:
    """A human name for a record in messages: its title/name and external id."""
    name = getattr(obj, "title", None) or getattr(obj, "name", None) or f"#{obj.id}"
    external = getattr(obj, "external_id", None)
    return f"{name} ({external})" if external else str(name)


def column(model: type[Any], name: str) -> InstrumentedAttribute[Any]:
    """A mapped attribute of a model chosen at run time (typed for the query builder)."""
    attribute: InstrumentedAttribute[Any] = getattr(model, name)
    return attribute


class TenantService:
    """Base of the services that act inside one tenant; no method ever reads another tenant."""

    def __init__(self, session: Session, tenant: Tenant, clock: Clock = utcnow) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock

    def scoped(self, model: type[M]) -> Select[M]:
        """SELECT of `model` limited to the acting tenant."""
        return select(model).where(model.tenant_id == self.tenant.id)

    def get(self, model: type[M], record_id: int) -> M:
        """The record with this id in the acting tenant, or NotFound (also for other tenants')."""
        found = self.session.scalar(self.scoped(model).where(column(model, "id") == record_id))
        if found is None:
            raise NotFound(f"no {model.__name__} with id {record_id}")
        return found

    def optional(self, model: type[M], record_id: int | None) -> M | None:
        """Like `get`, but None passes through (an optional reference)."""
        return None if record_id is None else self.get(model, record_id)

    def by_external_id(self, model: type[M], external_id: str) -> M | None:
        """The record with this external id in the acting tenant, if any."""
        return self.session.scalar(
            self.scoped(model).where(column(model, "external_id") == external_id)
        )

    def check_version(self, obj: Any, expected_version: int | None) -> None:
        """Refuse an edit made on an older version than the stored one."""
        if expected_version is not None and obj.version != expected_version:
            raise StaleEdit(label_of(obj), expected_version, obj.version)

    def apply(self, obj: Any, changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
        """Set plain columns from `changes`; names outside `allowed` are a caller bug -> Invalid."""
        unknown = set(changes) - set(allowed)
        if unknown:
            raise Invalid("unknown fields", {name: ["unknown field"] for name in sorted(unknown)})
        for name, value in changes.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)

    def touch(self, obj: Any) -> None:
        """Mark a parent changed when only its children changed (bumps its version)."""
        obj.updated_at = self.clock()

    def require_unique_name(
        self, model: type[M], field: str, value: str, exclude_id: int | None = None
    ) -> None:
        """Names that people pick from lists are unique per tenant, compared case-insensitively."""
        stmt = self.scoped(model).where(func.lower(column(model, field)) == value.lower())
        if exclude_id is not None:
            stmt = stmt.where(column(model, "id") != exclude_id)
        if self.session.scalar(stmt) is not None:
            raise Invalid(f"{field} already used", {field: [f"{value!r} is already used"]})

    def flush(self) -> None:
        """Write pending changes now so that conflicts surface as domain errors, not at commit."""
        try:
            with self.session.begin_nested():
                self.session.flush()
        except StaleDataError as error:
            raise StaleEdit("the record", None, None) from error
        except IntegrityError as error:
            invalid = broken_check(error)
            if invalid is not None:
                raise invalid from error
            raise Conflict("the change clashes with a stored record (duplicate id?)") from error

    def add(self, obj: M) -> M:
        """Add a new record to the acting tenant and write it."""
        obj.tenant_id = self.tenant.id
        self.session.add(obj)
        self.flush()
        return obj

    def delete(self, obj: Any, expected_version: int | None, references: list[Reference]) -> None:
        """Delete `obj` unless something still refers to it (then Referenced with the list)."""
        self.check_version(obj, expected_version)
        if references:
            raise Referenced(label_of(obj), references)
        self.session.delete(obj)
        self.flush()

    def set_active(self, obj: Any, expected_version: int | None, active: bool) -> None:
        """Retire (active=False) or restore a record; retired records stay for history."""
        self.check_version(obj, expected_version)
        obj.active = active
        self.flush()
