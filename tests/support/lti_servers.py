"""The tool and the development platform on real HTTP servers, registered with each other.

One piece for the integration tier (a `requests` browser) and the browser tier (Chromium): the
tool is the real `create_app()` on 127.0.0.1 with its own SQLite database (committed for real, so
it is not the rolled-back test database), the sample organisation imported into tenant `acme`,
and the platform registered as two client ids of one issuer. The platform runs at
http://localhost:PORT — another site, as an LMS is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from lti_pathing import create_app, migrate
from lti_pathing.db import database, transaction
from lti_pathing.devplatform import create_platform_app
from lti_pathing.devplatform.config import (
    Client,
    PlatformConfig,
    ToolUrls,
    demo_people,
    generate_private_key,
)
from lti_pathing.devplatform.state import EXTENSION, PlatformState
from lti_pathing.lti.platforms import PlatformService, PlatformSpec
from lti_pathing.models import Lms
from lti_pathing.services.tenants import TenantService
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_json
from tests.support.servers import Browser, LiveServer

CLIENTS = (("client-a", "deploy-a"), ("client-b", "deploy-b"))
TENANT = "acme"


@dataclass
class LtiServers:
    """The running tool and platform."""

    tool: LiveServer
    platform: LiveServer
    tool_app: Flask
    platform_app: Flask

    @property
    def state(self) -> PlatformState:
        """The platform's memory (links, line items, tokens issued per client)."""
        state: PlatformState = self.platform_app.extensions[EXTENSION]
        return state

    def launch(self, browser: Browser, sub: str, link: str = "link-1") -> requests.Response:
        """As `sub`, open a course link: login, authorization, launch; the tool's answer."""
        browser.get(f"{self.platform.url}/as/{sub}")
        return browser.get(f"{self.platform.url}/launch/{link}")


def register_platform(app: Flask, issuer: str, tenant_slug: str = TENANT) -> None:
    """Register the platform with the tool: one registration per client id, with its deployment."""
    with transaction(app) as session:
        service = PlatformService(session, TenantService(session).get_or_create(tenant_slug))
        for client_id, deployment_id in CLIENTS:
            service.add_platform(PlatformSpec(
                issuer=issuer, client_id=client_id, name="devplatform",
                auth_login_url=f"{issuer}/auth", auth_token_url=f"{issuer}/token",
                key_set_url=f"{issuer}/.well-known/jwks.json", deployment_ids=[deployment_id],
                lms=Lms.canvas,  # the development platform sends what Canvas sends
            ))  # fmt: skip


def seed_sample(app: Flask, tenant_slug: str = TENANT) -> None:
    """Import the sample organisation (the demo people are among its people)."""
    data = resources.files("lti_pathing").joinpath("sample_data/catalog.json").read_bytes()
    with transaction(app) as session:
        tenant = TenantService(session).get_or_create(tenant_slug)
        ImportService(session, tenant).import_document(read_json("catalog.json", data))


@contextmanager
def running_lti_servers(
    folder: Path, secure_cookies: bool = False, storage_target: str | None = None, **settings: Any
) -> Iterator[LtiServers]:
    """Tool on 127.0.0.1 (with `settings` on top of the test ones), platform on localhost.

    `secure_cookies`: both sides set `Secure; SameSite=None` cookies, as a real browser needs
    them across the two sites (a `requests` session keeps Secure cookies for https only).
    `storage_target`: the platform offers platform storage under that frame name, as Canvas's
    web app does (a `requests` browser runs no script, like Canvas's mobile apps: leave it out).
    """
    tool, platform = LiveServer("127.0.0.1"), LiveServer("localhost")
    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'tool.sqlite3'}", "SECRET_KEY": "integration-" * 4,
        "LTI_COOKIE_CHECK": False, "SECURE_COOKIES": secure_cookies,
        "DEV_LOOPBACK_PLATFORMS": True, **settings,
    })  # fmt: skip
    app.instance_path = str(folder)
    with database(app).engine.begin() as connection:
        migrate.upgrade(connection)
    seed_sample(app)
    register_platform(app, platform.url)
    urls = ToolUrls.for_base(tool.url)
    config = PlatformConfig(
        platform.url, [Client(c, d, urls) for c, d in CLIENTS], demo_people(),
        private_key_pem=generate_private_key(), nrps_page_size=2, secure_cookies=secure_cookies,
        storage_target=storage_target,
    )  # fmt: skip
    platform_app = create_platform_app(config)
    tool.start(app)
    platform.start(platform_app)
    try:
        # The tool makes its key on first use: make it now, committed, before tests read it from
        # their own sessions while the platform fetches the JWKS (SQLite allows one writer).
        requests.get(f"{tool.url}/.well-known/jwks.json", timeout=30).raise_for_status()
        yield LtiServers(tool, platform, app, platform_app)
    finally:
        tool.stop()
        platform.stop()
        database(app).engine.dispose()
