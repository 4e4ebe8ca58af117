"""The OpenAPI document: served without a token, valid OpenAPI 3, listing every API route."""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate

METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def test_the_document_is_valid_openapi_3_and_lists_every_route(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document is not None and document["openapi"].startswith("3.")
    validate(document)

    documented = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in METHODS
    }
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
        for method in (rule.methods or set()) & METHODS
    }
    assert served and served == documented
    assert {"/api/v1/import", "/api/v1/export", "/api/v1/plans/{plan_id}"} <= set(document["paths"])


def test_the_document_names_bearer_auth_and_the_error_shape(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json
    assert document is not None
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    error = document["components"]["schemas"]["ApiError"]["properties"]
    assert error["code"]["type"] == "string" and error["status"]["type"] == "integer"
    assert (
        "X-Pagination" in document["paths"]["/api/v1/skills"]["get"]["responses"]["200"]["headers"]
    )


def test_no_documentation_page_loads_scripts_from_a_cdn(app: Flask) -> None:
    client = app.test_client()
    for path in ("/api/v1/swagger-ui", "/api/v1/redoc", "/api/v1/rapidoc"):
        assert client.get(path).status_code == 404
