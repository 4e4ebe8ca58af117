"""API tokens: shown once, never stored; revoked, expired and out-of-scope uses are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound, Unauthenticated
from lti_pathing.models import Tenant
from lti_pathing.services.api_tokens import (
    ApiTokenService,
    MissingScope,
    TokenExpired,
    authenticate,
    end_of_day,
    token_state,
)

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


def test_scopes_must_be_known_and_at_least_one(session: Session, tenant: Tenant) -> None:
    service = ApiTokenService(session, tenant)
    with pytest.raises(Invalid, match="choose at least one scope"):
        service.create_token("none", scopes=())
    with pytest.raises(Invalid, match="unknown scope"):
        service.create_token("odd", scopes=("read", "admin"))
    token, _secret = service.create_token("two", scopes=("import", "read", "read"))
    assert token.scopes == ("read", "import") and token.scopes_text == "import read"


def test_a_token_without_scopes_given_holds_all(session: Session, tenant: Tenant) -> None:
    token, secret = ApiTokenService(session, tenant).create_token("ci")
    assert token.scopes == ("read", "write", "import")
    for scope in token.scopes:
        assert authenticate(session, secret, scope) == tenant


def test_a_missing_scope_is_refused_without_recording_a_use(
    session: Session, tenant: Tenant
) -> None:
    token, secret = ApiTokenService(session, tenant).create_token("reader", scopes=("read",))
    with pytest.raises(MissingScope) as refused:
        authenticate(session, secret, "write", clock=lambda: NOON)
    assert refused.value.status == 403 and refused.value.needed == "write"
    assert token.last_used_at is None


def test_expiry_is_in_the_future_and_refuses_from_then_on(session: Session, tenant: Tenant) -> None:
    service = ApiTokenService(session, tenant, clock=lambda: NOON)
    with pytest.raises(Invalid, match="in the future"):
        service.create_token("late", expires_at=NOON)
    token, secret = service.create_token("month", expires_at=NOON + dt.timedelta(days=30))
    just_before = NOON + dt.timedelta(days=30) - dt.timedelta(seconds=1)
    assert authenticate(session, secret, "read", clock=lambda: just_before) == tenant
    with pytest.raises(TokenExpired, match=f"API token {token.prefix} expired on 2027-03-31 12:00"):
        authenticate(session, secret, "read", clock=lambda: NOON + dt.timedelta(days=30))


def test_last_use_is_written_at_most_once_a_minute(session: Session, tenant: Tenant) -> None:
    token, secret = ApiTokenService(session, tenant).create_token("busy")
    for seconds in (0, 30, 59):
        authenticate(session, secret, clock=lambda s=seconds: NOON + dt.timedelta(seconds=s))
    assert token.last_used_at == NOON
    authenticate(session, secret, clock=lambda: NOON + dt.timedelta(seconds=61))
    assert token.last_used_at == NOON + dt.timedelta(seconds=61)


def test_the_state_says_active_until_expired_or_revoked(session: Session, tenant: Tenant) -> None:
    service = ApiTokenService(session, tenant, clock=lambda: NOON)
    token, _secret = service.create_token("x", expires_at=end_of_day(NOON.date()))
    assert token_state(token, NOON) == "active until 2027-03-02 00:00"
    assert token_state(token, NOON + dt.timedelta(days=1)) == "expired 2027-03-02 00:00"
    service.revoke_token(token.prefix)
    assert token_state(token, NOON) == "revoked 2027-03-01 12:00"
