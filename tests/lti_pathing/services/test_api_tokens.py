"""API tokens: the secret is shown once and never stored; revoked tokens are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import NotFound, Unauthenticated
from lti_pathing.models import Tenant
from lti_pathing.services.api_tokens import ApiTokenService, authenticate

NOON = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_the_secret_is_returned_once_and_only_its_hash_is_stored(
    session: Session, tenant: Tenant
) -> None:
    token, secret = ApiTokenService(session, tenant).create_token("ci")
    assert re.fullmatch(rf"ltp_{token.prefix}_[A-Za-z0-9_-]{{40,}}", secret)
    assert token.sha256 == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(getattr(token, c.key)) for c in token.__table__.columns]
    assert not any(secret in value or secret.split("_", 2)[2] in value for value in stored)


def test_authenticate_finds_the_tenant_and_records_the_use(
    session: Session, tenant: Tenant
) -> None:
    token, secret = ApiTokenService(session, tenant).create_token("ci")
    assert authenticate(session, secret, clock=lambda: NOON) == tenant
    assert token.last_used_at == NOON


@pytest.mark.parametrize("mangle", [
    lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # right prefix, wrong secret
    lambda s: "ltp_00000000_" + s.split("_", 2)[2],  # unknown prefix
    lambda s: "Bearer " + s, lambda s: "", lambda s: "ltp__",
])  # fmt: skip
def test_wrong_or_malformed_secrets_are_refused(
    session: Session, tenant: Tenant, mangle: Callable[[str], str]
) -> None:
    _token, secret = ApiTokenService(session, tenant).create_token("ci")
    with pytest.raises(Unauthenticated, match="invalid or revoked API token"):
        authenticate(session, mangle(secret))


def test_a_revoked_token_is_refused(session: Session, tenant: Tenant) -> None:
    service = ApiTokenService(session, tenant)
    token, secret = service.create_token("ci")
    service.revoke_token(token.prefix)
    with pytest.raises(Unauthenticated):
        authenticate(session, secret)
    assert [t.revoked_at is not None for t in service.list_tokens()] == [True]


def test_an_inactive_tenants_token_is_refused(session: Session, tenant: Tenant) -> None:
    _token, secret = ApiTokenService(session, tenant).create_token("ci")
    tenant.active = False
    with pytest.raises(Unauthenticated):
        authenticate(session, secret)


def test_tenants_see_and_revoke_only_their_own_tokens(
    session: Session, make_tenant: Callable[..., Any]
) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    token, secret = ApiTokenService(session, a).create_token("a's")
    assert ApiTokenService(session, b).list_tokens() == []
    with pytest.raises(NotFound):
        ApiTokenService(session, b).revoke_token(token.prefix)
    assert authenticate(session, secret) == a
