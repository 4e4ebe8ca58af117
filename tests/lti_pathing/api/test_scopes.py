"""Token scopes and expiry: a call outside the token's scopes is a 403 naming the scope it needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.models import ApiToken, SkillCategory
from tests.lti_pathing.api.conftest import ApiClient, ok

MakeApi = Callable[..., ApiClient]
CATEGORY = {"external_id": "data", "name": "Data"}
DOCUMENT = {"format": "lti-pathing.catalog", "version": 1,
            "skill_categories": [{"id": "ops", "name": "Operations"}]}  # fmt: skip


def _refused(response: Any, needed: str, held: list[str]) -> None:
    assert response.status_code == 403, response.get_data(as_text=True)
    body = response.json
    assert body["code"] == "insufficient_scope" and body["status"] == 403
    assert f"needs the '{needed}' scope" in body["message"]
    assert body["errors"] == {"required_scope": needed, "token_scopes": held}
    assert response.headers["WWW-Authenticate"].endswith(
        f'error="insufficient_scope", scope="{needed}"'
    )


def test_a_read_token_reads_but_may_not_write_or_import(
    make_api: MakeApi, tenant: Any, session: Session
) -> None:
    reader = make_api(tenant, ("read",))
    assert ok(reader.get("skill-categories")) == []
    assert ok(reader.get("export"))["format"] == "lti-pathing.catalog"
    _refused(reader.post("skill-categories", json=CATEGORY), "write", ["read"])
    _refused(reader.post("import", json=DOCUMENT), "import", ["read"])
    _refused(reader.post("import?dry_run=true", json=DOCUMENT), "import", ["read"])
    assert session.scalars(select(SkillCategory)).all() == []


def test_write_does_not_include_import_nor_import_reading(make_api: MakeApi, tenant: Any) -> None:
    writer = make_api(tenant, ("write",))
    ok(writer.post("skill-categories", json=CATEGORY), 201)
    _refused(writer.get("skill-categories"), "read", ["write"])
    _refused(writer.post("import", json=DOCUMENT), "import", ["write"])
    importer = make_api(tenant, ("import",))
    report = ok(importer.post("import", json=DOCUMENT))
    assert report["counts"]["skill_categories"]["created"] == 1
    _refused(importer.get("export"), "read", ["import"])
    _refused(importer.post("skill-categories", json={**CATEGORY, "external_id": "x"}), "write",
             ["import"])  # fmt: skip


def test_a_full_token_does_everything(api: ApiClient) -> None:
    ok(api.post("skill-categories", json=CATEGORY), 201)
    ok(api.post("import", json=DOCUMENT))
    assert len(ok(api.get("skill-categories"))) == 2


def test_an_expired_token_gets_401_saying_so(
    make_api: MakeApi, tenant: Any, session: Session
) -> None:
    client = make_api(tenant, expires_at=utcnow() + dt.timedelta(hours=1))
    ok(client.get("skill-categories"))
    token = session.scalars(select(ApiToken)).one()
    token.expires_at = utcnow() - dt.timedelta(minutes=1)
    session.flush()
    response = client.get("skill-categories")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json
    assert body["code"] == "token_expired" and body["status"] == 401
    assert f"API token {token.prefix} expired on" in body["message"]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_every_changing_method_needs_write(
    make_api: MakeApi, api: ApiClient, tenant: Any, method: str
) -> None:
    made = ok(api.post("skill-categories", json=CATEGORY), 201)
    reader = make_api(tenant, ("read",))
    response = reader.call(method, f"skill-categories/{made['id']}?version=1",
                           json={"name": "Renamed", "version": 1})  # fmt: skip
    _refused(response, "write", ["read"])


def test_the_openapi_document_explains_the_scopes(app: Any) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for words in ("`read` allows GET calls", "`write` every other call", "`import` the import",
                  "403 `insufficient_scope`", "401 `token_expired`"):  # fmt: skip
        assert words in scheme["description"]
    operation = spec["paths"]["/api/v1/import"]["post"]
    assert "`import` scope" in operation["description"]
