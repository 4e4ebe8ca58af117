"""The API tokens page: scopes and expiry chosen when creating, last use shown, revoking asks."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.models import ApiToken, Tenant
from lti_pathing.services.api_tokens import ApiTokenService, authenticate
from tests.lti_pathing.web.conftest import Browser


def _secret(html: str) -> str:
    return html.split('id="secret-value" readonly value="')[1].split('"')[0]


def test_a_token_gets_the_scopes_and_last_day_chosen(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    page = admin.get("/admin/api-tokens/").get_data(as_text=True)
    # Least privilege by default: only "read" is ticked.
    assert re.search(
        r'<input[^>]*checked[^>]*value="read"|<input[^>]*value="read"[^>]*checked', page
    )
    assert not re.search(r'<input[^>]*value="write"[^>]*checked', page)
    last_day = (utcnow() + dt.timedelta(days=30)).date()
    created = admin.post("/admin/api-tokens/", {
        "name": "HRIS nightly", "scopes": ["read", "import"], "valid_until": last_day.isoformat(),
    })  # fmt: skip
    assert created.status_code == 201, created.get_data(as_text=True)
    html = created.get_data(as_text=True)
    assert "It may: read, import" in html
    token = session.scalars(select(ApiToken).where(ApiToken.name == "HRIS nightly")).one()
    assert token.scopes == ("read", "import")
    assert token.expires_at == dt.datetime.combine(
        last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    assert authenticate(session, _secret(html), "import").id == tenant.id
    listing = admin.get("/admin/api-tokens/").get_data(as_text=True)
    assert "<td>read, import</td>" in listing
    assert f"active until {token.expires_at:%Y-%m-%d %H:%M}" in listing


def test_no_scope_or_a_past_day_is_shown_beside_the_field_with_the_input_kept(
    admin: Browser, session: Session
) -> None:
    none = admin.post("/admin/api-tokens/", {"name": "Reporting"})
    assert none.status_code == 422
    html = none.get_data(as_text=True)
    assert 'id="error-summary"' in html and "choose at least one" in html
    assert 'value="Reporting"' in html
    yesterday = (utcnow() - dt.timedelta(days=1)).date().isoformat()
    past = admin.post("/admin/api-tokens/", {"name": "Reporting", "scopes": "read",
                                             "valid_until": yesterday})  # fmt: skip
    assert past.status_code == 422
    html = past.get_data(as_text=True)
    assert 'id="valid_until-error"' in html and "must be in the future" in html
    assert f'value="{yesterday}"' in html
    assert session.scalars(select(ApiToken)).all() == []


def test_the_list_shows_last_use_and_expired_tokens(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    service = ApiTokenService(session, tenant)
    _used, secret = service.create_token("Used daily")
    authenticate(
        session, secret, "read", clock=lambda: dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    )
    old, _ = service.create_token("Old one", expires_at=utcnow() + dt.timedelta(seconds=1))
    old.expires_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # it has run out since
    session.flush()
    listing = admin.get("/admin/api-tokens/").get_data(as_text=True)
    assert "<td>2026-03-02 09:30</td>" in listing
    assert "expired 2026-01-01 00:00" in listing
    assert "<td>read, write, import</td>" in listing


def test_revoking_asks_first_and_only_the_confirmed_post_revokes(
    admin: Browser, tenant: Tenant, session: Session, app: Flask
) -> None:
    token, secret = ApiTokenService(session, tenant).create_token("HRIS sync")
    session.flush()
    listing = admin.get("/admin/api-tokens/").get_data(as_text=True)
    link = f'href="/admin/api-tokens/{token.prefix}/revoke"'
    assert link in listing and "Revoke<span" in listing  # a link to the question, not a post
    asked = admin.get(f"/admin/api-tokens/{token.prefix}/revoke")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Revoke API token “HRIS sync”?" in html and "refused from the moment" in html
    assert 'name="confirm" value="revoke"' in html and ">Keep it</a>" in html
    unconfirmed = admin.post(f"/admin/api-tokens/{token.prefix}/revoke")
    assert unconfirmed.status_code == 200 and "Revoke API token" in unconfirmed.get_data(
        as_text=True
    )
    session.expire_all()
    assert session.get_one(ApiToken, token.id).revoked_at is None
    done = admin.post(f"/admin/api-tokens/{token.prefix}/revoke", {"confirm": "revoke"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get_one(ApiToken, token.id).revoked_at is not None
    response = app.test_client().get(
        "/api/v1/skills", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401


def test_another_tenants_token_cannot_be_asked_about(
    admin: Browser, make_tenant: object, session: Session
) -> None:
    other = make_tenant("globex")  # type: ignore[operator]
    token, _secret = ApiTokenService(session, other).create_token("theirs")
    session.flush()
    assert admin.get(f"/admin/api-tokens/{token.prefix}/revoke").status_code == 404
    assert admin.post(f"/admin/api-tokens/{token.prefix}/revoke",
                      {"confirm": "revoke"}).status_code == 404  # fmt: skip
    session.expire_all()
    assert session.get_one(ApiToken, token.id).revoked_at is None
