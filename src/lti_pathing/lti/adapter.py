"""The one module that builds pylti1p3 objects, and where its Flask layer is fixed.

Views and services ask this module for a login, a launch (new or restored), or a service connector;
nothing else imports pylti1p3's Flask classes. Fixed here, each pinned by a test in
tests/lti_pathing/lti/test_adapter.py:

1. `FlaskMessageLaunch.from_cache` rebuilds the launch with the base `ServiceConnector`, whose
   token cache is not implemented, so AGS/NRPS calls on a restored launch raise: restored
   launches get our connector.
2. The cookie-check page renders `cookies_allowed_js_check.html`, which the wheel does not ship:
   ours is `templates/lti/cookie_check.html` (with "open in a new window").
3. Service access tokens were cached per (issuer, scopes) in a class-level dict: two client_ids of
   one issuer (every Canvas cloud school) would share bearer tokens, and every worker process
   kept its own. Ours are keyed by issuer, client_id, token URL and scopes, in the shared cache.

And stricter than the library: a 60 s leeway on iat/exp, `aud`/`azp` checked, the state must
match this browser's login cookie, and a nonce is good for one launch only.

A login that keeps its state in the platform (platform_storage.py) uses `unbound_storage()`: its
nonce and launch data are not tied to pylti1p3's session-id cookie, which such a browser may not
keep; the state is then checked by the platform-storage page instead of the cookie.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from typing import Any

import jwt
import requests
from flask import Response, make_response, render_template, url_for
from pylti1p3.contrib.flask.launch_data_storage.cache import FlaskCacheDataStorage
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.contrib.flask.oidc_login import FlaskOIDCLogin
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.launch_data_storage.base import DisableSessionId
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy.orm import Session

from lti_pathing import db
from lti_pathing.cache import shared_cache
from lti_pathing.errors import LtiPathingError
from lti_pathing.lti.cookies import frame_cookie_problem, secure_cookies, warn_frame_cookies
from lti_pathing.lti.keys import key_service
from lti_pathing.lti.outbound import TargetRefused, platform_session
from lti_pathing.lti.tool_conf import DatabaseToolConf, ToolRegistration
from lti_pathing.models import PlatformRegistration

LEEWAY_SECONDS = 60
ALGORITHMS = ("RS256", "RS384", "RS512")
HTTP_TIMEOUT_SECONDS = 10
TOKEN_KEY_PREFIX = "lti-service-token:"
KEY_SET_TTL_SECONDS = 3600
REFETCH_KEY_PREFIX = "lti-key-set-refetched:"
# One lock per platform key set URL: when the cached set expires during a launch storm, one
# thread of the process fetches it and the others wait, then read what it cached.
_KEY_SET_LOCKS: dict[str, threading.Lock] = {}
_KEY_SET_LOCKS_GUARD = threading.Lock()


def key_set_lock(url: str) -> threading.Lock:
    """The lock of one key set URL in this process."""
    with _KEY_SET_LOCKS_GUARD:
        return _KEY_SET_LOCKS.setdefault(url, threading.Lock())


class LtiRefused(LtiPathingError):
    """An LTI login or launch that must not go on; the message says why (shown on a 4xx page)."""

    status = 400
    code = "lti_refused"


def refused(error: Exception) -> LtiRefused:
    """The 4xx error for a pylti1p3 failure, keeping its reason."""
    return LtiRefused(f"LTI launch refused: {error}")


def http_session() -> requests.Session:
    """The HTTP session for calls to platforms (JWKS, tokens, AGS, NRPS): see outbound.py."""
    return platform_session(HTTP_TIMEOUT_SECONDS)


class ToolCacheDataStorage(FlaskCacheDataStorage):
    """pylti1p3's cache storage on the shared cache, able to delete (one-time nonces)."""

    def delete_value(self, key: str) -> bool:
        """Remove a key; True if it was there."""
        return bool(self._get_cache().delete(self._prepare_key(key)))  # type: ignore[no-untyped-call]


class UnboundCacheDataStorage(ToolCacheDataStorage):
    """The shared-cache storage without pylti1p3's session-id cookie (platform-storage logins).

    Nonces stay single-use and launch data is found by its random launch id, which only the
    signed-in session that launched it names (deep_link.py checks that).
    """

    def get_session_cookie_name(self) -> str | None:
        """No cookie: keys are not namespaced by a browser session."""
        return None


