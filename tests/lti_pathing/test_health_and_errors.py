"""`/healthz` and the one mapping of domain errors to HTTP."""

from __future__ import annotations

from flask import Flask

from lti_pathing.errors import NotFound, Reference, Referenced, StaleEdit


def test_healthz_reports_the_database(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def add_failing_routes(app: Flask) -> None:
    @app.get("/api/boom")
    def boom() -> str:
        raise Referenced("Python (py)", [Reference("role", 3, "Engineer requires level 2")])

    @app.get("/page")
    def page() -> str:
        raise StaleEdit("Python (py)", 1, 2)

    @app.get("/missing")
    def missing() -> str:
        raise NotFound("no Skill with id 9")


def test_domain_errors_become_json_for_api_clients(app: Flask) -> None:
    add_failing_routes(app)
    response = app.test_client().get("/api/boom")
    assert response.status_code == 409
    body = response.json
    assert body is not None
    assert body["code"] == "referenced" and body["status"] == 409
    assert body["errors"] == [{"kind": "role", "id": 3, "label": "Engineer requires level 2"}]


def test_domain_errors_become_html_pages_for_browsers(app: Flask) -> None:
    add_failing_routes(app)
    response = app.test_client().get("/page", headers={"Accept": "text/html"})
    assert response.status_code == 409
    assert b"changed by someone else" in response.data
    assert app.test_client().get("/missing", headers={"Accept": "application/json"}).json == {
        "code": "not_found", "status": 404, "message": "no Skill with id 9"
    }  # fmt: skip


def test_http_errors_use_the_same_json_shape(app: Flask) -> None:
    body = app.test_client().get("/api/nothing-here").json
    assert body is not None and body["code"] == "not_found" and body["status"] == 404
