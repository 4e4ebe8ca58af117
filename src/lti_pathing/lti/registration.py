"""`/lti/register`: LTI dynamic registration, as Moodle and Canvas run it.

An administrator of a tenant makes a registration link (`lti-pathing registration-link`), signed
and valid for a week and one registration (its jti is recorded when used), and pastes it into the
LMS. The LMS opens it with `openid_configuration` and `registration_token`; the tool reads the
platform's configuration (sending the token as a Bearer header, which Canvas requires), posts its
own configuration to the registration endpoint (Bearer again), stores the registration as rows of
the tenant and answers with the page that posts `org.imsglobal.lti.close`. Moodle returns a
deployment id in the tool configuration; Canvas (with its LTI registrations UI) at the top of
its answer, the deployment of the root account; an older Canvas none, so the registration waits
for its first launch to record it. `messages_supported` may list strings (Moodle 4.0-4.3) or
objects (Moodle 4.5, Canvas).

Canvas gets the placements of the manual developer key (`CANVAS_PLACEMENTS`: course, account
and user navigation, link selection by deep linking), each as a message of its own with its
label, named with Canvas's extension prefix (`https://canvas.instructure.com/lti/<placement>`,
as app/models/lti/ims/registration.rb reads them), and only those the platform's configuration
offers. What the platform granted of the scopes and placements asked for is read from its answer,
stored (`registration_outcome`) and shown to the administrator. Canvas applies what its
administrator turns off on its review screen only after the tool's window closed, without telling
the tool: the page says where to check.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app, render_template, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_pathing import db
from lti_pathing.cache import shared_cache
from lti_pathing.errors import Invalid, NotFound, PermissionDenied
from lti_pathing.lti import adapter, bp, outbound
from lti_pathing.lti.identity import PRODUCTS
from lti_pathing.lti.platforms import PlatformService, PlatformSpec
from lti_pathing.models import RegistrationInvite, Tenant
from lti_pathing.security import public_base_url
from lti_pathing.services.tenants import TenantService

log = logging.getLogger(__name__)

INVITE_SALT = "lti-dynamic-registration"
INVITE_MAX_AGE_S = 7 * 24 * 3600
USED_LINK = (
    "this registration link has already been used (each link registers the tool once): make a "
    "new one with `lti-pathing registration-link`"
)
MAX_ATTEMPTS = 5
ATTEMPTS_KEY_PREFIX = "registration-attempts:"
PLATFORM_URLS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
CANVAS_CLOUD_ISSUERS = frozenset({
    "https://canvas.instructure.com", "https://canvas.beta.instructure.com",
    "https://canvas.test.instructure.com",
})  # fmt: skip
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
CANVAS_CUSTOM = {
    "canvas_user_id": "$Canvas.user.id",
    "canvas_course_id": "$Canvas.course.id",
    "canvas_api_base_url": "$Canvas.api.baseUrl",
}
# Where Canvas shows the tool (the developer key's placements): placement, message, label.
CANVAS_PLACEMENTS = (
    ("course_navigation", "LtiResourceLinkRequest", "Career plan"),
    ("account_navigation", "LtiResourceLinkRequest", "Career pathing (admin)"),
    ("user_navigation", "LtiResourceLinkRequest", "My career plan"),
    ("link_selection", "LtiDeepLinkingRequest", "My career plan"),
)
CANVAS_PREFIX = "https://canvas.instructure.com/lti/"
# What each asked-for placement and scope gives, in the administrator's words (pages, CLI).
WHAT_IT_GIVES = {
    "course_navigation": "Career plan in every course's navigation",
    "account_navigation": "Career pathing (admin) in the account navigation",
    "user_navigation": "My career plan in each person's account menu",
    "link_selection": "adding My career plan to a course as a link (deep linking)",
    "LtiDeepLinkingRequest": "adding My career plan to a course (deep linking)",
    SCOPES[0]: "grade columns for plan progress (line items)",
    SCOPES[1]: "reading back the grades sent (results)",
    SCOPES[2]: "sending plan progress to grade books (scores)",
    SCOPES[3]: "reading course rosters to match people (Names and Role Provisioning)",
}
# Dynamic-registration placement names Canvas reads as its own (Lti::ResourcePlacement).
IMS_PLACEMENTS = {"ContentArea": "link_selection", "RichTextEditor": "editor_button"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITE_SALT)


def invite_url(base_url: str, tenant_slug: str) -> str:
    """The registration link for a tenant (paste it into Moodle or Canvas): a week, one use."""
    token = _serializer().dumps({"tenant": tenant_slug, "jti": uuid.uuid4().hex})
    return f"{base_url.rstrip('/')}/lti/register?invite={token}"


def _invitation(invite: str) -> tuple[str, str]:
    try:
        data = _serializer().loads(invite, max_age=INVITE_MAX_AGE_S)
    except SignatureExpired:
        raise PermissionDenied("this registration link has expired: make a new one") from None
    except BadSignature:
        raise PermissionDenied(
            "registration needs a link made by `lti-pathing registration-link` (this one is "
            "missing or altered)"
        ) from None
    if not data.get("jti"):  # made before links were single-use
        raise adapter.LtiRefused(USED_LINK)
    return str(data["tenant"]), str(data["jti"])


def _use_invitation(session: Session, tenant: Tenant, jti: str) -> None:
    """Record the link as used (kept only if the registration succeeds); refuse a second use."""
    used = session.scalar(select(RegistrationInvite).where(RegistrationInvite.jti == jti))
    if used is not None:
        raise adapter.LtiRefused(USED_LINK)
    try:
        with session.begin_nested():
            session.add(RegistrationInvite(tenant_id=tenant.id, jti=jti))
    except IntegrityError:  # the same link, opened twice at once
        raise adapter.LtiRefused(USED_LINK) from None


def _attempt(jti: str) -> None:
    """Count a registration attempt with this link; refuse once it has failed too often."""
    cache, key = shared_cache(), ATTEMPTS_KEY_PREFIX + jti
    cache.add(key, 0, timeout=INVITE_MAX_AGE_S)
    if int(cache.inc(key) or 0) > MAX_ATTEMPTS:
        raise adapter.LtiRefused(
            f"this registration link was tried {MAX_ATTEMPTS} times without success: make a new "
            "one with `lti-pathing registration-link` once the cause is fixed"
        )


def _where(url: str) -> str:
    """A URL as shown in messages: scheme, host and path (never its query)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _fetch_json(method: str, url: str, token: str, **kwargs: Any) -> dict[str, Any]:
    """One call to the platform with the registration token; Invalid with the reason if it fails.

    What the platform answered is logged for the administrator, never shown on the page: the
    page would otherwise read out whatever the URL leads to.
    """
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        response = adapter.http_session().request(method, url, headers=headers, **kwargs)
    except outbound.TargetRefused as error:
        raise Invalid(f"the tool will not call {_where(url)}: {error}") from None
    except requests.RequestException as error:
        log.warning("dynamic registration: %s %s failed: %s", method, _where(url), error)
        raise Invalid(f"could not reach the platform at {_where(url)}") from None
    if response.status_code >= 400:
        log.warning("dynamic registration: %s %s answered %s: %.300r", method, _where(url),
                    response.status_code, response.text)  # fmt: skip
        raise Invalid(f"the platform answered {response.status_code} at {_where(url)}")
    try:
        body = response.json()
    except ValueError:
        raise Invalid(f"the platform's answer at {_where(url)} is not JSON") from None
    if not isinstance(body, dict):
        raise Invalid(f"the platform's answer at {_where(url)} is not a JSON object")
    return body


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return (parts.hostname or "", parts.port or default)


