"""`lti-pathing audit …`: export the audit trail, set retention, purge, and a person's data
(access and erasure requests) — what the admin's "Audit and data" page does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lti_pathing.cli_common import command_tenant
from lti_pathing.db import transaction
from lti_pathing.errors import LtiPathingError

TENANT_HELP = "Tenant slug (default: DEFAULT_TENANT)."


@click.group("audit", cls=AppGroup)
def audit() -> None:
    """The audit trail and people's data rights."""


@audit.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def audit_export(start: dt.datetime, end: dt.datetime, fmt: str, slug: str | None) -> None:
    """Print the records of a date range (both days included, UTC)."""
    from lti_pathing.services.audit.trail import AuditService

    try:
        with transaction(current_app) as session:
            service = AuditService(session, command_tenant(session, slug))
            body = service.export(start.date(), end.date(), fmt)
            service.record("audit_exported", None, data={"from": start.date().isoformat(),
                           "to": end.date().isoformat(), "format": fmt, "by": "cli"})  # fmt: skip
    except LtiPathingError as error:
        raise click.ClickException(_message(error)) from None
    click.echo(body, nl=False)


@audit.command("retention")
@click.argument("days", required=False, type=int)
@click.option("--forever", is_flag=True, help="Keep records for good.")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def audit_retention(days: int | None, forever: bool, slug: str | None) -> None:
    """Show the retention, or set it to DAYS (or --forever)."""
    from lti_pathing.services.audit.trail import AuditService

    try:
        with transaction(current_app) as session:
            service = AuditService(session, command_tenant(session, slug))
            if days is not None or forever:
                service.set_retention(None if forever else days, None)
            kept = service.tenant.audit_retention_days
    except LtiPathingError as error:
        raise click.ClickException(_message(error)) from None
    click.echo(f"audit records are kept {f'{kept} days' if kept else 'for good'}")


@audit.command("purge")
def audit_purge() -> None:
    """Delete every tenant's records older than its retention (what the daily job runs)."""
    from lti_pathing.jobs.retention import purge_all

    click.echo(f"purged {purge_all(current_app)} audit record(s)")


@audit.command("person-export")
@click.argument("person")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a ZIP here (default: JSON on standard output).")  # fmt: skip
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def audit_person_export(person: str, out: Path | None, slug: str | None) -> None:
    """Everything about PERSON (employee id or e-mail) — an access request."""
    from lti_pathing.services.access import AccessService
    from lti_pathing.services.audit.people import PersonDataService

    try:
        with transaction(current_app) as session:
            tenant = command_tenant(session, slug)
            found = AccessService(session, tenant).find_person(person)
            service = PersonDataService(session, tenant)
            if out is not None:
                out.write_bytes(service.export_zip(found.id, None))
            else:
                click.echo(json.dumps(service.export(found.id, None), indent=1, sort_keys=True))
    except LtiPathingError as error:
        raise click.ClickException(_message(error)) from None
    if out is not None:
        click.echo(f"wrote {out}")


@audit.command("person-erase")
@click.argument("person")
@click.option("--reason", required=True, help="Why (the request's reference; not their name).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--tenant", "slug", default=None, help=TENANT_HELP)
def audit_person_erase(person: str, reason: str, yes: bool, slug: str | None) -> None:
    """Anonymise PERSON (employee id or e-mail) — an erasure request; cannot be undone."""
    from lti_pathing.services.access import AccessService
    from lti_pathing.services.audit.people import PersonDataService

    if not yes:
        click.confirm(f"Erase the identifying data of {person}? This cannot be undone", abort=True)
    try:
        with transaction(current_app) as session:
            tenant = command_tenant(session, slug)
            found = AccessService(session, tenant).find_person(person)
            done = PersonDataService(session, tenant).erase(found.id, None, reason)
    except LtiPathingError as error:
        raise click.ClickException(_message(error)) from None
    changed = ", ".join(f"{k} {v}" for k, v in sorted(done.counts.items()) if v)
    click.echo(f"erased person {done.person_id} ({changed or 'nothing else held'})")


def _message(error: LtiPathingError) -> str:
    details = "; ".join(f"{k}: {' '.join(v)}" for k, v in (error.errors or {}).items())
    return f"{error.message} ({details})" if details else error.message
