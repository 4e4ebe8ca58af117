"""A tenant's LMS connections: the admin enters a URL and a token; the token is kept encrypted."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy import select

from lti_pathing import crypto
from lti_pathing.errors import Invalid, NotFound
from lti_pathing.lms.check import MAX_PROBES, Probe
from lti_pathing.lms.errors import LmsError
from lti_pathing.lms.http import mask
from lti_pathing.models import Lms, LmsConnection, LmsCourseLink, LmsIdentity, LmsSyncRun, Person
from lti_pathing.services.base import TenantService

TokenCheck = Callable[[Lms, str, str], str]  # lti_pathing.lms.check.check_token


def normalise_url(value: str) -> str:
    """The LMS base URL without a trailing slash; Invalid unless it is a plain http(s) URL."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(
            "not an LMS address",
            {"url": ["must be an http(s) URL such as https://lms.example.org"]},
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise Invalid(
            "not an LMS address", {"url": ["give the site address only (no query, no credentials)"]}
        )
    return url


def check_token_first(kind: Lms, url: str, token: str, check: TokenCheck | None) -> tuple[str, str]:
    """The normalised (URL, token), the token tried against the LMS when `check` is given.

    No database here: views and commands call this before any transaction, so none is held
    while the LMS answers (or does not).
    """
    base_url = normalise_url(url)
    token = token.strip()
    if len(token) < 8 or any(c.isspace() for c in token):
        raise Invalid(
            "not a token", {"token": ["an LMS token is at least 8 characters, no spaces"]}
        )
    if check is not None:
        try:
            check(kind, base_url, token)
        except LmsError as error:
            reason = mask(error.message, [token])
            raise Invalid(
                f"the LMS refused the token: {reason}", {"token": [f"the LMS says: {reason}"]}
            ) from None
    return base_url, token


class LmsConnectionService(TenantService):
    """Create, list and retire the tenant's LMS connections."""

    def connect(
        self, kind: Lms, url: str, token: str, check: TokenCheck | None = None
    ) -> LmsConnection:
        """Add a connection, or replace the token of the one with this kind and URL.

        With `check` (lms.check.check_token), the token is first tried against the LMS and
        refused, with the LMS's reason, when it does not work there. Callers that hold a
        transaction should call `check_token_first` before opening it instead.
        """
        base_url, token = check_token_first(kind, url, token, check)
        found = self.session.scalar(
            self.scoped(LmsConnection).where(
                LmsConnection.kind == kind, LmsConnection.base_url == base_url
            )
        )
        connection = found or LmsConnection(kind=kind, base_url=base_url)
        connection.token_encrypted = crypto.encrypt(token)
        connection.token_hint = crypto.mask(token)
        connection.active = True
        if found is None:
            return self.add(connection)
        self.flush()
        return connection

    def probe(self, kind: Lms) -> Probe:
        """Linked course ids and LMS user ids of active people, for `lms check` to try."""
        courses = self.session.scalars(
            select(LmsCourseLink.course_id)
            .where(LmsCourseLink.tenant_id == self.tenant.id, LmsCourseLink.lms == kind)
            .order_by(LmsCourseLink.course_id)
        )
        users = self.session.scalars(
            select(LmsIdentity.lms_user_id)
            .join(Person, Person.id == LmsIdentity.person_id)
            .where(
                LmsIdentity.tenant_id == self.tenant.id,
                LmsIdentity.lms == kind,
                LmsIdentity.lms_user_id.is_not(None),
                Person.active.is_(True),
            )
            .order_by(LmsIdentity.id)
            .limit(MAX_PROBES * 4)
        )
        return Probe(tuple(dict.fromkeys(courses)), tuple(str(u) for u in users))

    def list_connections(self) -> list[LmsConnection]:
        """Every connection of the tenant (tokens only as their masked hint)."""
        stmt = self.scoped(LmsConnection).order_by(LmsConnection.kind, LmsConnection.base_url)
        return list(self.session.scalars(stmt))

    def active(self) -> list[LmsConnection]:
        """The connections a sync uses."""
        return [c for c in self.list_connections() if c.active]

    def by_kind(self, kind: Lms) -> LmsConnection:
        """The tenant's active connection of this kind; NotFound if none."""
        for connection in self.active():
            if connection.kind == kind:
                return connection
        raise NotFound(f"no active {kind.value} connection; add one with: lti-pathing lms connect")

    def last_run(self, connection: LmsConnection) -> LmsSyncRun | None:
        """The most recent sync run of a connection."""
        return self.session.scalar(
            select(LmsSyncRun)
            .where(
                LmsSyncRun.tenant_id == self.tenant.id, LmsSyncRun.connection_id == connection.id
            )
            .order_by(LmsSyncRun.id.desc())
            .limit(1)
        )

    def deactivate(self, connection_id: int, expected_version: int | None) -> LmsConnection:
        """Stop syncing over a connection (kept with its runs; connecting again reactivates it)."""
        connection = self.get(LmsConnection, connection_id)
        self.check_version(connection, expected_version)
        connection.active = False
        self.flush()
        return connection

    def runs(self, limit: int = 30) -> list[LmsSyncRun]:
        """The tenant's newest sync runs first."""
        stmt = self.scoped(LmsSyncRun).order_by(LmsSyncRun.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def run(self, run_id: int) -> LmsSyncRun:
        """One sync run of the tenant (NotFound for another tenant's)."""
        return self.get(LmsSyncRun, run_id)
