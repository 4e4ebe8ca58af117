"""/readyz names what is down; request ids come back (and are honoured when sane)."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_pathing.logging import JsonFormatter, RequestIdFilter


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_readyz_is_ok_without_a_broker(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "not configured",
    }


def test_readyz_names_an_unreachable_broker(app: Flask, client: FlaskClient) -> None:
    app.config["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["failed"] == ["broker"] and response.json["database"] == "ok"


def test_an_incoming_request_id_is_returned_and_a_bad_one_replaced(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id; x"}).headers["X-Request-ID"]
    assert replaced != "bad id; x" and len(replaced) == 32


def test_log_records_are_json_with_the_request_id(app: Flask) -> None:
    record = logging.LogRecord("lti_pathing", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    with app.test_request_context(headers={"X-Request-ID": "r-1"}):
        app.preprocess_request()
        RequestIdFilter().filter(record)
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "hello x" and data["request_id"] == "r-1"
    assert data["level"] == "INFO" and data["logger"] == "lti_pathing"
