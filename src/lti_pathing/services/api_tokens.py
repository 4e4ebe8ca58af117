"""API tokens: bearer secrets for the REST API, shown once, stored only as prefix + SHA-256.

A token holds scopes (`read`: GET calls; `write`: every other call except the import; `import`:
the bulk import) and may expire. A missing scope is a 403 naming it; an expired token a 401
saying so; any other failure one 401 message, so a caller cannot tell which prefixes exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.errors import Invalid, NotFound, PermissionDenied, Unauthenticated
from lti_pathing.models import ApiToken, Tenant
from lti_pathing.models.tokens import SCOPES
from lti_pathing.services.base import Clock, TenantService

SCHEME = "ltp"
REFUSED = "invalid or revoked API token"
# A token's last use is written at most this often: reads stay reads under a busy client.
LAST_USE_GRANULARITY = dt.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class MissingScope(PermissionDenied):
    """The token is valid but does not hold the scope this call needs."""

    code = "insufficient_scope"

    def __init__(self, needed: str, held: Iterable[str]) -> None:
        held = tuple(held)
        super().__init__(
            f"this API token may not make this call: it needs the {needed!r} scope and holds "
            f"{', '.join(repr(s) for s in held)}; ask an administrator for a token with "
            f"{needed!r}",
            {"required_scope": needed, "token_scopes": list(held)},
        )
        self.needed = needed


class TokenExpired(Unauthenticated):
    """The token was valid until its expiry date, which has passed."""

    code = "token_expired"


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes in SCOPES order; Invalid when none, or one is unknown."""
    given = set(scopes)
    unknown = sorted(given - set(SCOPES))
    if unknown:
        raise Invalid(f"unknown scope(s) {', '.join(unknown)}; choose from {', '.join(SCOPES)}",
                      {"scopes": [f"choose from {', '.join(SCOPES)}"]})  # fmt: skip
    if not given:
        raise Invalid("choose at least one scope", {"scopes": ["choose at least one"]})
    return tuple(scope for scope in SCOPES if scope in given)


def end_of_day(day: dt.date) -> dt.datetime:
    """When a token "valid until" `day` expires: the first instant after it (UTC)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def token_state(token: ApiToken, now: dt.datetime) -> str:
    """`active`, `active until …`, `expired …` or `revoked …` (UTC, to the minute)."""
    if token.revoked_at is not None:
        return f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
    if token.expires_at is not None and token.expires_at <= now:
        return f"expired {token.expires_at:%Y-%m-%d %H:%M}"
    return "active" + (f" until {token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "")


class ApiTokenService(TenantService):
    """Create, list and revoke the acting tenant's API tokens."""

    def create_token(
        self, name: str, created_by_id: int | None = None, scopes: Iterable[str] = SCOPES,
        expires_at: dt.datetime | None = None,
    ) -> tuple[ApiToken, str]:  # fmt: skip
        """Add a token; return it and its secret `ltp_<prefix>_<random>`, shown only this once."""
        held = check_scopes(scopes)
        if expires_at is not None and expires_at <= self.clock():
            raise Invalid(
                "the expiry must be in the future", {"expires": ["must be in the future"]}
            )
        prefix = secrets.token_hex(4)
        while self.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix)) is not None:
            prefix = secrets.token_hex(4)  # pragma: no cover - 1 in 4 billion per existing token
        secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken(
            name=name, prefix=prefix, sha256=_digest(secret), created_by_id=created_by_id,
            created_at=self.clock(), expires_at=expires_at,
        )  # fmt: skip
        token.scopes = held
        return self.add(token), secret

    def list_tokens(self) -> list[ApiToken]:
        """The tenant's tokens, newest first, revoked ones included."""
        stmt = self.scoped(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        return list(self.session.scalars(stmt))

    def find_token(self, prefix: str) -> ApiToken:
        """The tenant's token with this prefix; NotFound otherwise."""
        token = self.session.scalar(self.scoped(ApiToken).where(ApiToken.prefix == prefix))
        if token is None:
            raise NotFound(f"no API token with prefix {prefix!r}")
        return token

    def revoke_token(self, prefix: str) -> ApiToken:
        """Refuse the token from now on (revoking twice keeps the first time)."""
        token = self.find_token(prefix)
        if token.revoked_at is None:
            token.revoked_at = self.clock()
            self.flush()
        return token


def authenticate(
    session: Session, secret: str, needed: str | None = None, clock: Clock = utcnow
) -> Tenant:
    """The tenant a live token belongs to, if it holds the `needed` scope; records the use.

    Unauthenticated (one message for every cause but expiry) if the token is not live;
    MissingScope (403) if it lacks `needed`.
    """
    scheme, _, rest = secret.partition("_")
    prefix, _, _random = rest.partition("_")
    token = None
    if scheme == SCHEME and prefix:
        token = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    # Compare even when nothing was found, so timing does not tell which prefixes exist.
    stored = token.sha256 if token is not None else "0" * 64
    matches = hmac.compare_digest(stored, _digest(secret))
    if token is None or not matches or token.revoked_at is not None:
        raise Unauthenticated(REFUSED)
    tenant = session.get_one(Tenant, token.tenant_id)
    if not tenant.active:
        raise Unauthenticated(REFUSED)
    now = clock()
    if token.expires_at is not None and token.expires_at <= now:
        # Only the holder of the secret learns this, so it may say what happened.
        raise TokenExpired(
            f"API token {token.prefix} expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; "
            "ask an administrator for a new one"
        )
    if needed is not None and needed not in token.scopes:
        raise MissingScope(needed, token.scopes)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_GRANULARITY:
        token.last_used_at = now
        session.flush()
    return tenant
