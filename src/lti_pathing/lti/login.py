"""`/lti/login`: the OIDC third-party-initiated login the platform starts (GET or POST).

It checks the platform is registered, sets the state cookie and nonce, and redirects the browser to
the platform's authorization endpoint, which posts the id_token to `/lti/launch`. With
`LTI_COOKIE_CHECK` on, a first page checks that this browser keeps cookies in the iframe and
offers a new window when it does not. A login carrying `lti_storage_target` (Canvas) keeps its
state in the platform instead (platform_storage.py), falling back to this cookie path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from pylti1p3.exception import LtiException, OIDCException
from werkzeug.wrappers import Response

from lti_pathing.lti import adapter, bp, platform_storage
from lti_pathing.security import public_url


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Answer the platform's login initiation with a redirect to its authorization endpoint."""
    check_target_link(request.values.get("target_link_uri"))
    target = platform_storage.storage_target(request.values)
    if target is not None and not request.values.get("lti1p3_new_window"):
        return platform_storage.login_page(target)
    oidc = adapter.oidc_login()
    if current_app.config["LTI_COOKIE_CHECK"]:
        oidc.enable_check_cookies()
    try:
        response: Response = oidc.redirect(public_url("lti.launch"))
    except (LtiException, OIDCException) as error:
        raise adapter.LtiRefused(f"LTI login refused: {error}") from error
    return response


def check_target_link(target: str | None) -> None:
    """Refuse a login whose target_link_uri is missing or points at a host other than this tool.

    The tool's own host (that of its launch URL) is allowed, and any in
    `LTI_ALLOWED_TARGET_HOSTS` (host or host:port).
    """
    if not target:
        raise adapter.LtiRefused("LTI login refused: the platform sent no target_link_uri")
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise adapter.LtiRefused(f"LTI login refused: target_link_uri {target!r} is not a URL")
    own = urlsplit(public_url("lti.launch")).netloc.lower()
    allowed = current_app.config["LTI_ALLOWED_TARGET_HOSTS"]
    if parts.netloc.lower() != own and not {parts.netloc.lower(), parts.hostname} & set(allowed):
        raise adapter.LtiRefused(
            f"LTI login refused: target_link_uri points at {parts.netloc}, not at this tool "
            f"({own}); an administrator can allow that host with LTI_ALLOWED_TARGET_HOSTS"
        )
