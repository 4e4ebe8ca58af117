"""Fixtures for the LTI tests: a test platform key, a registration, a platform that launches."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform

NRPS = Path(__file__).parents[2] / "fixtures/moodle-4.5/lti/nrps-memberships.json"


@pytest.fixture
def platform_key() -> PlatformKey:
    """The test platform's signing key."""
    return PlatformKey.generate()


@pytest.fixture
def registration(session: Session, tenant: Any, platform_key: PlatformKey) -> Any:
    """The Moodle fixture's issuer/client registered with the `acme` tenant, deployment "1"."""
    return register_platform(session, tenant, platform_key)


@pytest.fixture
def platform(app: Flask, registration: Any, platform_key: PlatformKey) -> LaunchingPlatform:
    """A platform (and browser) that launches the tool through /lti/login and /lti/launch."""
    return LaunchingPlatform(app.test_client(), platform_key)


class PlatformServices:
    """What a platform serves the tool over HTTP: its JWKS, an OAuth 2 token endpoint, NRPS."""

    def __init__(self, key: PlatformKey) -> None:
        self.jwks: dict[str, Any] = key.jwks()
        self.token_requests: list[dict[str, str]] = []
        self.bearers: list[str] = []
        self.jwks_fetches = 0
        self.jwks_delay = 0.0  # seconds the key set takes to arrive (a slow platform)
        self.url = ""
        # NRPS pages by path (with query): (body, Link header); others get the Moodle page.
        self.nrps_pages: dict[str, tuple[Any, str]] = {}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class bound to this state."""
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _json(self, body: Any, status: int = 200, link: str = "") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if link:
                    self.send_header("Link", link)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    services.jwks_fetches += 1
                    time.sleep(services.jwks_delay)
                    self._json(services.jwks)
                elif self.path in services.nrps_pages:
                    services.bearers.append(self.headers.get("Authorization", ""))
                    body, link = services.nrps_pages[self.path]
                    self._json(body, link=link)
                elif self.path.startswith("/nrps"):
                    services.bearers.append(self.headers.get("Authorization", ""))
                    self._json(json.loads(NRPS.read_text()))
                else:
                    self._json({"error": "not found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                services.token_requests.append(form)
                assertion = jwt.decode(
                    form["client_assertion"], options={"verify_signature": False}
                )
                token = f"token-{assertion['sub']}-{len(services.token_requests)}"
                self._json({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

        return Handler


@pytest.fixture
def platform_services(platform_key: PlatformKey) -> Iterator[PlatformServices]:
    """A platform's JWKS, token and NRPS endpoints on a local HTTP server (127.0.0.1 only)."""
    services = PlatformServices(platform_key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), services.handler())
    services.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield services
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
