"""`lti-pathing lms …`: connect an LMS, list connections, sync, import a completions CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

lms = AppGroup("lms", help="LMS connections and completion sync.")
TENANT = click.option(
    "--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT)."
)


def _tenant(session: Any, slug: str | None) -> Any:
    from lti_pathing.errors import NotFound
    from lti_pathing.services.tenants import TenantService

    try:
        return TenantService(session).by_slug(slug or current_app.config["DEFAULT_TENANT"])
    except NotFound as error:
        raise click.ClickException(error.message) from None


@lms.command("connect")
@click.argument("kind", type=click.Choice(["moodle", "canvas"]))
@click.option("--url", required=True, help="The LMS address, e.g. https://moodle.example.org")
@click.option(
    "--token",
    envvar="LMS_TOKEN",
    prompt="LMS web service token",
    hide_input=True,
    help="Moodle web service token or Canvas access token (else $LMS_TOKEN, else a prompt).",
)
@TENANT
@click.option(
    "--no-check", is_flag=True, help="Store the token without trying it against the LMS first."
)
def connect(kind: str, url: str, token: str, slug: str | None, no_check: bool) -> None:
    """Add an LMS connection (or replace its token) after checking it; stored encrypted."""
    from lti_pathing.db import transaction
    from lti_pathing.errors import LtiPathingError
    from lti_pathing.lms.check import check_token
    from lti_pathing.models import Lms
    from lti_pathing.services.completions.connections import (
        LmsConnectionService,
        check_token_first,
    )

    try:
        with transaction(current_app) as session:
            _tenant(session, slug)  # an unknown tenant is refused before the LMS is asked
        # The LMS is asked outside any transaction; then the connection is stored.
        url, token = check_token_first(Lms(kind), url, token, None if no_check else check_token)
        with transaction(current_app) as session:
            service = LmsConnectionService(session, _tenant(session, slug))
            connection = service.connect(Lms(kind), url, token)
            shown = f"{connection.kind} {connection.base_url} token {connection.token_hint}"
    except LtiPathingError as error:
        raise click.ClickException(_describe(error)) from None
    click.echo(f"connected {shown}")


def _describe(error: Any) -> str:
    details = error.errors if isinstance(error.errors, dict) else {}
    parts = [f"{field}: {'; '.join(msgs)}" for field, msgs in details.items()]
    return str(error.message) + (f" ({', '.join(parts)})" if parts else "")


@lms.command("check")
@TENANT
def check(slug: str | None) -> None:
    """Try each active connection's token: the missing function, capability or permission is
    named; exits 1 when anything must be fixed."""
    from lti_pathing import crypto
    from lti_pathing.db import transaction
    from lti_pathing.lms.check import Finding, diagnose
    from lti_pathing.services.completions.connections import LmsConnectionService

    with transaction(current_app) as session:
        service = LmsConnectionService(session, _tenant(session, slug))
        targets = [
            (c.kind, c.base_url, c.token_encrypted, service.probe(c.kind)) for c in service.active()
        ]
    if not targets:
        raise click.ClickException("no active connection; add one with: lti-pathing lms connect")
    problems = 0
    for kind, url, encrypted, probe in targets:
        click.echo(f"{kind} {url}")
        try:
            findings = diagnose(kind, url, crypto.decrypt(encrypted), probe)
        except crypto.DecryptionError as error:
            findings = [Finding("problem", str(error))]
        for finding in findings:
            problems += finding.level == "problem"
            click.echo(f"  {finding.level:<8}{finding.text}")
    if problems:
        raise SystemExit(1)


@lms.command("list")
@TENANT
def list_(slug: str | None) -> None:
    """List the tenant's LMS connections (tokens masked) and their last sync."""
    from lti_pathing.db import transaction
    from lti_pathing.services.completions.connections import LmsConnectionService

    with transaction(current_app) as session:
        service = LmsConnectionService(session, _tenant(session, slug))
        for c in service.list_connections():
            run = service.last_run(c)
            last = (
                f"last sync {run.started_at:%Y-%m-%d %H:%M} {run.status}" if run else "never synced"
            )
            state = "active" if c.active else "inactive"
            click.echo(f"{c.kind}  {c.base_url}  token {c.token_hint}  {state}  {last}")


@lms.command("sync")
@TENANT
@click.option("--person", "employee_id", default=None, help="Only this person (employee id).")
def sync(slug: str | None, employee_id: str | None) -> None:
    """Fetch completions now; exits 1 when a run failed or was stopped."""
    from lti_pathing.db import database
    from lti_pathing.lms.sync import sync_person, sync_tenant
    from lti_pathing.models import Person, SyncStatus
    from lti_pathing.services.base import TenantService

    with database(current_app).sessions() as session:
        tenant = _tenant(session, slug)
        if employee_id is None:
            runs = sync_tenant(session, tenant, trigger="cli")
        else:
            person = TenantService(session, tenant).by_external_id(Person, employee_id)
            if person is None:
                raise click.ClickException(f"no person {employee_id!r} in tenant {tenant.slug}")
            runs = sync_person(session, tenant, person, trigger="cli")
        if not runs:
            click.echo("nothing to sync: no active connection (or no LMS user id for the person)")
        for run in runs:
            _print_run(run)
        if any(r.status in (SyncStatus.aborted, SyncStatus.failed) for r in runs):
            raise SystemExit(1)


def _print_run(run: Any) -> None:
    click.echo(
        f"{run.connection.kind} {run.connection.base_url}: {run.status}; "
        f"{run.people_synced}/{run.people_total} people, {run.fetched} completion(s) fetched, "
        f"{run.recorded} new, {run.evidence_created} evidence, {run.items_completed} item(s) done"
    )
    if run.message:
        click.echo(f"  {run.message}", err=True)
    for failure in run.failures[:20]:
        where = f" course {failure['course']}" if failure.get("course") else ""
        click.echo(f"  {failure['person']}{where}: {failure['message']}", err=True)
    if len(run.failures) > 20:
        click.echo(f"  … and {len(run.failures) - 20} more failure(s)", err=True)


@lms.command("import-completions")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@TENANT
@click.option("--dry-run", is_flag=True, help="Check and count, but write nothing.")
def import_completions(path: Path, slug: str | None, dry_run: bool) -> None:
    """Import a completions CSV (all or nothing); every error is printed with its line."""
    from lti_pathing.db import transaction
    from lti_pathing.errors import LtiPathingError
    from lti_pathing.services.completions.upload import CompletionUploadService
    from lti_pathing.services.transfer.importer import ImportRejected

    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    try:
        with transaction(current_app) as session:
            service = CompletionUploadService(session, _tenant(session, slug))
            report = service.import_csv(path.name, data, dry_run)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(rejected.problems)} error(s); nothing was written", err=True)
        raise SystemExit(2) from None
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing written")
