"""Fixtures for the LTI tests: a test platform key, a registration, a platform that launches."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform


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
