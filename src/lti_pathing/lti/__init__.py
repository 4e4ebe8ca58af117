"""LTI 1.3, the tool side: one module per step (keys, login, launch), pylti1p3 behind adapter.py.

`init_app` wires it into the app: the shared cache, iframe cookies, the `lti` blueprint (whose
login and launch take posts from the platform, so they are exempt from CSRF) and the JWKS.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("lti", __name__, url_prefix="/lti")

# Views that take posts from the platform (no CSRF token can come with them).
# The platform-storage check is a same-origin fetch of the tool's own page (it checks Origin).
CSRF_EXEMPT = ("lti.login", "lti.launch", "lti.verify_launch")


def init_app(app: Flask) -> None:
    """Register the cache, the cookie policy, the LTI views and the JWKS on `app`."""
    from lti_pathing import cache
    from lti_pathing.lti import (  # noqa: F401  (their views hang on `bp`)
        cookies,
        deep_link,
        keys,
        launch,
        lms_config,
        login,
        platform_storage,
        registration,
    )

    cache.init_app(app)
    cookies.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(keys.bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        for endpoint in CSRF_EXEMPT:
            csrf.exempt(app.view_functions[endpoint])
