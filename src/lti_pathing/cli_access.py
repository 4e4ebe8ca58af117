"""`lti-pathing access …`: the tenant's grants (tool admins), how launches find people (SIS
ids), and the unmatched-launch policy."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from lti_pathing.cli_common import command_tenant
from lti_pathing.db import transaction
from lti_pathing.errors import LtiPathingError

TENANT_HELP = "Tenant slug (default: DEFAULT_TENANT)."


@click.group("access", cls=AppGroup)
def access() -> None:
    """Who is a tool admin, and what launches of unknown LMS users do."""


@access.command("admins")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def access_admins(slug: str | None) -> None:
    """List the people marked admin (LMS roles that grant admin: `platform list`)."""
    from lti_pathing.services.access import AccessService

    with transaction(current_app) as session:
        people = AccessService(session, command_tenant(session, slug)).admins()
        lines = [f"{p.name}  {p.external_id}  {p.email or ''}".rstrip() for p in people]
    click.echo("\n".join(lines) if lines else "nobody is marked admin")


def _set_admin(slug: str | None, person: str, admin: bool) -> None:
    from lti_pathing.services.access import AccessService

    try:
        with transaction(current_app) as session:
            service = AccessService(session, command_tenant(session, slug))
            found = service.find_person(person)
            service.set_admin(found, admin)
            name = found.name
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    state = "is now an admin" if admin else "is no longer an admin"
    click.echo(f"{name} {state} (from their next click)")


@access.command("grant")
@click.argument("person")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def access_grant(person: str, slug: str | None) -> None:
    """Mark PERSON (employee id or e-mail) an admin of the tool."""
    _set_admin(slug, person, True)


@access.command("revoke")
@click.argument("person")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def access_revoke(person: str, slug: str | None) -> None:
    """Withdraw the admin mark of PERSON (employee id or e-mail)."""
    _set_admin(slug, person, False)


@access.command("unmatched")
@click.argument("policy", type=click.Choice(["create", "refuse"]))
@click.option("--contact", default=None, help="Whom refused users should ask (shown to them).")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def access_unmatched(policy: str, contact: str | None, slug: str | None) -> None:
    """What a launch by an LMS user no person matches does: create a person, or refuse."""
    from lti_pathing.models import UnmatchedLaunch
    from lti_pathing.services.access import AccessService

    try:
        with transaction(current_app) as session:
            tenant = command_tenant(session, slug)
            AccessService(session, tenant).set_unmatched_launch(UnmatchedLaunch(policy), contact)
            told = tenant.access_contact
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    asked = f" (they are told to ask {told})" if told else ""
    click.echo(f"unmatched LMS users: {policy}{asked}")


@access.command("sis-id")
@click.argument("choice", type=click.Choice(["on", "off"]))
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def access_sis_id(choice: str, slug: str | None) -> None:
    """Whether the LMS's SIS user id (lis_person_sourcedid) finds people by employee id."""
    from lti_pathing.services.access import AccessService

    with transaction(current_app) as session:
        AccessService(session, command_tenant(session, slug)).set_match_sis_id(choice == "on")
    told = ("find people whose employee id it is" if choice == "on"
            else "is not used to find people")  # fmt: skip
    click.echo(f"the LMS's SIS user id (lis_person_sourcedid) {told}")
