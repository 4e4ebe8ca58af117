"""`lti-pathing platform …` (manual registration) and `lti-pathing keys …` (the tool's keys)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup

from lti_pathing.cli_common import command_tenant
from lti_pathing.db import transaction
from lti_pathing.errors import Invalid, LtiPathingError
from lti_pathing.lti.presets import PRESETS, fill

if TYPE_CHECKING:
    from lti_pathing.models import PlatformRegistration

TENANT_HELP = "Tenant slug (default: DEFAULT_TENANT)."
ADMIN_ROLE_HELP = (
    "An LMS role (full URI) that makes a launch a tool admin (repeatable). Default by --lms: "
    "Moodle and others http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator, "
    "Canvas .../system/person#SysAdmin (Canvas sends institution/person#Administrator for any "
    "account role)."
)


def _fail(error: LtiPathingError) -> click.ClickException:
    """A one-line CLI error from a domain error, field problems included."""
    lines = [error.message]
    if isinstance(error, Invalid) and isinstance(error.errors, dict):
        lines += [f"  --{k.replace('_', '-')}: {'; '.join(v)}" for k, v in error.errors.items()]
    return click.ClickException("\n".join(lines))


@click.group("platform", cls=AppGroup)
def platform() -> None:
    """LTI 1.3 platforms (LMS registrations) of a tenant."""


@platform.command("add")
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default=None,
    help="Fill issuer and endpoints for Canvas cloud: production, beta or test.",
)
@click.option(
    "--issuer", default="", help="The platform's issuer (iss), e.g. https://lms.example.edu"
)
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option(
    "--deployment-id", "deployment_ids", multiple=True, help="Deployment id (repeatable)."
)
@click.option("--auth-login-url", default="", help="The platform's OIDC authorization endpoint.")
@click.option("--auth-token-url", default="", help="The platform's OAuth 2 token endpoint.")
@click.option("--key-set-url", default="", help="The platform's public key set (JWKS) URL.")
@click.option("--name", default="", help="A label for administrators.")
@click.option("--pending-deployment", is_flag=True, help="Record the first launch's deployment id.")
@click.option("--lms", type=click.Choice(["moodle", "canvas"]), default=None,
              help="The LMS product: chooses the default --admin-role.")  # fmt: skip
@click.option("--admin-role", "admin_roles", multiple=True, help=ADMIN_ROLE_HELP)
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_add(slug: str | None, deployment_ids: tuple[str, ...], pending_deployment: bool,
                 lms: str | None, admin_roles: tuple[str, ...], preset: str | None,
                 **fields: str) -> None:  # fmt: skip
    """Register the tool with a platform (issuer + client_id) and its deployment ids."""
    from lti_pathing.lti.platforms import PlatformService, PlatformSpec
    from lti_pathing.models import Lms

    fields = fill(preset, fields)
    if preset and not lms:
        lms = "canvas"  # every preset is a Canvas cloud environment
    spec = PlatformSpec(
        issuer=fields["issuer"],
        client_id=fields["client_id"],
        auth_login_url=fields["auth_login_url"],
        auth_token_url=fields["auth_token_url"],
        key_set_url=fields["key_set_url"],
        name=fields["name"],
        deployment_ids=list(deployment_ids),
        deployment_pending=pending_deployment,
        lms=Lms(lms) if lms else None,
        admin_roles=list(admin_roles) or None,
    )
    try:
        with transaction(current_app) as session:
            row = PlatformService(session, command_tenant(session, slug, create=True)).add_platform(
                spec
            )
            summary = f"{row.issuer} client_id {row.client_id}"
    except LtiPathingError as error:
        raise _fail(error) from None
    click.echo(f"registered {summary}")


@platform.command("list")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_list(slug: str | None) -> None:
    """List registrations: issuer, client_id, state, deployments, admin roles, and what
    dynamic registration granted."""
    from lti_pathing.lti.platforms import PlatformService

    with transaction(current_app) as session:
        for row in PlatformService(session, command_tenant(session, slug)).list_platforms():
            state = "active" if row.active else "disabled"
            click.echo(f"{row.issuer}  client_id {row.client_id}  {state}")
            click.echo(f"  deployments: {_deployments(row)}")
            click.echo(f"  admin roles: {', '.join(row.admin_roles) or 'none'}")
            outcome = row.outcome()
            if outcome is not None:
                refused = outcome["placements"]["refused"] + outcome["scopes"]["refused"]
                click.echo(f"  placements granted: {', '.join(outcome['placements']['granted'])}")
                click.echo(f"  not granted at registration: {', '.join(refused) or 'nothing'}")


def _deployments(row: PlatformRegistration) -> str:
    """'2 (7:abc, 8:def (revoked))': how many, then which."""
    if not row.deployments:
        return "0 (pending first launch)" if row.deployment_pending else "0"
    ids = ", ".join(d.deployment_id + ("" if d.active else " (revoked)") for d in row.deployments)
    return f"{len(row.deployments)} ({ids})"


def _set_active(slug: str | None, issuer: str, client_id: str | None, active: bool) -> None:
    from lti_pathing.lti.platforms import PlatformService

    try:
        with transaction(current_app) as session:
            service = PlatformService(session, command_tenant(session, slug))
            service.set_platform_active(service.find(issuer, client_id), active)
    except LtiPathingError as error:
        raise _fail(error) from None
    click.echo(f"{issuer} {'enabled' if active else 'disabled'}")


@platform.command("disable")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None, help="Needed when the issuer has several.")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_disable(issuer: str, client_id: str | None, slug: str | None) -> None:
    """Refuse logins and launches from a registration (kept, can be enabled again)."""
    _set_active(slug, issuer, client_id, False)


@platform.command("enable")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None, help="Needed when the issuer has several.")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_enable(issuer: str, client_id: str | None, slug: str | None) -> None:
    """Accept logins and launches from a disabled registration again."""
    _set_active(slug, issuer, client_id, True)


@platform.command("admin-roles")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None, help="Needed when the issuer has several.")
@click.argument("roles", nargs=-1)
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_admin_roles(issuer: str, client_id: str | None, roles: tuple[str, ...],
                         slug: str | None) -> None:  # fmt: skip
    """Set the LMS roles (full URIs) that make a launch a tool admin; none: only marked people."""
    from lti_pathing.lti.platforms import PlatformService

    try:
        with transaction(current_app) as session:
            service = PlatformService(session, command_tenant(session, slug))
            service.set_admin_roles(service.find(issuer, client_id), roles)
    except LtiPathingError as error:
        raise _fail(error) from None
    click.echo(f"admin roles of {issuer}: {', '.join(roles) or 'none'}")


def _set_deployment(slug: str | None, issuer: str, client_id: str | None, deployment_id: str,
                    active: bool) -> None:  # fmt: skip
    from lti_pathing.lti.platforms import PlatformService

    try:
        with transaction(current_app) as session:
            service = PlatformService(session, command_tenant(session, slug))
            service.set_deployment_active(service.find(issuer, client_id), deployment_id, active)
    except LtiPathingError as error:
        raise _fail(error) from None
    click.echo(f"deployment {deployment_id} of {issuer} {'restored' if active else 'revoked'}")


@platform.command("revoke-deployment")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None, help="Needed when the issuer has several.")
@click.option("--deployment-id", required=True)
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_revoke_deployment(issuer: str, client_id: str | None, deployment_id: str,
                               slug: str | None) -> None:  # fmt: skip
    """Refuse launches from one deployment (install) of a registration."""
    _set_deployment(slug, issuer, client_id, deployment_id, False)


@platform.command("restore-deployment")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None, help="Needed when the issuer has several.")
@click.option("--deployment-id", required=True)
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def platform_restore_deployment(issuer: str, client_id: str | None, deployment_id: str,
                                slug: str | None) -> None:  # fmt: skip
    """Accept launches from a revoked deployment again."""
    _set_deployment(slug, issuer, client_id, deployment_id, True)


@click.group("keys", cls=AppGroup)
def keys() -> None:
    """The tool's signing keys (published at /.well-known/jwks.json)."""


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


@keys.command("list")
def keys_list() -> None:
    """List keys: kid, state (signing, published, expired), created, retired."""
    from lti_pathing.columns import utcnow
    from lti_pathing.lti.keys import key_service

    with transaction(current_app) as session:
        service = key_service(session)
        service.ensure_key()
        for key in service.all_keys():
            state = key.state(utcnow(), service.overlap)
            click.echo(f"{key.kid}  {state}  created {_when(key.created_at)}  "
                       f"retired {_when(key.retired_at)}")  # fmt: skip


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the old one stays in the JWKS for KEY_OVERLAP_DAYS."""
    from lti_pathing.lti.keys import key_service

    with transaction(current_app) as session:
        service = key_service(session)
        key = service.rotate()
        kid, days = key.kid, service.overlap.days
    click.echo(f"new signing key {kid}; retired keys stay published for {days} day(s)")


@keys.command("prune")
def keys_prune() -> None:
    """Delete retired keys whose overlap period is over."""
    from lti_pathing.lti.keys import key_service

    with transaction(current_app) as session:
        pruned = key_service(session).prune()
    click.echo(f"pruned {len(pruned)} key(s)" + (": " + ", ".join(pruned) if pruned else ""))