def issuer_matches(issuer: str, config_url: str) -> bool:
    """True if the issuer is on the configuration URL's host (Canvas cloud: any school host)."""
    if issuer in CANVAS_CLOUD_ISSUERS:
        # Instructure-hosted Canvas serves every school's configuration from the school's own
        # domain while all of them share these issuers.
        return (urlsplit(config_url).hostname or "").endswith(".instructure.com")
    return _host_port(issuer) == _host_port(config_url)


def check_platform(openid: dict[str, Any], config_url: str) -> None:
    """Refuse a configuration whose issuer is on another host, or whose URLs lead inside."""
    issuer = openid.get("issuer")
    if not isinstance(issuer, str) or not issuer_matches(issuer, config_url):
        log.warning("dynamic registration: issuer %.100r is not on %s", issuer, _where(config_url))
        raise Invalid(
            "the platform's issuer is not on the host of its configuration URL "
            f"({urlsplit(config_url).netloc}): refused (the tool's log names the issuer)"
        )
    rules = outbound.policy()
    try:
        rules.check_url(issuer)
    except outbound.TargetRefused as error:
        raise Invalid(f"the platform's issuer is refused: {error}") from None
    for name in PLATFORM_URLS:
        value = openid.get(name)
        if not isinstance(value, str):
            continue  # missing ones are named by _spec and register()
        try:
            rules.check_resolves(value)
        except outbound.TargetRefused as error:
            raise Invalid(f"the platform's {name} is refused: {error}") from None