class ToolServiceConnector(ServiceConnector):
    """Service calls with access tokens cached per (issuer, client_id, token URL, scopes)."""

    def _scope_key(self, scopes: Iterable[str]) -> str:
        reg = self._registration
        parts = [reg.get_issuer(), reg.get_client_id(), reg.get_auth_token_url(), *sorted(scopes)]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        token = shared_cache().get(TOKEN_KEY_PREFIX + scope_key)
        return token if isinstance(token, str) else None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        # Give the token back a little before the platform expires it.
        timeout = int(expires_in) - 30
        if timeout > 0:
            shared_cache().set(TOKEN_KEY_PREFIX + scope_key, access_token, timeout=timeout)


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch validated the strict way, restored with its service connector."""

    def __init__(self, request: FlaskRequest, tool_config: DatabaseToolConf, **kwargs: Any):
        kwargs["service_connector_cls"] = ToolServiceConnector  # defect 1 (see from_cache)
        kwargs.setdefault("requests_session", http_session())
        super().__init__(request, tool_config, **kwargs)
        self.set_jwt_verify_options({"require": ["exp", "iat", "iss", "aud"]})
        # True when the login kept its state in the platform: the state is checked by the
        # platform-storage page (platform_storage.py), not by a cookie.
        self.state_in_platform = False

    @classmethod
    def from_cache(cls, launch_id: str, request: Any, tool_config: Any, **kwargs: Any) -> Any:
        """Restore a validated launch by id, with our service connector (defect 1)."""
        kwargs["service_connector_cls"] = ToolServiceConnector
        return super().from_cache(launch_id, request, tool_config, **kwargs)

    def get_client_id(self) -> str:
        """The client id the token is for: `azp` when the audience lists several."""
        body = self._get_jwt_body()
        aud = body.get("aud")
        if isinstance(aud, list):
            return str(body.get("azp") or (aud[0] if aud else ""))
        return str(aud or "")

    def validate_state(self) -> ToolMessageLaunch:
        """The state must equal the cookie set at login in this browser (no replay elsewhere)."""
        state = self._get_request_param("state")  # type: ignore[no-untyped-call]
        if not state:
            raise LtiException("the launch has no state: start it again from the LMS")
        if self.state_in_platform:
            return self
        if self._cookie_service.get_cookie(state) != state:
            raise LtiException(
                "the login state cookie is missing or does not match: this browser did not "
                "start this launch (replayed, expired after 5 minutes, or cookies are blocked)"
            )
        return self

    def validate_nonce(self) -> ToolMessageLaunch:
        """The nonce must be one this tool issued at login and not used yet."""
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LtiException("the id_token has no nonce")
        if not self._session_service.check_nonce(nonce):
            raise LtiException("unknown or already used nonce")
        return self

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        """Signature, exp and iat (60 s leeway), issuer and audience/azp of the id_token."""
        public_key, alg = self.get_public_key()
        client_id = self.get_client_id()
        try:
            body = jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[alg],
                audience=client_id,
                issuer=self.get_iss(),
                leeway=LEEWAY_SECONDS,
                options=self._jwt_verify_options,
            )
        except jwt.InvalidTokenError as error:
            raise LtiException(f"the id_token is not valid: {error}") from error
        azp = body.get("azp")
        if (azp is not None or isinstance(body["aud"], list)) and azp != client_id:
            raise LtiException(f"the id_token's azp {azp!r} is not the client id {client_id!r}")
        return self

    def get_public_key(self) -> tuple[str, str]:
        """The platform key named by the token's kid; the key set is refetched once if unknown."""
        header = self._jwt.get("header", {})
        if not header.get("kid"):
            raise LtiException("the id_token header names no key (kid)")
        if header.get("alg") not in ALGORITHMS:
            raise LtiException(f"the id_token algorithm {header.get('alg')!r} is not accepted")
        try:
            key: tuple[str, str] = super().get_public_key()
            return key
        except LtiException as error:
            if isinstance(error.__cause__, TargetRefused):  # never fetched: say why
                reason = error.__cause__
                raise LtiException(f"the platform's key set URL is refused: {reason}") from None
            if not self._refetch_key_set():
                raise LtiException(f"the platform's key set has no key {header['kid']!r}") from None
        try:
            key = super().get_public_key()
            return key
        except LtiException:
            raise LtiException(f"the platform's key set has no key {header['kid']!r}") from None

    def fetch_public_key(self, key_set_url: str) -> Any:
        """The platform's key set from the shared cache, else fetched: once per process at a
        time, so a storm of launches meeting an expired set fetches it once per worker."""
        with key_set_lock(key_set_url):
            return super().fetch_public_key(key_set_url)

    def _refetch_key_set(self) -> bool:
        """Drop the cached platform JWKS (once a minute at most) so it is fetched again."""
        registration = self._registration
        url = registration.get_key_set_url() if registration else None
        storage = self._public_key_cache_data_storage
        if (
            registration is None
            or not url
            or not isinstance(storage, ToolCacheDataStorage)
            or registration_has_stored_set(registration)
        ):
            return False
        marker = REFETCH_KEY_PREFIX + hashlib.sha256(url.encode()).hexdigest()
        if not shared_cache().add(marker, True, timeout=60):
            return False
        # pylti1p3 names its cached key set by the URL's MD5: a cache key, not a security use.
        digest = hashlib.md5(url.encode("utf-8"), usedforsecurity=False).hexdigest()
        with DisableSessionId(storage):
            storage.delete_value("key-set-url-" + digest)
        registration.set_key_set(None)
        return True

    def save_launch_data(self) -> ToolMessageLaunch:
        """Use up the nonce (one launch per login), then keep the launch in the shared cache."""
        nonce = self._get_jwt_body().get("nonce", "")
        storage = self._session_service.data_storage
        if not isinstance(storage, ToolCacheDataStorage) or not storage.delete_value(
            self._session_service._get_key("nonce", nonce)
        ):
            raise LtiException("the nonce was already used (a replayed launch)")
        super().save_launch_data()
        return self


