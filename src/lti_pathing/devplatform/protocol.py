"""LTI 1.3 platform mechanics, built on `lti1p3platform`, with its defects worked around.

The library signs id_tokens, builds the LTI claims (AGS, NRPS, deep linking), fetches the tool's
key set and checks client assertions. What it gets wrong is handled here instead:
- a malformed bearer token makes its `validate_token` raise out of PyJWT (a 500): `bearer_client`
  decodes the token first and answers None for anything that does not verify;
- it checks no audience, issuer, expiry or replay on client assertions and deep-linking responses:
  `issue_token` and `verify_deep_link_response` do;
- its NRPS and results paging compares a string page to an int: the views page themselves.
Its web adapters import `pkg_resources` and are never imported.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Request as FlaskRequest
from lti1p3platform.exceptions import (
    LtiDeepLinkingResponseException,
    LtiException,
    MissingRequiredClaim,
    PreflightRequestValidationException,
    UnsupportedGrantType,
)
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

from lti_pathing.devplatform.config import Client, PlatformConfig, public_key_pem

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CONTEXT_TYPE = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"


class ProtocolError(Exception):
    """A request the platform refuses; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class PlatformConf(LTI1P3PlatformConfAbstract):  # type: ignore[misc]
    """The library's platform configuration for one client of this platform."""

    def init_platform_config(self, **kwargs: Any) -> None:
        """Keep the platform settings and the client this configuration speaks for."""
        self.platform: PlatformConfig = kwargs["platform"]
        self.client: Client = kwargs["client"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        """The library's Registration: issuer, client, deployment, keys and tool URLs."""
        tool = self.client.tool
        return (
            Registration()
            .set_iss(self.platform.issuer)
            .set_client_id(self.client.client_id)
            .set_deployment_id(self.client.deployment_id)
            .set_launch_url(tool.launch)
            .set_deeplink_launch_url(tool.deep_link)
            .set_oidc_login_url(tool.login)
            .set_tool_key_set_url(tool.jwks)
            .set_platform_private_key(self.platform.private_key_pem)
            .set_platform_public_key(public_key_pem(self.platform.private_key_pem))
        )


def conf_for(platform: PlatformConfig, client: Client) -> PlatformConf:
    """A fresh library configuration (it caches the registration and tool keys per instance)."""
    conf = PlatformConf(platform=platform, client=client)
    conf.get_registration()
    return conf


def platform_jwks(platform: PlatformConfig) -> dict[str, Any]:
    """The platform's public key set (served at /.well-known/jwks.json)."""
    return {"keys": [Registration.get_jwk(public_key_pem(platform.private_key_pem))]}


class _RequestData(Request):  # type: ignore[misc]
    """The library's request shape, filled from a Flask request."""

    def build_metadata(self, request: FlaskRequest) -> TRequest:
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": request.args.to_dict(),
            "headers": dict(request.headers),
            "content_type": request.content_type,
            "path": request.path,
            "json": None,
        }