def message_types(platform_configuration: dict[str, Any]) -> set[str]:
    """The message types a platform supports, whether listed as strings or as objects."""
    listed = platform_configuration.get("messages_supported") or []
    types = {
        m if isinstance(m, str) else m.get("type") for m in listed if isinstance(m, str | dict)
    }
    return {t for t in types if isinstance(t, str)}


def canvas_placement(name: str) -> str:
    """A placement as Canvas names it (its extension prefix and the IMS names mapped)."""
    return IMS_PLACEMENTS.get(name, name.removeprefix(CANVAS_PREFIX))


def offered(platform_configuration: dict[str, Any], message_type: str, placement: str) -> bool:
    """Whether the platform offers this placement for this message type.

    A message listed as a string, or as an object without placements, offers them all.
    """
    for listed in platform_configuration.get("messages_supported") or []:
        if listed == message_type:
            return True
        if isinstance(listed, dict) and listed.get("type") == message_type:
            placements = listed.get("placements")
            if not isinstance(placements, list):
                return True
            return placement in {canvas_placement(str(p)) for p in placements}
    return False


def _canvas_messages(platform: dict[str, Any], launch: str) -> list[dict[str, Any]]:
    """One message per placement of the developer key that the platform offers."""
    return [
        {"type": message_type, "target_link_uri": launch, "label": label,
         "placements": [CANVAS_PREFIX + placement]}
        for placement, message_type, label in CANVAS_PLACEMENTS
        if offered(platform, message_type, placement)
    ]  # fmt: skip


