"""`lti-pathing …` commands."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from lti_pathing import create_app
from lti_pathing.cli_common import command_tenant
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
    from lti_pathing.lti.keys import ensure_tool_key

    click.echo(f"tool signing key {ensure_tool_key(current_app)}")


@main.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
@click.option(
    "--format", "fmt", default="json",
    type=click.Choice(["json", "csv", "moodle-csv", "canvas-csv"]),
    help="json or csv: the whole tenant (docs/import-format.md); moodle-csv, canvas-csv: its "
    "skills as a Moodle competency framework or Canvas outcomes (docs/interop.md).",
)  # fmt: skip
@click.option("--no-people", is_flag=True, help="Leave people out (catalog and roles only).")
def export(path: Path, slug: str | None, fmt: str, no_people: bool) -> None:
    """Write the tenant's catalog, job architecture and people to PATH (file or CSV folder)."""
    from lti_pathing.db import transaction
    from lti_pathing.errors import LtiPathingError
    from lti_pathing.interop.export import FrameworkExportService
    from lti_pathing.services.tenants import TenantService
    from lti_pathing.services.transfer.export import ExportService

    with transaction(current_app) as session:
        try:
            tenant = TenantService(session).by_slug(slug or current_app.config["DEFAULT_TENANT"])
        except LtiPathingError as error:
            raise click.ClickException(error.message) from None
        if fmt in ("moodle-csv", "canvas-csv"):
            text = FrameworkExportService(session, tenant).write(fmt)
            path.write_text(text, encoding="utf-8", newline="")
            click.echo(f"wrote {path}")
            return
        service = ExportService(session, tenant)
        if fmt == "csv":
            files = service.write_csv(path, people=not no_people)
            click.echo(f"wrote {len(files)} CSV files to {path}")
            return
        document = service.document(people=not no_people)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {path}")


def _run_import(slug: str | None, dry_run: bool, read: Any, create: bool = False) -> None:
    """Import what `read()` returns; print the report, or every error and exit with status 2."""
    from lti_pathing.db import transaction
    from lti_pathing.errors import LtiPathingError
    from lti_pathing.services.transfer.importer import ImportRejected, ImportService

    try:
        with transaction(current_app) as session:
            service = ImportService(session, command_tenant(session, slug, create))
            report = service.import_document(read(), dry_run)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(rejected.problems)} error(s); nothing was written", err=True)
        raise SystemExit(2) from None
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    for note in report.notes:
        click.echo(note)
    for removal in report.removals:
        click.echo(f"{'would be ' if dry_run else ''}removed: {removal.removesuffix(' removed')}")
    done = "would change" if dry_run else "changed"
    click.echo(
        f"{done} {report.changed} record(s)" + (" (dry run: nothing written)" if dry_run else "")
    )


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
@click.option("--dry-run", is_flag=True, help="Check and count, but write nothing.")
@click.option(
    "--format", "fmt", default="auto",
    type=click.Choice(["auto", "native", "moodle-csv", "canvas-csv", "case-json", "onet-text"]),
    help="auto (default): told by the content; native: the lti-pathing format; moodle-csv, "
    "canvas-csv, case-json, onet-text (a folder or ZIP): read as that framework format "
    "(docs/interop.md).",
)  # fmt: skip
@click.option(
    "--map", "maps", multiple=True, metavar="SOURCE_ID=SKILL_ID",
    help="A framework's skill (its id there) is this skill of the tenant; repeatable.",
)  # fmt: skip
def import_(path: Path, slug: str | None, dry_run: bool, fmt: str, maps: tuple[str, ...]) -> None:
    """Import a JSON document, a CSV file, a folder or ZIP of CSV files, or a framework file
    (Moodle competency framework CSV, Canvas outcomes CSV, CASE package): all or nothing."""
    from lti_pathing.interop import onet
    from lti_pathing.interop.formats import parse_mapping, read_any, read_onet_folder
    from lti_pathing.services.transfer.reader import read_path

    def read() -> Any:
        try:
            if path.is_file():
                mapping = parse_mapping(",".join(maps))
                native = lambda: read_path(path)  # noqa: E731 - read only if not a framework
                return read_any(path.name, path.read_bytes(), fmt, native, mapping)
            if path.is_dir() and fmt in ("auto", "onet-text"):
                names = [child.name for child in path.iterdir()]
                if fmt == "onet-text" or onet.looks_like(names):
                    return read_onet_folder(path)
            if fmt not in ("auto", "native"):
                raise click.ClickException(f"{path}: a {fmt} framework is one file")
            return read_path(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise click.ClickException(f"cannot read {path}: {error}") from None

    _run_import(slug, dry_run, read)


@main.command("seed-demo")
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
def seed_demo(slug: str | None) -> None:
    """Create the tenant if needed and add what is missing of the sample organisation.

    Safe to repeat: stored records (an admin's edits included) are never changed.
    """
    from lti_pathing.db import transaction
    from lti_pathing.errors import LtiPathingError
    from lti_pathing.services.sample_org import SampleOrgService

    try:
        with transaction(current_app) as session:
            report = SampleOrgService(session, command_tenant(session, slug, True)).load()
    except LtiPathingError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"changed {report.changed} record(s)")


def _add_devplatform() -> None:
    # The development platform needs the `demo` extra (lti1p3platform); without it the command
    # says how to install it instead of breaking every other command.
    try:
        from lti_pathing.devplatform.cli import devplatform
        from lti_pathing.devplatform.demo import demo
    except ImportError as error:
        reason = str(error)

        @main.command("devplatform")
        def devplatform_missing() -> None:
            """Run the development LTI platform (needs: pip install 'lti-pathing[demo]')."""
            raise click.ClickException(f"{reason}: install it with pip install 'lti-pathing[demo]'")

        @main.command("demo")
        def demo_missing() -> None:
            """Run the demo: tool and development LMS (needs: pip install 'lti-pathing[demo]')."""
            raise click.ClickException(f"{reason}: install it with pip install 'lti-pathing[demo]'")

        return
    main.add_command(devplatform)
    main.add_command(demo)


@main.command("registration-link")
@click.option(
    "--base-url",
    default=None,
    help="The tool's public URL (default: PUBLIC_URL), e.g. https://lti.example.com",
)
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
def registration_link(base_url: str | None, slug: str | None) -> None:
    """Print the LTI dynamic registration URL for Moodle or Canvas (valid for 7 days)."""
    from lti_pathing.db import transaction
    from lti_pathing.lti.registration import invite_url

    base_url = base_url or current_app.config["PUBLIC_URL"]
    if not base_url:
        raise click.UsageError("give --base-url, or set LTI_PATHING_PUBLIC_URL")
    with transaction(current_app) as session:
        tenant = command_tenant(session, slug)
        click.echo(invite_url(base_url, tenant.slug))


def _register_commands() -> None:
    """The command groups that live beside their part: LTI, LMS, access, tokens, jobs, demo."""
    from lti_pathing.cli_access import access
    from lti_pathing.cli_audit import audit
    from lti_pathing.cli_credentials import credentials
    from lti_pathing.cli_jobs import COMMANDS
    from lti_pathing.cli_tokens import token
    from lti_pathing.lms.cli import lms
    from lti_pathing.lti.commands import keys, platform

    for command in (platform, keys, lms, access, audit, token, credentials, *COMMANDS):
        main.add_command(command)
    _add_devplatform()


_register_commands()
