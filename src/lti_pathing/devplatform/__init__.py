"""The development LTI 1.3 platform: the demo's LMS and the platform integration tests launch from.

A small Flask app of our own around `lti1p3platform` (whose own web adapters need the removed
`pkg_resources`). It never serves anything but what `PlatformConfig` describes, in memory.
"""

from __future__ import annotations

from flask import Flask

from lti_pathing.devplatform.config import PlatformConfig


def create_platform_app(config: PlatformConfig) -> Flask:
    """Build the platform app: LMS pages, OIDC login and auth, token, AGS, NRPS, registration."""
    from lti_pathing.devplatform import dynreg, messaging, services, views
    from lti_pathing.devplatform.state import EXTENSION, PlatformState

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        # Its own cookie name: on one host the tool's session cookie must not be overwritten.
        SESSION_COOKIE_NAME="devplatform_session",
        PREFERRED_URL_SCHEME=config.issuer.split(":", 1)[0],
    )
    if config.secure_cookies:
        app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="None")
    app.extensions[EXTENSION] = PlatformState(config)
    app.register_blueprint(views.bp)
    app.register_blueprint(services.bp)
    app.register_blueprint(dynreg.bp)
    app.register_blueprint(messaging.bp)
    return app


__all__ = ["PlatformConfig", "create_platform_app"]
