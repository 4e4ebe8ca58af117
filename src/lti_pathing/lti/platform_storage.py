"""State and nonce kept by the platform, for browsers that refuse the tool's cookies in the frame.

The 1EdTech "LTI Client Side postMessages" specs (lti-cs-pm, lti-pm-s, lti-cs-oidc), as Canvas
runs them. A login that carries `lti_storage_target` (Canvas sends `post_message_forwarding`: the
name of a hidden frame beside the tool's, served from the platform's OIDC authorization host)
gets a page instead of a redirect: its script (`static/js/lti_platform_storage.js`) asks the
platform with `lti.capabilities`, stores `lti_state_<state>` and `lti_nonce_<nonce>` with
`lti.put_data` (posted to that frame, target origin the authorization endpoint's), and only then
goes on to the platform. No state cookie is set.

The launch whose state was issued that way is validated in full (signature, nonce, deployment...)
but signs nobody in: its page reads both values back with `lti.get_data` and sends them to
`/lti/launch/verify` with a same-origin `fetch`, which compares them with the state and nonce
of that launch and only then signs the person in. Only a script of this tool, running in the
browser that started the login, can make that request: a form another site makes the browser
post carries neither the JSON body nor an Origin of this tool, and another browser's platform
storage does not hold this login's values.

When the platform does not answer (no storage frame, a timeout), the login page falls back to
the cookie path, and the cookie check to the new-window page. The tool's own session after the
launch is still a cookie (`Partitioned`), which browsers that block third-party cookies keep.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import current_app, jsonify, make_response, render_template, request, url_for
from pylti1p3.exception import LtiException, OIDCException
from werkzeug.wrappers import Response

from lti_pathing import db
from lti_pathing.cache import shared_cache
from lti_pathing.lti import adapter, bp
from lti_pathing.lti.cookies import secure_cookies
from lti_pathing.models import PlatformRegistration
from lti_pathing.security import public_base_url, public_url

PARAM = "lti_storage_target"
# Frame names: `_parent` or an identifier (Canvas: post_message_forwarding).
TARGET = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# The login parameters a fallback to the cookie path carries on (pylti1p3's list).
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id",
                "client_id")  # fmt: skip
TTL_SECONDS = 300  # as long as the state cookie of the cookie path lives
STATE_PREFIX = "lti-storage-state:"
CHECK_PREFIX = "lti-storage-check:"
DEFAULT_PORTS = {"https": 443, "http": 80}
NOT_CONFIRMED = (
    "lti-pathing could not confirm that this launch started in this browser (the LMS did not "
    "give back what the tool stored at login): open lti-pathing again from the LMS"
)


def storage_target(values: Mapping[str, str]) -> str | None:
    """The frame a login asks the tool to post storage messages to, when usable."""
    target = values.get(PARAM) or ""
    if not target:
        return None
    if not TARGET.match(target):
        current_app.logger.warning("LTI login: lti_storage_target %.80r is no frame name", target)
        return None
    return target


def origin_of(url: str) -> str:
    """The browser origin of a URL (`scheme://host[:port]`, default port left out)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def login_page(target: str) -> Response:
    """The login's answer when the platform keeps state: a page that stores, then continues."""
    oidc = adapter.oidc_login(storage=adapter.unbound_storage())
    try:  # the registration's authorization URL with state and nonce (no state cookie is set)
        auth_url = oidc.get_redirect_object(public_url("lti.launch")).get_redirect_url()
    except (LtiException, OIDCException) as error:
        raise adapter.LtiRefused(f"LTI login refused: {error}") from error
    query = dict(parse_qsl(urlsplit(auth_url).query))
    platform = origin_of(auth_url)  # the storage frame is served from the authorization host
    pending = {"nonce": query["nonce"], "origin": platform, "target": target}
    shared_cache().set(STATE_PREFIX + query["state"], pending, timeout=TTL_SECONDS)
    fallback: dict[str, Any] = {k: request.values[k] for k in LOGIN_PARAMS if request.values.get(k)}
    check = current_app.config["LTI_COOKIE_CHECK"]
    html = render_template(
        "lti/platform_storage_login.html",
        auth_url=auth_url, origin=platform, target=target, state=query["state"],
        nonce=query["nonce"], fallback_url=url_for("lti.login", **fallback),
        cookie_flags=_cookie_flags() if check else "",
    )  # fmt: skip
    return _no_store(make_response(html))


