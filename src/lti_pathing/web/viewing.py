"""What the journey views share: the acting person, their tenant, services, form parsing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask import request

from lti_pathing import db
from lti_pathing.auth import Actor, actor_or_raise, current_actor
from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import Tenant
from lti_pathing.services.base import TenantService

S = TypeVar("S", bound=TenantService)


def acting() -> tuple[Actor, Tenant]:
    """The signed-in actor and their (active) tenant."""
    actor = actor_or_raise()
    tenant = db.session().get(Tenant, actor.tenant_id)
    if tenant is None or not tenant.active:
        raise NotFound("this organisation is not set up in lti-pathing")
    return actor, tenant


def template_globals() -> dict[str, Actor | None]:
    """Context for every journey template: who is signed in (for the role-aware navigation)."""
    return {"current_actor": current_actor()}


def service(cls: type[S], tenant: Tenant) -> S:
    """A service of the acting tenant on this request's session."""
    return cls(db.session(), tenant)


def form_int(name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer form field, or Invalid naming the field."""
    raw = request.form.get(name, "").strip()
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{name} must be a whole number", {name: ["enter a whole number"]}) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise Invalid(f"{name} out of range", {name: [f"must be from {minimum} to {maximum}"]})
    return value


def optional_decimal(name: str, minimum: Decimal, maximum: Decimal) -> Decimal | None:
    """A decimal form field that may be left empty."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Invalid(f"{name} must be a number", {name: ["enter a number"]}) from None
    if not value.is_finite() or not minimum <= value <= maximum:
        raise Invalid(f"{name} out of range", {name: [f"must be from {minimum} to {maximum}"]})
    return value


def optional_date(name: str) -> dt.date | None:
    """An ISO date form field that may be left empty."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{name} must be a date", {name: ["use the form YYYY-MM-DD"]}) from None


def date_list(name: str, limit: int = 52) -> tuple[dt.date, ...]:
    """Dates separated by commas, spaces or new lines (blackout weeks)."""
    raw = request.form.get(name, "").replace(",", " ").split()
    if len(raw) > limit:
        raise Invalid(f"too many {name}", {name: [f"at most {limit} dates"]})
    try:
        return tuple(sorted({dt.date.fromisoformat(part) for part in raw}))
    except ValueError:
        raise Invalid(f"{name} must be dates", {name: ["dates of the form YYYY-MM-DD"]}) from None
