"""API tokens: bearer secrets for the REST API, shown once, stored only as prefix + SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.db import utcnow
from lti_pathing.errors import NotFound, Unauthenticated
from lti_pathing.models import ApiToken, Tenant
from lti_pathing.services.base import Clock, TenantService

SCHEME = "ltp"
REFUSED = "invalid or revoked API token"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiTokenService(TenantService):
    """Create, list and revoke the acting tenant's API tokens."""

    def create_token(self, name: str, created_by_id: int | None = None) -> tuple[ApiToken, str]:
        """Add a token; return it and its secret `ltp_<prefix>_<random>`, shown only this once."""
        prefix = secrets.token_hex(4)
        while self.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix)) is not None:
            prefix = secrets.token_hex(4)  # pragma: no cover - 1 in 4 billion per existing token
        secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken(
            name=name, prefix=prefix, sha256=_digest(secret), created_by_id=created_by_id,
            created_at=self.clock(),
        )  # fmt: skip
        return self.add(token), secret

    def list_tokens(self) -> list[ApiToken]:
        """The tenant's tokens, newest first, revoked ones included."""
        stmt = self.scoped(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        return list(self.session.scalars(stmt))

    def revoke_token(self, prefix: str) -> ApiToken:
        """Refuse the token from now on (revoking twice keeps the first time)."""
        token = self.session.scalar(self.scoped(ApiToken).where(ApiToken.prefix == prefix))
        if token is None:
            raise NotFound(f"no API token with prefix {prefix!r}")
        if token.revoked_at is None:
            token.revoked_at = self.clock()
            self.flush()
        return token


def authenticate(session: Session, secret: str, clock: Clock = utcnow) -> Tenant:
    """The tenant a live token belongs to; Unauthenticated (one message for every cause) if not."""
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
    token.last_used_at = clock()
    session.flush()
    return tenant