def pending_state(state: str | None) -> dict[str, str] | None:
    """What the login stored for a state it issued for platform storage (None: a cookie login)."""
    if not state:
        return None
    found = shared_cache().get(STATE_PREFIX + state)
    return found if isinstance(found, dict) else None


def use_state(state: str) -> None:
    """Spend a platform-storage state: one launch per login."""
    if not shared_cache().delete(STATE_PREFIX + state):
        raise adapter.LtiRefused("LTI launch refused: this login was already used")


def check_page(
    pending: Mapping[str, str],
    state: str,
    registration: PlatformRegistration,
    launch_id: str,
    deployment: tuple[PlatformRegistration, str] | None,
) -> Response:
    """After a valid launch of a platform-storage login: the page that reads the values back."""
    check = secrets.token_urlsafe(32)
    record = {
        "state": state, "nonce": pending["nonce"], "registration_id": registration.id,
        "launch_id": launch_id, "deployment": deployment[1] if deployment else None,
    }  # fmt: skip
    shared_cache().set(CHECK_PREFIX + check, record, timeout=TTL_SECONDS)
    html = render_template(
        "lti/platform_storage_launch.html",
        origin=pending["origin"], target=pending["target"], state=state,
        nonce=pending["nonce"], verify_url=url_for("lti.verify_launch"), check=check,
    )  # fmt: skip
    return _no_store(make_response(html))


@bp.post("/launch/verify")
def verify_launch() -> Response:
    """Sign in the launch whose state and nonce the platform gave back to this tool's page."""
    _same_origin_script()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str)
                                             for k in ("check", "state", "nonce")):  # fmt: skip
        raise adapter.LtiRefused("LTI launch refused: check, state and nonce are required")
    record = _take_check(body["check"])
    if not (_equal(body["state"], record["state"]) and _equal(body["nonce"], record["nonce"])):
        current_app.logger.warning("LTI launch refused: platform storage gave back other values")
        raise adapter.LtiRefused(NOT_CONFIRMED)
    from lti_pathing.lti import launch  # the launch view owns signing in

    registration = db.session().get(PlatformRegistration, int(record["registration_id"]))
    claims = adapter.stored_launch_data(str(record["launch_id"]))
    if registration is None or not registration.active or claims is None:
        raise adapter.LtiRefused(NOT_CONFIRMED)
    if record["deployment"]:
        launch.record_pending_deployment((registration, str(record["deployment"])))
    location = launch.finish(registration, claims, str(record["launch_id"]), storage="platform")
    return jsonify(location=location)


def _take_check(check: str) -> dict[str, Any]:
    """The waiting launch of this check id, removed (one use)."""
    cache = shared_cache()
    record = cache.get(CHECK_PREFIX + check) if check else None
    if not isinstance(record, dict) or not cache.delete(CHECK_PREFIX + check):
        raise adapter.LtiRefused(
            "LTI launch refused: this launch is unknown, expired after 5 minutes or already "
            "used: open lti-pathing again from the LMS"
        )
    return record


def _same_origin_script() -> None:
    """Refuse a request that is not this tool's own script (a cross-site form, another site)."""
    own = origin_of(public_base_url())
    origin = request.headers.get("Origin")
    site = request.headers.get("Sec-Fetch-Site")
    if origin != own or (site is not None and site != "same-origin") or not request.is_json:
        current_app.logger.warning(
            "LTI launch check refused: Origin %.100r, Sec-Fetch-Site %.30r", origin, site
        )
        raise adapter.LtiRefused("LTI launch refused: the check must come from lti-pathing's page")


def _equal(given: str, expected: Any) -> bool:
    return isinstance(expected, str) and hmac.compare_digest(given.encode(), expected.encode())


def _cookie_flags() -> str:
    """The flags of the page's cookie probe: those the session cookie will have."""
    return "; SameSite=None; Secure; Partitioned" if secure_cookies() else "; SameSite=Lax"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
