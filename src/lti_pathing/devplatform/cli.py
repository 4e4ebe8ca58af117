"""`lti-pathing devplatform`: run the development LTI platform next to a running tool."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lti_pathing.devplatform.config import Client, PlatformConfig, demo_config, stored_private_key

KEY_FILE = "devplatform_key.pem"


def register_with_tool(app: Flask, config: PlatformConfig, tenant_slug: str) -> bool:
    """Register the platform's clients with the tool (idempotent); True if anything was added."""
    from lti_pathing.db import transaction
    from lti_pathing.lti.identity import PRODUCTS
    from lti_pathing.lti.platforms import PlatformService, PlatformSpec
    from lti_pathing.models import PlatformRegistration
    from lti_pathing.services.tenants import TenantService

    added = False
    with transaction(app) as session:
        service = PlatformService(session, TenantService(session).get_or_create(tenant_slug))
        for client in config.clients:
            row = session.scalar(
                select(PlatformRegistration).where(
                    PlatformRegistration.issuer == config.issuer,
                    PlatformRegistration.client_id == client.client_id,
                )
            )
            if row is None:
                service.add_platform(PlatformSpec(
                    issuer=config.issuer, client_id=client.client_id,
                    auth_login_url=f"{config.issuer}/auth", auth_token_url=f"{config.issuer}/token",
                    key_set_url=f"{config.issuer}/.well-known/jwks.json",
                    deployment_ids=[client.deployment_id], name="development platform",
                    lms=PRODUCTS.get(config.product_family_code),  # its admin roles' default
                ))  # fmt: skip
                added = True
            elif client.deployment_id not in {d.deployment_id for d in row.deployments}:
                service.add_deployments(row, [client.deployment_id])
                added = True
    return added


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def print_manual_registration(config: PlatformConfig, client: Client) -> None:
    """The `platform add` command that registers this platform by hand."""
    click.echo(
        "register by hand with: lti-pathing platform add "
        f"--issuer {config.issuer} --client-id {client.client_id} "
        f"--deployment-id {client.deployment_id} --auth-login-url {config.issuer}/auth "
        f"--auth-token-url {config.issuer}/token "
        f"--key-set-url {config.issuer}/.well-known/jwks.json --lms {config.product_family_code}"
    )


@click.command("devplatform")
@with_appcontext
@click.option("--port", default=5001, show_default=True, help="Port of the platform.")
@click.option(
    "--tool-url", default="http://127.0.0.1:5000", show_default=True,
    help="Base URL of the running tool (use another host name than the platform's).",
)  # fmt: skip
@click.option("--tenant", "slug", default=None, help="Tenant to register the platform in.")
@click.option(
    "--register/--no-register", default=True, show_default=True,
    help="Register the platform in the tool's database (idempotent).",
)  # fmt: skip
def devplatform(port: int, tool_url: str, slug: str | None, register: bool) -> None:
    """Run the development LTI 1.3 platform (an LMS look-alike) at http://localhost:PORT."""
    from lti_pathing.devplatform import create_platform_app

    issuer = f"http://localhost:{port}"
    if tool_url.startswith("http://localhost"):
        raise click.UsageError("the tool must be on another origin: use http://127.0.0.1:PORT")
    if not _port_free(port):
        raise click.ClickException(f"port {port} is in use: stop what uses it or pass --port")
    key = stored_private_key(Path(current_app.instance_path) / KEY_FILE)
    config = demo_config(issuer, tool_url, private_key_pem=key)
    config.secure_cookies = True  # a real browser reaches /auth from the tool's site
    if register:
        slug = slug or current_app.config["DEFAULT_TENANT"]
        if register_with_tool(current_app, config, slug):
            click.echo(f"registered the platform with the tool (tenant {slug})")
    else:
        print_manual_registration(config, config.clients[0])
    click.echo(f"development platform: open {issuer}/ (tool at {tool_url})")
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", port, create_platform_app(config), threaded=True)


def connect_messaging(app: Flask, issuer: str, token: str, tenant_slug: str) -> None:
    """Make the platform's Moodle-style web services the tenant's Moodle connection (idempotent),
    so notifications reach the demo people as LMS messages (its Messages page shows them)."""
    # Imported here, as in `register_with_tool`: the platform alone never loads the tool's models.
    from lti_pathing import crypto
    from lti_pathing.db import transaction
    from lti_pathing.models import Lms, LmsConnection
    from lti_pathing.services.tenants import TenantService

    with transaction(app) as session:
        tenant = TenantService(session).get_or_create(tenant_slug)
        row = session.scalar(
            select(LmsConnection).where(
                LmsConnection.tenant_id == tenant.id, LmsConnection.base_url == issuer
            )
        )
        if row is None:
            row = LmsConnection(tenant_id=tenant.id, kind=Lms.moodle, base_url=issuer, active=True)
            session.add(row)
        row.token_encrypted, row.token_hint = crypto.encrypt(token), crypto.mask(token)
