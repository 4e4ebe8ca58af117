"""Platform registrations of a tenant: add (by hand or dynamic registration), list, disable."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from lti_pathing.errors import Conflict, Invalid, NotFound
from lti_pathing.lti.roles import default_admin_roles
from lti_pathing.models import Lms, PlatformDeployment, PlatformRegistration
from lti_pathing.services.base import TenantService


@dataclass
class PlatformSpec:
    """What it takes to register the tool with a platform."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str | None = None
    key_set: dict[str, Any] | None = None
    deployment_ids: list[str] = field(default_factory=list)
    auth_audience: str | None = None
    name: str = ""
    # No deployment id known yet (Canvas dynamic registration): the first launch records it.
    deployment_pending: bool = False
    # The LMS product, when known: it chooses the default admin-role allowlist.
    lms: Lms | None = None
    # LMS roles that make a launch a tool admin; None: the product's default (lti/roles.py).
    admin_roles: list[str] | None = None
    # Dynamic registration: what the platform granted and refused (lti/registration.py).
    outcome: dict[str, Any] | None = None


def url_problem(value: str | None) -> str | None:
    """Why `value` is not a usable http(s) URL, or None when it is."""
    if not value:
        return "is required"
    if any(ch.isspace() for ch in value):
        return f"{value!r} contains spaces"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return f"{value!r} must start with https:// (or http:// for a local test platform)"
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        return f"{value!r} has no valid host name"
    return None


def check_spec(spec: PlatformSpec) -> dict[str, list[str]]:
    """Field errors of a registration, empty when it is fine."""
    errors: dict[str, list[str]] = {}
    for name in ("issuer", "auth_login_url", "auth_token_url"):
        problem = url_problem(getattr(spec, name))
        if problem:
            errors[name] = [problem]
    if spec.key_set_url or not spec.key_set:
        problem = url_problem(spec.key_set_url)
        if problem:
            errors["key_set_url"] = [problem]
    if spec.key_set is not None and not isinstance(spec.key_set.get("keys"), list):
        errors["key_set"] = ['must be a JWKS: {"keys": [...]}']
    if not spec.client_id.strip():
        errors["client_id"] = ["is required"]
    if not spec.deployment_ids and not spec.deployment_pending:
        errors["deployment_ids"] = [
            "give at least one deployment id (or record the first launch's)"
        ]
    if any(not d.strip() for d in spec.deployment_ids):
        errors["deployment_ids"] = ["deployment ids must not be empty"]
    problem = admin_roles_problem(spec.admin_roles or [])
    if problem:
        errors["admin_role"] = [problem]
    return errors


def admin_roles_problem(roles: Iterable[str]) -> str | None:
    """Why an admin-role allowlist is unusable, or None (full role URIs, no spaces)."""
    for role in roles:
        if not role.strip() or any(ch.isspace() for ch in role.strip()):
            return f"{role!r} is not an LTI role (a URI without spaces)"
    return None


class PlatformService(TenantService):
    """Register platforms with the acting tenant and switch them on and off."""

    def add_platform(self, spec: PlatformSpec) -> PlatformRegistration:
        """Register (issuer, client_id) with its deployments; refused if taken or malformed."""
        errors = check_spec(spec)
        if errors:
            raise Invalid("the platform registration has errors", errors)
        taken = self.session.scalar(
            select(PlatformRegistration).where(
                PlatformRegistration.issuer == spec.issuer,
                PlatformRegistration.client_id == spec.client_id,
            )
        )
        if taken is not None:
            raise Conflict(f"client_id {spec.client_id!r} of {spec.issuer!r} is already registered")
        row = PlatformRegistration(
            issuer=spec.issuer,
            client_id=spec.client_id,
            name=spec.name,
            auth_login_url=spec.auth_login_url,
            auth_token_url=spec.auth_token_url,
            auth_audience=spec.auth_audience,
            key_set_url=spec.key_set_url,
            key_set=json.dumps(spec.key_set) if spec.key_set is not None else None,
            deployment_pending=spec.deployment_pending and not spec.deployment_ids,
            registration_outcome=json.dumps(spec.outcome) if spec.outcome is not None else None,
        )
        row.admin_roles = list(
            default_admin_roles(spec.lms) if spec.admin_roles is None else spec.admin_roles
        )
        row.deployments = [
            PlatformDeployment(tenant_id=self.tenant.id, deployment_id=d)
            for d in dict.fromkeys(spec.deployment_ids)
        ]
        return self.add(row)

    def list_platforms(self) -> list[PlatformRegistration]:
        """The tenant's registrations, by issuer and client_id."""
        stmt = self.scoped(PlatformRegistration).order_by(
            PlatformRegistration.issuer, PlatformRegistration.client_id
        )
        return list(self.session.scalars(stmt))

    def find(self, issuer: str, client_id: str | None = None) -> PlatformRegistration:
        """The tenant's registration for issuer (+ client_id when the issuer has several)."""
        rows = [r for r in self.list_platforms() if r.issuer == issuer]
        if client_id is not None:
            rows = [r for r in rows if r.client_id == client_id]
        if not rows:
            raise NotFound(f"no registration for {issuer!r}" + (
                f" with client_id {client_id!r}" if client_id else ""))  # fmt: skip
        if len(rows) > 1:
            raise Invalid(f"{issuer!r} has {len(rows)} registrations: name the client_id")
        return rows[0]

    def set_platform_active(self, row: PlatformRegistration, active: bool) -> None:
        """Enable or disable a registration (disabled: its logins and launches are refused)."""
        row.active = active
        self.flush()

    def set_admin_roles(self, row: PlatformRegistration, roles: Iterable[str]) -> None:
        """Replace the LMS roles that make a launch from this registration a tool admin."""
        roles = [r.strip() for r in roles if r.strip()]
        problem = admin_roles_problem(roles)
        if problem:
            raise Invalid("the admin roles have errors", {"admin_roles": [problem]})
        row.admin_roles = roles
        self.flush()

    def set_deployment_active(
        self, row: PlatformRegistration, deployment_id: str, active: bool
    ) -> PlatformDeployment:
        """Revoke (launches refused) or restore one deployment of a registration."""
        found = next((d for d in row.deployments if d.deployment_id == deployment_id), None)
        if found is None:
            raise NotFound(f"{row.issuer!r} client_id {row.client_id!r} has no deployment "
                           f"{deployment_id!r}")  # fmt: skip
        found.active = active
        self.flush()
        return found

    def add_deployments(self, row: PlatformRegistration, deployment_ids: Iterable[str]) -> None:
        """Add deployment ids to a registration (ones it has are left alone)."""
        have = {d.deployment_id for d in row.deployments}
        for deployment_id in deployment_ids:
            if deployment_id not in have:
                row.deployments.append(
                    PlatformDeployment(tenant_id=self.tenant.id, deployment_id=deployment_id)
                )
                have.add(deployment_id)
        row.deployment_pending = row.deployment_pending and not have
        self.flush()
