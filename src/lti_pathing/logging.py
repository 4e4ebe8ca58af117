"""Structured JSON logs (one object a line) carrying the request id; X-Request-ID in and out."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_INSTALLED = "lti_pathing.logging.installed"


def request_id() -> str | None:
    """The current request's id, if there is a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def install_json_logging(level: int = logging.INFO) -> None:
    """Route the root logger to stdout as JSON (once per process)."""
    root = logging.getLogger()
    if any(getattr(h, _INSTALLED, False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _INSTALLED, True)
    root.addHandler(handler)
    root.setLevel(level)


def _assign_id() -> None:
    if "request_id" in g:  # a read run again after a dropped connection keeps its id
        return
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex


def _return_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


def init_app(app: Flask) -> None:
    """Request ids on every request; JSON logs unless switched off (or under tests)."""
    app.before_request(_assign_id)
    app.after_request(_return_id)
    if app.config["LOG_JSON"] and not app.testing:
        install_json_logging()
    # Trusting X-Forwarded-* (ProxyFix, PROXY_COUNT) is set up once, in lti/cookies.py.
