"""Fixtures for the development platform's own tests: a stand-in tool that only serves its JWKS.

The platform is driven through Flask's test client (issuer http://localhost); the platform fetches
the stand-in tool's key set over real HTTP on 127.0.0.1, as it would fetch lti-pathing's.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from lti_pathing.devplatform import create_platform_app
from lti_pathing.devplatform.config import (
    Client,
    PlatformConfig,
    ToolUrls,
    demo_people,
    generate_private_key,
)
from tests.support.servers import LiveServer

ISSUER = "http://localhost"
TOOL_KID = "tool-key-1"


@pytest.fixture(scope="session")
def tool_key() -> rsa.RSAPrivateKey:
    """The stand-in tool's signing key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def tool_server(tool_key: rsa.RSAPrivateKey) -> Iterator[LiveServer]:
    """A stand-in tool on 127.0.0.1 that serves its public key set."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(tool_key.public_key()))
    app = Flask("stand-in-tool")

    @app.get("/.well-known/jwks.json")
    def jwks() -> dict[str, Any]:
        return {"keys": [{**jwk, "kid": TOOL_KID, "alg": "RS256", "use": "sig"}]}

    server = LiveServer().start(app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def platform_key() -> str:
    """The platform's private key (one per run: key generation is slow)."""
    return generate_private_key()


@pytest.fixture
def config(tool_server: LiveServer, platform_key: str) -> PlatformConfig:
    """Two clients of the tool on one issuer (as on a Canvas cloud school), demo people."""
    urls = ToolUrls.for_base(tool_server.url)
    clients = [Client("client-a", "deploy-a", urls), Client("client-b", "deploy-b", urls)]
    return PlatformConfig(
        ISSUER, clients, demo_people(), nrps_page_size=2, private_key_pem=platform_key
    )


@pytest.fixture
def platform(config: PlatformConfig) -> Flask:
    """The platform app."""
    return create_platform_app(config)


@pytest.fixture
def lms(platform: Flask) -> FlaskClient:
    """A browser on the platform."""
    return platform.test_client()


def sign(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str = TOOL_KID) -> str:
    """A JWT signed by the stand-in tool."""
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def assertion(key: rsa.RSAPrivateKey, client_id: str, **changes: Any) -> str:
    """A client assertion for the token endpoint (as pylti1p3 builds it)."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": f"{ISSUER}/token", "iat": now,
              "exp": now + 60, "jti": uuid.uuid4().hex, **changes}  # fmt: skip
    return sign(key, {k: v for k, v in claims.items() if v is not None})


def token_request(
    key: rsa.RSAPrivateKey, client_id: str, scope: str, **changes: Any
) -> dict[str, str]:
    """The form a tool posts to the token endpoint."""
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(key, client_id, **changes),
        "scope": scope,
    }
