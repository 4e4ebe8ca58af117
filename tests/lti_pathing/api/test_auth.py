"""Bearer-token auth: every failure is a 401 in the one error shape; the token picks the tenant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import ApiToken
from lti_pathing.services.api_tokens import ApiTokenService
from tests.lti_pathing.api.conftest import ApiClient, ok


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({}, "missing Authorization header"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "malformed Authorization header"),
        ({"Authorization": "Bearer"}, "malformed Authorization header"),
        ({"Authorization": "Bearer ltp_deadbeef_nope"}, "invalid or revoked API token"),
        ({"Authorization": "Bearer not-a-token"}, "invalid or revoked API token"),
    ],
)
def test_requests_without_a_valid_token_get_401(
    app: Flask, tenant: Any, headers: dict[str, str], says: str
) -> None:
    response = app.test_client().get("/api/v1/skills", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json
    assert body is not None and body["code"] == "unauthenticated" and body["status"] == 401
    assert says in body["message"]


def test_a_revoked_token_is_refused(api: ApiClient, session: Session, tenant: Any) -> None:
    ok(api.get("skills"))
    prefix = api.secret.split("_")[1]
    ApiTokenService(session, tenant).revoke_token(prefix)
    session.flush()
    response = api.get("skills")
    assert response.status_code == 401
    assert response.json is not None and response.json["message"] == "invalid or revoked API token"


def test_a_wrong_secret_with_a_real_prefix_is_refused(api: ApiClient, app: Flask) -> None:
    forged = api.secret[:-4] + "AAAA"
    response = app.test_client().get(
        "/api/v1/skills", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401


def test_a_successful_request_records_the_last_use(
    api: ApiClient, session: Session, tenant: Any
) -> None:
    token = session.scalars(select(ApiToken)).one()
    assert token.last_used_at is None
    ok(api.get("skills"))
    session.expire_all()
    assert session.get_one(ApiToken, token.id).last_used_at is not None


def test_posts_need_no_csrf_token_but_a_bearer_token(api: ApiClient, app: Flask) -> None:
    body = {"external_id": "data", "name": "Data"}
    assert app.test_client().post("/api/v1/skill-categories", json=body).status_code == 401
    ok(api.post("skill-categories", json=body), 201)


def test_html_form_posts_still_need_csrf(app: Flask) -> None:
    # The API's exemption is per blueprint: a form post elsewhere is still checked.
    @app.post("/form-elsewhere")
    def form() -> str:
        return "accepted"

    response = app.test_client().post("/form-elsewhere", data={"x": "1"})
    assert response.status_code == 400


def test_the_token_decides_the_tenant(
    make_api: Callable[[Any], ApiClient], make_tenant: Callable[..., Any], api: ApiClient
) -> None:
    other = make_api(make_tenant("globex"))
    ok(api.post("skill-categories", json={"external_id": "c", "name": "Acme only"}), 201)
    assert ok(other.get("skill-categories")) == []
    # Nothing the client sends besides the token (a tenant header, a query arg) changes that.
    found = other.get("skill-categories?tenant=acme", headers={"X-Tenant": "acme"})
    assert ok(found) == []
