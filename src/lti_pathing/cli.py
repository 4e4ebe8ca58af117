"""`lti-pathing …` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from lti_pathing import create_app
from lti_pathing.config import SettingsError


def _app_for_cli() -> Flask:
    try:
        return create_app()
    except SettingsError as error:  # a clear one-line message, not a traceback
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_app_for_cli, add_version_option=False)
def main() -> None:
    """lti-pathing: career pathing inside the LMS."""


@main.command("plan", with_appcontext=False)
@click.argument("request_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--time-limit", type=float, default=None, help="Override options.time_limit_s.")
@click.option("--no-explain", is_flag=True, help="Skip the what-if re-solves for open gaps.")
def plan(request_file: str, time_limit: float | None, no_explain: bool) -> None:
    """Solve a planning request (JSON file, or - for stdin) and print the response."""
    # Imported here: the solver needs no app, and the web app needs no solver to start.
    from solver.cli import run_plan_command  # type: ignore[import-not-found,import-untyped,unused-ignore]

    raise SystemExit(run_plan_command(request_file, time_limit, explain=not no_explain))


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration."""
    from lti_pathing import migrate
    from lti_pathing.db import database

    with database(current_app).engine.begin() as connection:
        migrate.upgrade(connection)
    click.echo("database is at the latest schema")


@main.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--no-people", is_flag=True, help="Leave people out (catalog and roles only).")
def export(path: Path, slug: str | None, fmt: str, no_people: bool) -> None:
    """Write the tenant's catalog, job architecture and people to PATH (file or CSV folder)."""
    from lti_pathing.db import transaction
    from lti_pathing.errors import LtiPathingError
    from lti_pathing.services.tenants import TenantService
    from lti_pathing.services.transfer.export import ExportService

    with transaction(current_app) as session:
        try:
            tenant = TenantService(session).by_slug(slug or current_app.config["DEFAULT_TENANT"])
        except LtiPathingError as error:
            raise click.ClickException(error.message) from None
        service = ExportService(session, tenant)
        if fmt == "csv":
            files = service.write_csv(path, people=not no_people)
            click.echo(f"wrote {len(files)} CSV files to {path}")
            return
        document = service.document(people=not no_people)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {path}")
