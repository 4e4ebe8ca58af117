"""The one place that maps the domain's errors (`errors`) and HTTP errors to responses.

JSON clients (the REST API, `Accept: application/json`) get `{"code", "status", "message",
"errors"}` (the flask-smorest shape); browsers get the HTML error page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from lti_pathing.errors import Invalid, LtiPathingError


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(error: LtiPathingError) -> Response | tuple[str, int, dict[str, str]]:
    """Turn a domain error into the response the client asked for."""
    if _wants_json():
        response = jsonify(error.to_dict())
        response.status_code = error.status
        response.headers.update(error.headers())
        return response
    return render_template("error.html", error=error), error.status, error.headers()


def _field_errors(messages: Any) -> Any:
    """Request-parsing errors by field (JSON object keys as text), locations merged."""
    if isinstance(messages, dict):
        return {str(key): _field_errors(value) for key, value in messages.items()}
    return messages


def from_http(exc: HTTPException) -> Response | tuple[str, int, dict[str, str]] | HTTPException:
    """An HTTP error in the one JSON shape for JSON clients; Werkzeug's own page otherwise."""
    if exc.code is None or not _wants_json():
        return exc
    # webargs (the REST API's request parsing) attaches {"messages": {location: {field: [...]}}}.
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if exc.code == 422 and isinstance(messages, dict):
        merged: dict[str, Any] = {}
        for by_field in messages.values():
            merged.update(_field_errors(by_field))
        return render_error(Invalid(f"invalid fields: {', '.join(sorted(merged))}", merged))
    error = LtiPathingError(exc.description or exc.name)
    error.status, error.code = exc.code, exc.name.lower().replace(" ", "_")
    return render_error(error)


def _from_data_error(error: DataError) -> Response | tuple[str, int, dict[str, str]]:
    """A value the database cannot store that no validation caught: the client's input, a 422.

    Request parsing bounds numbers and refuses NUL characters first (input_guard, api.fields);
    this is the net under it, so a field someone forgets to bound is never a server error.
    """
    current_app.logger.warning("database refused a value: %s", error.orig)
    message = "a value is too large, too long or holds characters that cannot be stored"
    return render_error(Invalid(message))


def init_app(app: Flask) -> None:
    """Register the one handler for domain errors (and JSON bodies for HTTP errors)."""
    app.register_error_handler(LtiPathingError, render_error)
    app.register_error_handler(HTTPException, from_http)
    app.register_error_handler(DataError, _from_data_error)
