"""What every command group of the CLI shares: the tenant a command acts on."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app

from lti_pathing.errors import NotFound
from lti_pathing.services.tenants import TenantService


def command_tenant(session: Any, slug: str | None, create: bool = False) -> Any:
    """The tenant a command acts on (DEFAULT_TENANT without --tenant); a clean error if unknown."""
    tenants = TenantService(session)
    wanted = slug or current_app.config["DEFAULT_TENANT"]
    try:
        return tenants.get_or_create(wanted) if create else tenants.by_slug(wanted)
    except NotFound as error:
        raise click.ClickException(error.message) from None
