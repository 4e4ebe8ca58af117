"""The tool's own address, and the security headers on every response.

Host: links the tool hands out (the LTI launch URL sent to the platform, the registration's
URLs, the deep-linked course link) are built from `PUBLIC_URL`, never from the request's `Host`,
and a request naming any other host is refused with 400 — so `Host: evil.example` cannot make
the tool send a platform to `http://evil.example/lti/launch`. Without `PUBLIC_URL` only this
machine's names answer (the demo and the tests); the health checks answer whatever the host.

Headers: a Content-Security-Policy without inline script whose `frame-ancestors` are the origins
of the registered platforms (the tenant's, once someone is signed in), `nosniff`, a referrer
policy, and HSTS over TLS.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session, url_for
from sqlalchemy.exc import SQLAlchemyError

from lti_pathing.errors import LtiPathingError

log = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
OPEN_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})
HSTS = "max-age=31536000"


class UnknownHost(LtiPathingError):
    """A request for a host name that is not the tool's configured public address."""

    status = 400
    code = "unknown_host"


def _hostname(netloc: str) -> str:
    return (urlsplit("//" + netloc).hostname or "").lower()


def allowed_hosts() -> frozenset[str]:
    """The host names this tool answers to: PUBLIC_URL's, or this machine's when unset."""
    public = current_app.config.get("PUBLIC_URL")
    return frozenset({_hostname(urlsplit(public).netloc)}) if public else LOCAL_HOSTS


def check_host() -> None:
    """Refuse a request whose Host (as forwarded by trusted proxies) is not the tool's."""
    if request.endpoint in OPEN_ENDPOINTS:
        return
    host = _hostname(request.host)
    if host in allowed_hosts():
        return
    public = current_app.config.get("PUBLIC_URL")
    log.warning(
        "refused a request for host %.100r: the tool answers at %s (set LTI_PATHING_PUBLIC_URL "
        "to the tool's public URL)", host, public or "localhost/127.0.0.1 only",
    )  # fmt: skip
    raise UnknownHost(
        "This address is not the tool's: open lti-pathing at its public address. (The tool's "
        "administrator sets it with LTI_PATHING_PUBLIC_URL.)"
    )


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` as the world reaches the tool (PUBLIC_URL when set)."""
    public: str | None = current_app.config.get("PUBLIC_URL")
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def public_base_url() -> str:
    """The tool's base URL (no trailing slash), as the world reaches it."""
    return public_url("home.index").rstrip("/")


def platform_origins() -> list[str]:
    """Origins that may frame the tool: the active registrations' and LMS connections'.

    Once someone is signed in, only their tenant's. A registration gives its issuer and login
    URL; an LMS connection gives the LMS's own address (a Canvas school on its own domain).
    Cached in the shared cache (frame_origins.py).
    """
    # Imported here: models and the cache import this module's neighbours at app creation.
    from lti_pathing import db
    from lti_pathing.auth import SESSION_KEY
    from lti_pathing.frame_origins import frame_origins

    tenant_id = (session.get(SESSION_KEY) or {}).get("tenant_id")
    return frame_origins(db.session(), tenant_id if isinstance(tenant_id, int) else None)


def content_security_policy(ancestors: list[str], loopback: bool = False) -> str:
    """The policy: own scripts, styles and images only; framed by the given origins.

    Forms may post to https anywhere (the deep-link answer goes back to the platform), and to
    this machine over http when development platforms are allowed.
    """
    frame = " ".join(["'self'", *ancestors])
    forms = "'self' https:" + (" http://localhost:* http://127.0.0.1:*" if loopback else "")
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        "style-src-attr 'unsafe-inline'",  # the team heatmap colours its cells inline
        "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
        f"form-action {forms}", f"frame-ancestors {frame}",
    ])  # fmt: skip


def add_headers(response: Response) -> Response:
    """Put the security headers on a response."""
    ancestors: list[str] = []
    if response.mimetype == "text/html":  # only documents are framed
        try:
            ancestors = platform_origins()
        except SQLAlchemyError as error:  # the page itself may be the database-outage page
            log.warning("frame-ancestors: platforms unreadable (%s); only 'self' may frame", error)
    loopback = bool(current_app.config.get("DEV_LOOPBACK_PLATFORMS"))
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(ancestors, loopback)
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Check the host of every request and put the security headers on every response."""
    app.before_request(check_host)
    app.after_request(add_headers)
