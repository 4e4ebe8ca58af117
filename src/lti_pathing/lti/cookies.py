"""Cookies that survive the LMS iframe: `Secure; SameSite=None; Partitioned` over TLS.

A browser sends a cookie set inside a cross-site iframe only if it is `SameSite=None; Secure`, and
(with third-party cookies blocked) only if it is `Partitioned` (CHIPS). Those flags need TLS, so
with `SECURE_COOKIES = "auto"` they are set exactly when the request came over https — as seen
through `PROXY_COUNT` trusted proxies (ProxyFix) — and a plain http://localhost dev server keeps
ordinary cookies. The same decision feeds pylti1p3's own login cookies (see adapter.py).
"""

from __future__ import annotations

from flask import Flask, Request, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired
from werkzeug.middleware.proxy_fix import ProxyFix


def secure_cookies() -> bool:
    """Whether this request's cookies get Secure; SameSite=None; Partitioned."""
    setting = current_app.config["SECURE_COOKIES"]
    if setting == "auto":
        return request.is_secure
    return bool(setting)


def frame_cookie_problem() -> str | None:
    """Why this request's cookies cannot survive the LMS iframe, when the tool's settings say so.

    Over plain http the cookies go out `SameSite=Lax` without `Secure`, and a browser drops
    those in a cross-site frame whatever its own settings: the cause is the tool's address (or
    a TLS proxy whose forwarded scheme is not trusted), not the person's browser.
    """
    if secure_cookies():
        return None
    setting = current_app.config["SECURE_COOKIES"]
    if setting is False:
        return "SECURE_COOKIES is false, so its cookies cannot be kept inside the LMS page"
    return (
        "this request reached it over plain http, so with SECURE_COOKIES=auto its cookies are "
        "not marked Secure; SameSite=None and cannot be kept inside the LMS page"
    )


def warn_frame_cookies(problem: str) -> None:
    """Tell the administrator, in the log, what to change so cookies work in the frame."""
    current_app.logger.warning(
        "LTI cookie check: lti-pathing cannot keep cookies in the LMS iframe: %s. Serve the tool "
        "over https (behind a TLS proxy, set LTI_PATHING_PROXY_COUNT so the forwarded scheme is "
        "trusted), or for a trial on this machine set LTI_PATHING_SECURE_COOKIES=true",
        problem,
    )


class IframeSession(SecureCookieSession):
    """The signed-cookie session; `expired` when the browser sent one that had run out."""

    expired = False


class IframeSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the iframe flags decided per request.

    The cookie's signature carries the time it was last written; it is accepted for
    `PERMANENT_SESSION_LIFETIME` (`SESSION_HOURS`) after that, and every request writes it anew
    (Flask's SESSION_REFRESH_EACH_REQUEST), so the session slides with activity. One that ran
    out opens empty and marked `expired` (auth.py says so to the person), and is deleted.
    """

    session_class = IframeSession

    def open_session(self, app: Flask, request: Request) -> IframeSession | None:
        """The session the browser's cookie holds; empty (and `expired`) once it ran out."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            return self.session_class(serializer.loads(value, max_age=max_age))
        except SignatureExpired:  # signed by us (checked first), but too long ago
            ended = self.session_class()
            ended.expired = True
            ended.modified = True  # an emptied session deletes the browser's cookie
            return ended
        except BadSignature:
            return self.session_class()

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when the request qualifies (see `secure_cookies`)."""
        return secure_cookies()

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """None (sent in the cross-site iframe) when secure, else Lax."""
        return "None" if secure_cookies() else "Lax"

    def get_cookie_partitioned(self, app: Flask) -> bool:
        """Partitioned (CHIPS) when secure."""
        return secure_cookies()


def init_app(app: Flask) -> None:
    """Trust `PROXY_COUNT` proxies' X-Forwarded-* headers and use the iframe session cookie."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
        )
    app.session_interface = IframeSessionInterface()
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
