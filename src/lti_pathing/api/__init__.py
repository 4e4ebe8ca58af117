"""The REST API under /api/v1: flask-smorest blueprints, token auth, an OpenAPI document.

The document is served at /api/v1/openapi.json, only as JSON: no Swagger UI or ReDoc page, as
those load scripts from a CDN and the tool must work offline.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask
from flask_smorest import Api

from lti_pathing.api.core import PREFIX

EXTENSION = "lti_pathing.api"
TOKEN_DOC = (
    "An lti-pathing API token (`ltp_<prefix>_<secret>`), made by an administrator on the API "
    "tokens page or with `lti-pathing token create`. It acts for one organisation and holds "
    "scopes: `read` allows GET calls, `write` every other call except the import, `import` the "
    "import (`POST /api/v1/import`, dry runs too). A call the token's scopes do not cover is "
    "refused with 403 `insufficient_scope` naming the scope it needs. A token may have an expiry: "
    "after it, calls get 401 `token_expired`; a revoked or unknown token gets 401 "
    "`unauthenticated`."
)


class ApiErrorSchema(ma.Schema):
    """The one error shape of the tool (documentation only; error_responses.py renders it)."""

    code = ma.fields.String(metadata={"description": "machine-readable, e.g. stale_edit"})
    status = ma.fields.Integer(metadata={"description": "the HTTP status"})
    message = ma.fields.String(metadata={"description": "what went wrong, for people"})
    errors = ma.fields.Raw(metadata={"description": "per field or per reference details"})


class PathingApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, leaving error rendering to error_responses.py (one shape app-wide)."""

    ERROR_SCHEMA = ApiErrorSchema

    def _register_error_handlers(self) -> None:
        """error_responses.init_app already renders every HTTP and domain error (HTML pages too)."""


def _settings(app: Flask) -> None:
    defaults: dict[str, Any] = {
        "API_TITLE": "lti-pathing",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    for key, value in defaults.items():
        app.config.setdefault(key, value)


def init_app(app: Flask) -> PathingApi:
    """Register the API blueprints (CSRF-exempt: they authenticate by token, not cookie)."""
    from lti_pathing.api import (
        activities,
        evidence,
        job_architecture,
        jobs,
        lms_events,
        people,
        plans,
        skills,
        transfer,
    )

    _settings(app)
    api = PathingApi(
        app,
        spec_kwargs={
            "security": [{"bearerAuth": []}],
            "info": {"description": "Per-tenant REST API; see docs/api.md."},
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": TOKEN_DOC}
    )
    csrf = app.extensions["csrf"]
    modules = (skills, job_architecture, activities, people, evidence, plans, transfer, jobs)
    for module in modules:
        for blueprint in module.BLUEPRINTS:
            csrf.exempt(blueprint)
            api.register_blueprint(blueprint)
    app.extensions[EXTENSION] = api
    lms_events.init_app(app)  # a plain blueprint: Canvas's webhook is no part of the REST API
    return api
