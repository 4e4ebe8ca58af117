"""`/lti/login`: the OIDC third-party-initiated login the platform starts (GET or POST).

It checks the platform is registered, sets the state cookie and nonce, and redirects the browser to
the platform's authorization endpoint, which posts the id_token to `/lti/launch`. With
`LTI_COOKIE_CHECK` on, a first page checks that this browser keeps cookies in the iframe and
offers a new window when it does not.
"""

from __future__ import annotations

from flask import Response, current_app, url_for
from pylti1p3.exception import LtiException, OIDCException

from lti_pathing.lti import adapter, bp


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Answer the platform's login initiation with a redirect to its authorization endpoint."""
    oidc = adapter.oidc_login()
    if current_app.config["LTI_COOKIE_CHECK"]:
        oidc.enable_check_cookies()
    try:
        response: Response = oidc.redirect(url_for("lti.launch", _external=True))
    except (LtiException, OIDCException) as error:
        raise adapter.LtiRefused(f"LTI login refused: {error}") from error
    return response
