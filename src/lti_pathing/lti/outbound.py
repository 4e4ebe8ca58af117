"""Calls to LMS platforms at URLs an outsider may have named: https, public addresses only.

Dynamic registration fetches URLs given by whoever opens the registration link, and the
registration's key set, token and service URLs are then fetched at launches and by jobs. So every
call to a platform:

- goes over https; plain http only to this machine, and only when `DEV_LOOPBACK_PLATFORMS` is on
  (the demo and the tests);
- connects only to public addresses. The address is checked on the socket actually connected,
  after DNS resolution, so a name that resolves (or is rebound) to an inside address is refused,
  and so is every redirect hop; an intranet LMS is allowed by name with `PLATFORM_PRIVATE_HOSTS`;
- follows at most a few redirects, never from https to http, and never through an environment
  proxy (which would hide the address reached).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from flask import current_app, has_app_context
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_REDIRECTS = 3


class TargetRefused(requests.RequestException):
    """A platform URL this tool will not call (scheme, or the address it leads to)."""


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class AddressPolicy:
    """Which platform URLs and addresses may be called."""

    loopback: bool = False
    private_hosts: frozenset[str] = frozenset()

    def check_url(self, url: str) -> None:
        """Refuse a URL that is not https (or http to this machine in development)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise TargetRefused(f"{url!r} is not a URL")
        if parts.scheme == "https":
            return
        if parts.scheme == "http" and self.loopback and host in LOOPBACK_NAMES:
            return
        raise TargetRefused(f"{_origin(url)} is not an https URL (platform URLs must use https)")

    def check_address(self, host: str, address: str) -> None:
        """Refuse a connection to a loopback, private, link-local or otherwise inside address."""
        ip: IpAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_loopback and self.loopback:
            return
        if ip.is_global and not ip.is_multicast:
            return
        intranet = ip.is_private and not ip.is_loopback and not ip.is_link_local
        if intranet and host.lower() in self.private_hosts:
            return
        raise TargetRefused(
            f"{host} leads to {_kind(ip)} address, which this tool does not call (an intranet "
            "LMS can be allowed by name with PLATFORM_PRIVATE_HOSTS)"
        )

    def check_resolves(self, url: str) -> None:
        """Check a URL and every address its host resolves to now (before anything is sent)."""
        self.check_url(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            raise TargetRefused(f"the host {host} of {_origin(url)} is not known") from None
        for *_, sockaddr in found:
            self.check_address(host, str(sockaddr[0]))


def _kind(ip: IpAddress) -> str:
    if ip.is_loopback:
        return "a loopback"
    if ip.is_link_local:
        return "a link-local"
    if ip.is_private:
        return "a private"
    return "a non-public"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url[:80]


def _refusal(error: BaseException, depth: int = 0) -> TargetRefused | None:
    """The TargetRefused somewhere inside a wrapped connection error, if any."""
    if isinstance(error, TargetRefused):
        return error
    if depth > 5:
        return None
    inner = [*error.args, getattr(error, "reason", None), error.__cause__, error.__context__]
    for item in inner:
        if isinstance(item, BaseException):
            found = _refusal(item, depth + 1)
            if found is not None:
                return found
    return None


def policy() -> AddressPolicy:
    """The policy of the current app's settings (the strict one outside an app)."""
    if not has_app_context():
        return AddressPolicy()
    config = current_app.config
    return AddressPolicy(
        loopback=bool(config.get("DEV_LOOPBACK_PLATFORMS")),
        private_hosts=frozenset(config.get("PLATFORM_PRIVATE_HOSTS") or ()),
    )


def _pool_classes(rules: AddressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose connections check the peer address once connected."""

    def checked(sock: socket.socket, host: str) -> socket.socket:
        try:
            rules.check_address(host, str(sock.getpeername()[0]))
        except TargetRefused:
            sock.close()
            raise
        return sock

    class CheckedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return checked(super()._new_conn(), self.host)

    class CheckedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return checked(super()._new_conn(), self.host)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    return {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}


class CheckedAdapter(HTTPAdapter):
    """requests' adapter on pools that check every connection's address."""

    def __init__(self, rules: AddressPolicy) -> None:
        self.rules = rules
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The usual pool manager, with checked pools."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.rules)


class PlatformSession(requests.Session):
    """A session for platform calls: checked URLs, addresses and redirects; a default timeout."""

    def __init__(self, rules: AddressPolicy, timeout_s: float) -> None:
        super().__init__()
        self.rules, self.timeout_s = rules, timeout_s
        self.trust_env = False  # no environment proxy: the address reached must be the one checked
        self.max_redirects = MAX_REDIRECTS
        adapter = CheckedAdapter(rules)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.headers["User-Agent"] = "lti-pathing"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """Send after checking the URL, with the default timeout."""
        self.rules.check_url(url.decode() if isinstance(url, bytes) else url)
        kwargs.setdefault("timeout", self.timeout_s)
        try:
            return super().request(method, url, *args, **kwargs)
        except requests.ConnectionError as error:
            # urllib3 wraps a refused connection as an aborted one: say what really happened.
            refused = _refusal(error)
            if refused is not None:
                raise refused from None
            raise

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """The redirect's target, refused unless it is a URL this session may call."""
        target = super().get_redirect_target(resp)
        if target:
            self.rules.check_url(urljoin(resp.url, target))
        return target


def platform_session(timeout_s: float) -> PlatformSession:
    """A session for calls to platforms, under the current app's address policy."""
    return PlatformSession(policy(), timeout_s)
