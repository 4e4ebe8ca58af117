"""`platform add --preset canvas[-beta|-test]`: each Canvas cloud environment's own issuer, SSO
domain and key set, never the production endpoints paired with a test issuer."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.models import PlatformRegistration


def add(app: Flask, *args: str) -> Any:
    base = ["platform", "add", "--tenant", "acme", "--client-id", "10000000000042"]
    return app.test_cli_runner().invoke(main, [*base, *args])


@pytest.mark.parametrize(
    ("preset", "issuer", "sso"),
    [("canvas", "https://canvas.instructure.com", "https://sso.canvaslms.com"),
     ("canvas-beta", "https://canvas.beta.instructure.com", "https://sso.beta.canvaslms.com"),
     ("canvas-test", "https://canvas.test.instructure.com", "https://sso.test.canvaslms.com")],
)  # fmt: skip
def test_a_preset_fills_the_environments_own_issuer_and_endpoints(
    app: Flask, session: Session, tenant: Any, preset: str, issuer: str, sso: str
) -> None:
    result = add(app, "--preset", preset, "--pending-deployment")
    assert result.exit_code == 0, result.output
    row = session.scalars(select(PlatformRegistration)).one()
    assert (row.issuer, row.auth_login_url, row.auth_token_url, row.key_set_url) == (
        issuer,
        f"{sso}/api/lti/authorize_redirect",
        f"{sso}/login/oauth2/token",
        f"{sso}/api/lti/security/jwks",
    )


def test_without_a_preset_every_endpoint_is_asked_for(
    app: Flask, session: Session, tenant: Any
) -> None:
    result = add(app, "--issuer", "https://canvas.example.edu", "--pending-deployment")
    assert result.exit_code == 1
    for option in ("--auth-login-url", "--auth-token-url", "--key-set-url"):
        assert f"{option}: is required" in result.output
    assert session.scalars(select(PlatformRegistration)).all() == []
