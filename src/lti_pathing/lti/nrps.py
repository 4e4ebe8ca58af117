"""LTI Names and Role Provisioning: the course roster, every page (`Link: rel="next"`) followed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from lti_pathing.errors import Invalid


@dataclass(frozen=True)
class Member:
    """A course member as the LMS lists them."""

    user_id: str
    name: str | None
    email: str | None
    roles: tuple[str, ...]
    active: bool


def roster(connector: ServiceConnector, memberships_url: str) -> list[Member]:
    """All members of the course behind `memberships_url` (all pages)."""
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": memberships_url})
    try:
        rows: list[dict[str, Any]] = list(service.get_members())  # type: ignore[arg-type]
    except LtiException as error:
        raise Invalid(f"the LMS refused the course roster: {error}") from error
    return [
        Member(
            user_id=str(row["user_id"]),
            name=row.get("name"),
            email=row.get("email"),
            roles=tuple(row.get("roles") or ()),
            active=row.get("status", "Active") == "Active",
        )
        for row in rows
    ]