def registration_request(openid: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The tool's configuration, shaped for this platform (Canvas gets placements and fields)."""
    platform = openid.get(PLATFORM_CONFIGURATION) or {}
    canvas = platform.get("product_family_code") == "canvas"
    launch = f"{base_url}/lti/launch"
    messages: list[dict[str, Any]] = []
    if canvas:
        messages = _canvas_messages(platform, launch)
    elif "LtiDeepLinkingRequest" in message_types(platform):
        messages.append({"type": "LtiDeepLinkingRequest", "target_link_uri": launch,
                         "label": "My career plan"})  # fmt: skip
    supported = set(openid.get("scopes_supported") or SCOPES)
    tool: dict[str, Any] = {
        "domain": urlsplit(base_url).netloc, "target_link_uri": launch,
        "description": "Career pathing: skill gaps, development plans, manager approval.",
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": messages,
    }  # fmt: skip
    if canvas:
        tool["custom_parameters"] = dict(CANVAS_CUSTOM)
        tool[CANVAS_PREFIX + "privacy_level"] = "public"
        tool[CANVAS_PREFIX + "tool_id"] = "lti-pathing"
    return {
        "application_type": "web", "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base_url}/lti/login", "redirect_uris": [launch],
        "client_name": "lti-pathing", "jwks_uri": f"{base_url}/.well-known/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(s for s in SCOPES if s in supported),
        TOOL_CONFIGURATION: tool,
    }  # fmt: skip


def _placements(body: dict[str, Any]) -> list[str]:
    """The placements (or, without any, the message types) a registration body names."""
    messages = (body.get(TOOL_CONFIGURATION) or {}).get("messages") or []
    found: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        placements = message.get("placements")
        if isinstance(placements, list) and placements:
            found += [canvas_placement(str(p)) for p in placements]
        elif message.get("type"):
            found.append(str(message["type"]))
    return list(dict.fromkeys(found))


def registration_outcome(
    sent: dict[str, Any], answer: dict[str, Any], openid: dict[str, Any]
) -> dict[str, Any]:
    """What the platform granted of what the tool asked for, and what it refused or lacks.

    An answer without `scope` or without tool messages is taken to grant what was asked (the
    spec lets the platform leave out what it did not change).
    """
    asked_scopes = str(sent.get("scope") or "").split()
    answered = answer.get("scope")
    granted_scopes = set(str(answered).split()) if isinstance(answered, str) else set(asked_scopes)
    asked = _placements(sent)
    has_messages = isinstance((answer.get(TOOL_CONFIGURATION) or {}).get("messages"), list)
    granted = set(_placements(answer)) if has_messages else set(asked)
    platform = openid.get(PLATFORM_CONFIGURATION) or {}
    canvas = platform.get("product_family_code") == "canvas"
    not_offered = [p for p, kind, _ in CANVAS_PLACEMENTS
                   if canvas and not offered(platform, kind, p)]  # fmt: skip
    return {
        "scopes": {"granted": [s for s in asked_scopes if s in granted_scopes],
                   "refused": [s for s in asked_scopes if s not in granted_scopes]},
        "placements": {"granted": [p for p in asked if p in granted],
                       "refused": [p for p in asked if p not in granted],
                       "not_offered": not_offered},
    }  # fmt: skip


def _spec(openid: dict[str, Any], answer: dict[str, Any], outcome: dict[str, Any]) -> PlatformSpec:
    missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
               if not isinstance(openid.get(k), str)]  # fmt: skip
    if missing:
        raise Invalid(f"the platform's OpenID configuration lacks {', '.join(missing)}")
    if not isinstance(answer.get("client_id"), str) or not answer["client_id"]:
        raise Invalid("the platform's registration answer has no client_id")
    # Moodle: in the tool configuration; Canvas: beside it (its root account's deployment).
    deployment = (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id") or answer.get(
        "deployment_id"
    )
    product = (openid.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or "LMS"
    return PlatformSpec(
        issuer=openid["issuer"], client_id=answer["client_id"],
        auth_login_url=openid["authorization_endpoint"], auth_token_url=openid["token_endpoint"],
        key_set_url=openid["jwks_uri"], deployment_ids=[str(deployment)] if deployment else [],
        deployment_pending=not deployment, name=f"{product} (dynamic registration)",
        lms=PRODUCTS.get(str(product).lower()),  # its default admin-role allowlist (lti/roles.py)
        outcome=outcome,
    )  # fmt: skip


@bp.get("/register")
def register() -> str:
    """Run a dynamic registration the LMS opened, then tell the LMS to close its window."""
    slug, jti = _invitation(request.args.get("invite", ""))
    config_url = request.args.get("openid_configuration", "")
    token = request.args.get("registration_token", "")
    if not config_url or not token:
        raise Invalid("open this link from the LMS's dynamic registration: it adds "
                      "openid_configuration and registration_token")  # fmt: skip
    session = db.session()
    try:
        tenant = TenantService(session).by_slug(slug)
    except NotFound:
        raise Invalid(f"the tenant {slug!r} of this registration link no longer exists") from None
    _use_invitation(session, tenant, jti)
    _attempt(jti)
    openid = _fetch_json("GET", config_url, token)
    check_platform(openid, config_url)
    endpoint = openid.get("registration_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise Invalid("the platform's OpenID configuration names no registration_endpoint")
    sent = registration_request(openid, public_base_url())
    answer = _fetch_json("POST", endpoint, token, json=sent)
    outcome = registration_outcome(sent, answer, openid)
    row = PlatformService(session, tenant).add_platform(_spec(openid, answer, outcome))
    canvas = (openid.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") == "canvas"
    return render_template("lti/registered.html", registration=row, outcome=outcome,
                           canvas=canvas, gives=WHAT_IT_GIVES)  # fmt: skip
