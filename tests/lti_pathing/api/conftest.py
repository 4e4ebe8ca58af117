"""Fixtures of the REST API tests: a token per tenant and a client that sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from lti_pathing.models.tokens import SCOPES
from lti_pathing.services.api_tokens import ApiTokenService


class ApiClient:
    """A test client that sends one tenant's bearer token with every request."""

    def __init__(self, client: FlaskClient, secret: str) -> None:
        self.client = client
        self.secret = secret

    def call(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        """Send a request; a path without a leading slash is relative to /api/v1/."""
        headers = {"Authorization": f"Bearer {self.secret}", **kwargs.pop("headers", {})}
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """GET with the token."""
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        """POST with the token."""
        return self.call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        """PATCH with the token."""
        return self.call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        """DELETE with the token."""
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def make_api(app: Flask, session: Session) -> Callable[..., ApiClient]:
    """Factory: `make_api(tenant, scopes=SCOPES)`: a token of the tenant and a client using it."""

    def make(tenant: Any, scopes: tuple[str, ...] = SCOPES, **fields: Any) -> ApiClient:
        _token, secret = ApiTokenService(session, tenant).create_token("tests", None, scopes,
                                                                       **fields)  # fmt: skip
        session.flush()
        return ApiClient(app.test_client(), secret)

    return make


@pytest.fixture
def api(make_api: Callable[[Any], ApiClient], tenant: Any) -> ApiClient:
    """A client authenticated as the `tenant` fixture (acme)."""
    return make_api(tenant)


def ok(response: TestResponse, status: int = 200) -> Any:
    """The JSON body, after checking the status (the body is shown when it differs)."""
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json
