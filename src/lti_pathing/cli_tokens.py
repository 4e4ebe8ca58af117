"""`lti-pathing token …`: REST API tokens — create (scopes, expiry), list, revoke."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from lti_pathing.cli_common import command_tenant
from lti_pathing.db import transaction
from lti_pathing.errors import LtiPathingError
from lti_pathing.models.tokens import SCOPES

TENANT_HELP = "Tenant slug (default: DEFAULT_TENANT)."


def when(value: dt.datetime | None, empty: str = "-") -> str:
    """A stored instant as the lists show it (UTC, to the minute)."""
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else empty


@click.group("token", cls=AppGroup)
def token() -> None:
    """API tokens for the REST API."""


@token.command("create")
@click.argument("name")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
@click.option(
    "--scope", "scopes", multiple=True, type=click.Choice(SCOPES),
    help="What the token may do (repeat for several): read = GET calls, write = other calls, "
    "import = the bulk import. Default: all three.",
)  # fmt: skip
@click.option(
    "--valid-until", "valid_until", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="Last day (UTC) the token works, YYYY-MM-DD. Default: no expiry.",
)  # fmt: skip
def token_create(
    name: str, slug: str | None, scopes: tuple[str, ...], valid_until: dt.datetime | None
) -> None:
    """Create a token and print its secret (shown only this once)."""
    from lti_pathing.services.api_tokens import ApiTokenService, end_of_day

    expires = end_of_day(valid_until.date()) if valid_until is not None else None
    try:
        with transaction(current_app) as session:
            service = ApiTokenService(session, command_tenant(session, slug))
            created, secret = service.create_token(name, None, scopes or SCOPES, expires)
            prefix, held = created.prefix, created.scopes
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    click.echo(secret)
    click.echo(f"token {prefix} created with scopes {' '.join(held)}; store the secret now, it "
               "is not shown again", err=True)  # fmt: skip


@token.command("list")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def token_list(slug: str | None) -> None:
    """List tokens: prefix, name, scopes, created, last used, state (active, expired, revoked)."""
    from lti_pathing.services.api_tokens import ApiTokenService, token_state

    with transaction(current_app) as session:
        service = ApiTokenService(session, command_tenant(session, slug))
        now = service.clock()
        for t in service.list_tokens():
            click.echo(f"{t.prefix}  {t.name}  scopes {','.join(t.scopes)}  created "
                       f"{when(t.created_at)}  last used {when(t.last_used_at, 'never')}  "
                       f"{token_state(t, now)}")  # fmt: skip


@token.command("revoke")
@click.argument("prefix")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def token_revoke(prefix: str, slug: str | None, yes: bool) -> None:
    """Revoke the token with this prefix; it is refused from now on (asks first)."""
    from lti_pathing.services.api_tokens import ApiTokenService

    try:
        with transaction(current_app) as session:
            service = ApiTokenService(session, command_tenant(session, slug))
            found = service.find_token(prefix)
            if found.revoked_at is None and not yes:
                click.confirm(
                    f"Revoke token {prefix} ({found.name}, last used "
                    f"{when(found.last_used_at, 'never')})? Every system using it is refused "
                    "at once, and it cannot be undone.",
                    abort=True,
                )
            service.revoke_token(prefix)
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"token {prefix} revoked")
