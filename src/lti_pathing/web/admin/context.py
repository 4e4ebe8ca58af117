"""The acting admin's tenant and services for one request, and list-page query parsing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, request
from sqlalchemy.orm import Session

from lti_pathing import db
from lti_pathing.auth import Actor, actor_or_raise
from lti_pathing.errors import PermissionDenied
from lti_pathing.input_guard import db_int
from lti_pathing.models import Tenant
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery
from lti_pathing.services.overview import OverviewService

S = TypeVar("S", bound=TenantService)


@dataclass
class AdminContext:
    """Who acts, in which tenant, with which database session."""

    session: Session
    actor: Actor
    tenant_id: int

    @property
    def tenant(self) -> Tenant:
        """The acting tenant (looked up again after a rollback)."""
        return self.session.get_one(Tenant, self.tenant_id)

    def service(self, cls: type[S]) -> S:
        """A tenant-scoped service acting as this admin."""
        return cls(self.session, self.tenant)

    def options(self, model: Any, label: str, active_only: bool = False) -> list[tuple[int, str]]:
        """(id, label) choices of a select box, from this tenant only."""
        return self.service(OverviewService).options(model, label, active_only)

    def rollback(self) -> None:
        """Drop whatever a refused change left in the session before the form is shown again."""
        self.session.rollback()


def admin_context() -> AdminContext:
    """The context of this request (the signed-in admin's tenant)."""
    if "admin_context" not in g:
        actor = actor_or_raise()
        session = db.session()
        tenant = session.get(Tenant, actor.tenant_id)
        if tenant is None or not tenant.active:
            raise PermissionDenied("your organisation is not active in lti-pathing")
        g.admin_context = AdminContext(session, actor, tenant.id)
    context: AdminContext = g.admin_context
    return context


def list_query() -> ListQuery:
    """Search text, active/retired filter and page from the query string (bad values ignored)."""
    args = request.args
    status = args.get("status", "all")
    active = {"active": True, "retired": False}.get(status)
    size = current_app.config["PAGE_SIZE"]
    per_page = _int(args.get("per_page"), size)
    per_page = min(max(per_page, 1), current_app.config["MAX_PAGE_SIZE"])
    page = max(_int(args.get("page"), 1), 1)
    search = (args.get("q") or "").strip()[:200] or None
    return ListQuery(search=search, active=active, page=page, per_page=per_page)


def int_arg(name: str) -> int | None:
    """An integer query-string filter; None when absent or not a number."""
    value = request.args.get(name)
    return _int(value, None) if value else None


def _int(value: Any, default: Any) -> Any:
    try:
        return db_int(value)
    except (TypeError, ValueError):
        return default
