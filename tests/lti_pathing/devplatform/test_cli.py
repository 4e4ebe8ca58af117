"""`lti-pathing devplatform` registers the development platform with the tool, once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.devplatform.cli import register_with_tool
from lti_pathing.devplatform.config import demo_config
from lti_pathing.models import PlatformRegistration


def test_registering_twice_adds_the_platform_once(
    app: Flask, session: Session, tenant: object
) -> None:
    config = demo_config("http://localhost:5001", "http://127.0.0.1:5000", private_key_pem="unused")
    assert register_with_tool(app, config, "acme") is True
    assert register_with_tool(app, config, "acme") is False
    (row,) = session.scalars(
        select(PlatformRegistration).where(PlatformRegistration.issuer == "http://localhost:5001")
    )
    assert row.client_id == "devplatform-client"
    assert row.auth_login_url == "http://localhost:5001/auth"
    assert [d.deployment_id for d in row.deployments] == ["devplatform-deployment-1"]
