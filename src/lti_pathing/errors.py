"""One exception root for the domain; it knows nothing of HTTP or Flask.

Services raise these; views never catch them. `error_responses` (the web edge) turns them into
responses: JSON clients get `{"code", "status", "message", "errors"}` (the flask-smorest shape),
browsers an HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


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