class OidcLogin(OIDCLoginAbstract):  # type: ignore[misc]
    """Third-party initiated login: the URL that sends the browser to the tool's login."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        """Remember the opaque hint that names the pending message."""
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        """The URL itself; the view makes the redirect."""
        return url


def login_url(
    conf: PlatformConf, sub: str, hint: str, target_link_uri: str, storage_target: str | None
) -> str:
    """The tool login URL with iss, login_hint, target_link_uri, lti_message_hint, client_id...

    and `lti_storage_target` when the platform offers platform storage (as Canvas's web app).
    """
    login = OidcLogin(None, conf)
    login.set_lti_message_hint(hint=hint)
    login.set_launch_url(target_link_uri)
    url: str = login.initiate_login(sub)
    if storage_target:
        url += ("&" if "?" in url else "?") + urlencode({"lti_storage_target": storage_target})
    return url


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):  # type: ignore[misc]
    """Builds and signs the id_token for an authorization request the tool sent back."""

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Return the form fields; the view renders the auto-posting page."""
        return launch_data


def new_launch(conf: PlatformConf, request: FlaskRequest) -> MessageLaunch:
    """A message launch answering this authorization request."""
    return MessageLaunch(_RequestData(request), conf)


def sign_launch(launch: MessageLaunch) -> dict[str, str]:
    """Check the authorization response shape (nonce, state...) and sign: id_token, state, URL."""
    try:
        data: dict[str, str] = launch.lti_launch()
    except PreflightRequestValidationException:
        raise ProtocolError(
            "nonce, state, redirect_uri and the right client_id are required"
        ) from None
    return data


def bearer_client(platform: PlatformConfig, header: str) -> tuple[str, set[str]] | None:
    """The client id and scopes of a valid bearer token from this platform; None otherwise."""
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    try:
        claims = jwt.decode(
            parts[1],
            public_key_pem(platform.private_key_pem),
            algorithms=["RS256"],
            options={"require": ["exp", "iss", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("iss") != platform.issuer:
        return None
    return str(claims["sub"]), set(str(claims.get("scopes", "")).split())


def assertion_client_id(form: dict[str, str]) -> str:
    """The client a token request claims to be (unverified; `issue_token` verifies it)."""
    if form.get("grant_type") != "client_credentials":
        raise ProtocolError("grant_type must be client_credentials", code="unsupported_grant_type")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise ProtocolError(f"client_assertion_type must be {ASSERTION_TYPE}")
    try:
        claims = jwt.decode(form.get("client_assertion", ""), options={"verify_signature": False})
    except jwt.PyJWTError:
        raise ProtocolError("client_assertion is not a JWT", 401, "invalid_client") from None
    if not claims.get("iss") or claims.get("iss") != claims.get("sub"):
        raise ProtocolError(
            "client_assertion iss and sub must be the client id", 401, "invalid_client"
        )
    return str(claims["iss"])


def issue_token(
    conf: PlatformConf, form: dict[str, str], token_url: str
) -> tuple[dict[str, Any], str]:
    """Verify the client assertion (signature by the tool's JWKS, aud, exp) and issue a token."""
    try:
        conf.validate_jwt_format(form["client_assertion"])
        claims = jwt.decode(
            form["client_assertion"],
            conf.get_tool_public_key(),
            algorithms=["RS256"],
            audience=[token_url, conf.platform.issuer],
            options={"require": ["exp", "iat", "jti", "aud"]},
        )
        if claims["sub"] != conf.client.client_id:
            raise ProtocolError("client_assertion is for another client", 401, "invalid_client")
        token = conf.get_access_token(form)
    except (LtiException, jwt.PyJWTError, MissingRequiredClaim) as error:
        raise ProtocolError(f"client_assertion refused: {error}", 401, "invalid_client") from None
    except UnsupportedGrantType:
        raise ProtocolError(
            "grant_type must be client_credentials", code="unsupported_grant_type"
        ) from None
    return dict(token), str(claims["jti"])


def verify_deep_link_response(conf: PlatformConf, token: str) -> tuple[dict[str, Any], list[Any]]:
    """Check a deep-linking response JWT from the tool: signature, iss, aud, deployment, type."""
    try:
        items = conf.validate_deeplinking_resp({"JWT": token})
        conf.validate_jwt_format(token)
        claims = jwt.decode(
            token,
            conf.get_tool_public_key(),
            algorithms=["RS256"],
            audience=conf.platform.issuer,
            options={"require": ["exp", "iat", "aud", "iss"]},
        )
    except (LtiException, LtiDeepLinkingResponseException, jwt.PyJWTError) as error:
        raise ProtocolError(f"deep-linking response refused: {error}") from None
    if claims["iss"] != conf.client.client_id:
        raise ProtocolError("deep-linking response iss must be the client id")
    deployment = claims.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
    if deployment != conf.client.deployment_id:
        raise ProtocolError(f"deep-linking response names deployment {deployment!r}")
    return claims, list(items)
