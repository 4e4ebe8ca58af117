"""One exception root for the domain, and the one place that maps it to HTTP.

Services raise these; views never catch them. JSON clients get
`{"code", "status", "message", "errors"}` (the flask-smorest shape); browsers get an HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException


class LtiPathingError(Exception):
    """Root of every error the domain raises on purpose."""

    status = 500
    code = "error"
    title: str | None = None  # a heading for the HTML page; the message is then its text

    def __init__(self, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors

    def headers(self) -> dict[str, str]:
        """HTTP headers that go with this error's response."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of this error."""
        body: dict[str, Any] = {"code": self.code, "status": self.status, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class NotFound(LtiPathingError):
    """No such record in the acting tenant (also what another tenant's record looks like)."""

    status = 404
    code = "not_found"


class Unauthenticated(LtiPathingError):
    """No valid credentials (an unknown, malformed or revoked API token)."""

    status = 401
    code = "unauthenticated"


class PermissionDenied(LtiPathingError):
    """The acting user may not do this."""

    status = 403
    code = "forbidden"


class Invalid(LtiPathingError):
    """Input breaks a rule; `errors` says which field or row, and why."""

    status = 422
    code = "invalid"


class Conflict(LtiPathingError):
    """The request clashes with the stored state (a duplicate id, a state transition)."""

    status = 409
    code = "conflict"


class StaleEdit(Conflict):
    """Someone saved this record after the editor loaded it; reload and redo the change."""

    code = "stale_edit"

    def __init__(self, what: str, expected: int | None, current: int | None) -> None:
        super().__init__(
            f"{what} was changed by someone else (you edited version {expected}, "
            f"it is now version {current}); reload it and apply your change again",
            {"expected_version": expected, "current_version": current},
        )


TEMPORARILY_UNAVAILABLE = (
    "lti-pathing is temporarily unavailable (a service it needs does not answer); "
    "please try again in a minute"
)


class Unavailable(LtiPathingError):
    """A service the tool relies on (database, job queue, cache) does not answer: try again soon."""

    status = 503
    code = "unavailable"

    def headers(self) -> dict[str, str]:
        """Ask clients to come back in half a minute."""
        return {"Retry-After": "30"}


@dataclass(frozen=True)
class Reference:
    """One record that points at the one being deleted."""

    kind: str
    id: int
    label: str


class Referenced(Conflict):
    """Deleting would leave references dangling; retire the record or remove the references."""

    code = "referenced"

    def __init__(self, what: str, references: Sequence[Reference]) -> None:
        super().__init__(
            f"{what} is still used by {len(references)} record(s); "
            "remove those references or retire it instead",
            [asdict(ref) for ref in references],
        )
        self.references = list(references)


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