def registration_has_stored_set(registration: Registration) -> bool:
    """True when the registration's JWKS was pasted in (nothing to refetch)."""
    return isinstance(registration, ToolRegistration) and registration.stored_key_set


class ToolOIDCLogin(FlaskOIDCLogin):
    """OIDC login whose cookie check renders our own page (defect 2)."""

    cookie_check_template_name = "lti/cookie_check.html"

    def redirect(self, launch_url: str, js_redirect: bool = False) -> Response:
        """Refuse an unknown platform before the cookie check, then go on as the library does."""
        if self._cookies_check and not self._is_new_window_request():
            self.validate_oidc_login()
        response: Response = super().redirect(launch_url, js_redirect)
        return response

    def get_cookies_allowed_js_check(self) -> Response:
        """The page that tests cookies, then continues here or offers a new window."""
        protocol, params = self.get_cookies_allowed_js_check_params()
        values: dict[str, Any] = dict(params)
        continue_url = url_for("lti.login", **values)
        problem = frame_cookie_problem()
        if problem is not None:
            warn_frame_cookies(problem)
        html = render_template(
            self.cookie_check_template_name,
            secure=protocol == "https",
            continue_url=continue_url,
            config_problem=problem,
        )
        return make_response(html)


def lti_request() -> FlaskRequest:
    """pylti1p3's view of the current request (secure as the cookies are)."""
    return FlaskRequest(request_is_secure=secure_cookies())  # type: ignore[no-untyped-call]


def tool_conf() -> DatabaseToolConf:
    """The database-backed tool configuration on the request's session."""
    keys = key_service()
    return DatabaseToolConf(db.session(), keys.signing_key)


def data_storage() -> ToolCacheDataStorage:
    """pylti1p3 launch-data storage on the shared cache."""
    return ToolCacheDataStorage(shared_cache())  # type: ignore[no-untyped-call]


def unbound_storage() -> UnboundCacheDataStorage:
    """Launch-data storage not tied to a browser cookie (platform-storage logins)."""
    return UnboundCacheDataStorage(shared_cache())  # type: ignore[no-untyped-call]


def oidc_login(
    conf: DatabaseToolConf | None = None, storage: ToolCacheDataStorage | None = None
) -> ToolOIDCLogin:
    """An OIDC login for the current request."""
    return ToolOIDCLogin(
        lti_request(), conf or tool_conf(), launch_data_storage=storage or data_storage()
    )


def message_launch(
    conf: DatabaseToolConf | None = None, state_in_platform: bool = False
) -> ToolMessageLaunch:
    """A launch for the current request (validate it before use)."""
    storage = unbound_storage() if state_in_platform else data_storage()
    try:
        launch = ToolMessageLaunch(lti_request(), conf or tool_conf(), launch_data_storage=storage)
    except LtiException as error:  # the TLS session-id cookie is missing
        raise refused(error) from error
    launch.state_in_platform = state_in_platform
    launch.set_public_key_caching(data_storage(), cache_lifetime=KEY_SET_TTL_SECONDS)
    return launch


def stored_launch_data(launch_id: str) -> dict[str, Any] | None:
    """The claims of a launch validated through platform storage, by its launch id."""
    storage = unbound_storage()
    storage.set_request(lti_request())
    data = storage.get_value(launch_id)
    return dict(data) if isinstance(data, dict) else None


def restore_launch(launch_id: str, unbound: bool = False) -> ToolMessageLaunch:
    """A launch validated earlier (by this browser), with working AGS/NRPS connectors.

    `unbound`: the launch came through platform storage (its data is not under a cookie).
    """
    storage = unbound_storage() if unbound else data_storage()
    try:
        launch: ToolMessageLaunch = ToolMessageLaunch.from_cache(
            launch_id, lti_request(), tool_conf(), launch_data_storage=storage
        )
    except (LtiException, OIDCException) as error:
        raise LtiRefused(f"the LTI launch is no longer available: {error}") from error
    return launch


def service_connector(
    row: PlatformRegistration, session: Session | None = None
) -> ToolServiceConnector:
    """A connector for AGS/NRPS calls on behalf of a registration, outside any launch.

    Background jobs pass their own `session` (the tool key is read from it); requests use theirs.
    """
    key = key_service(session).signing_key()  # read now: no database work during the calls
    registration = ToolRegistration(row, lambda: key)
    return ToolServiceConnector(registration, http_session())
