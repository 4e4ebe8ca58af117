"""Tenants: created by operators (CLI) or LTI registration; looked up by slug."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Conflict, NotFound
from lti_pathing.models import Tenant


class TenantService:
    """Find and create tenants. Not tenant-scoped: it is where a tenant comes from."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_slug(self, slug: str) -> Tenant:
        """The tenant with this slug, or NotFound."""
        tenant = self.session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise NotFound(f"no tenant {slug!r}")
        return tenant

    def create(self, slug: str, name: str) -> Tenant:
        """Add a tenant; its slug must be new."""
        if self.session.scalar(select(Tenant).where(Tenant.slug == slug)) is not None:
            raise Conflict(f"tenant {slug!r} already exists")
        tenant = Tenant(slug=slug, name=name)
        self.session.add(tenant)
        self.session.flush()
        return tenant

    def get_or_create(self, slug: str, name: str | None = None) -> Tenant:
        """The tenant with this slug, created if missing (CLI convenience)."""
        tenant = self.session.scalar(select(Tenant).where(Tenant.slug == slug))
        return tenant if tenant is not None else self.create(slug, name or slug)
