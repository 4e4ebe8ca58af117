"""`lti-pathing …` commands."""

from __future__ import annotations

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
