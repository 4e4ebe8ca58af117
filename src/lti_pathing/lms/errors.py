"""Errors from talking to an LMS: one small hierarchy under the project's error root.

A sync treats them in two groups: `LmsConnectionBroken` (the token was revoked, the web service
refuses the function) stops the whole run, since every further call would fail the same way;
everything else is a failure of one person or one course, recorded and retried on the next run.
Messages never contain a token (see `lti_pathing.lms.http.mask`).
"""

from __future__ import annotations

from lti_pathing.errors import LtiPathingError


class LmsError(LtiPathingError):
    """The LMS could not give an answer we can use."""

    status = 502
    code = "lms_error"


class LmsTimeout(LmsError):
    """The LMS did not answer in time (or the connection failed), even after retries."""

    status = 504
    code = "lms_timeout"


class LmsThrottled(LmsError):
    """The LMS kept asking us to slow down (429, Canvas's 403 Rate Limit Exceeded)."""

    status = 503
    code = "lms_throttled"


class LmsServerError(LmsError):
    """The LMS kept failing with a 5xx status."""

    code = "lms_server_error"


class LmsMalformedResponse(LmsError):
    """The LMS answered with something that is not the JSON shape its API documents."""

    code = "lms_malformed_response"


class LmsRemoteError(LmsError):
    """The LMS refused one request with its own error code (Moodle `errorcode`, an HTTP 4xx)."""

    code = "lms_remote_error"

    def __init__(self, message: str, remote_code: str) -> None:
        super().__init__(message, {"remote_code": remote_code})
        self.remote_code = remote_code


class LmsNotApplicable(LmsRemoteError):
    """The LMS says there is nothing of this kind to fetch there: a fact about the course (Canvas
    has no progress for a course without module completion requirements), not a failure."""

    code = "lms_not_applicable"


class LmsConnectionBroken(LmsError):
    """The connection itself no longer works: every further call would fail the same way."""

    code = "lms_connection_broken"


class LmsAuthError(LmsConnectionBroken):
    """The LMS rejects the token (revoked, expired, invalid): an admin must enter a new one."""

    code = "lms_auth"


class LmsAccessError(LmsConnectionBroken):
    """The token works but may not do what the sync needs: a web-service function missing from
    Moodle's service, a Canvas token whose user may not read other users' enrollments."""

    code = "lms_access"


class LmsUnreachable(LmsConnectionBroken):
    """The LMS has not answered many calls in a row: the connection's circuit breaker is open,
    and syncs over it fail fast until its cool-down has passed (lti_pathing.lms.circuit)."""

    status = 503
    code = "lms_unreachable"


class LmsSyncStopped(LmsConnectionBroken):
    """The sync run must stop now: its deadline has passed, or an admin deactivated the
    connection. What it stored is kept; the rest is fetched by the next sync."""

    status = 503
    code = "lms_sync_stopped"
