"""`lti-pathing credentials award`: award what people have earned, e.g. after a bulk import."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from lti_pathing.cli_common import command_tenant
from lti_pathing.db import transaction
from lti_pathing.services.credentials import CredentialService


@click.group("credentials", cls=AppGroup)
def credentials() -> None:
    """Open Badges credentials (docs/credentials.md)."""


@credentials.command("award")
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
def credentials_award(slug: str | None) -> None:
    """Award every credential the organisation's people have earned and not yet received.

    Evidence recorded one by one awards at once; the bulk import does not, so run this after it.
    """
    # Imported here: lti_pathing.cli imports this module to register the command (a cycle).

    with transaction(current_app) as session:
        awarded = CredentialService(session, command_tenant(session, slug)).award_everyone()
        names = [f"{c.person.name}: {c.achievement['name']}" for c in awarded]
    for line in names:
        click.echo(line)
    click.echo(f"{len(names)} credential(s) awarded", err=True)
