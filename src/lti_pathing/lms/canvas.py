"""Canvas REST API (per-tenant access token): enrollments with grades and course progress.

The Canvas user id is what Canvas sends in the `$Canvas.user.id` custom launch field (stored as
`LmsIdentity.lms_user_id` with lms=canvas), never the LTI `sub`. Lists are paginated by `Link`
headers (numbered or `page=bookmark:…`; enrollments are bookmarked). The answers below are as
canvas-lms's source writes them (file names in tests/fixtures/canvas/README.md):

- throttled: 403, text/plain "403 Forbidden (Rate Limit Exceeded)", no `Retry-After`;
- a token Canvas will not use: 401 with `WWW-Authenticate: Bearer realm="canvas-lms"` and
  "Invalid access token." / "Expired access token." / "Revoked access token.";
- a token limited by developer-key scopes: 401 "Insufficient scopes on access token.", no header;
- the token's user lacks a permission: 401 (403 on newer Canvas) "user not authorized to perform
  that action", no header; listing ANOTHER user's enrollments needs `read_roster` on the root
  account, so only a root-account admin's token can sync;
- no progress: 400 `{"error": {"message": "no progress available because this course is not
  module based …"}}` for a course without module completion requirements. Completion there comes
  from the enrollment: a `completed` (concluded) student enrollment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests

from lti_pathing.columns import utcnow
from lti_pathing.lms.errors import (
    LmsAccessError,
    LmsAuthError,
    LmsConnectionBroken,
    LmsError,
    LmsMalformedResponse,
    LmsNotApplicable,
    LmsRemoteError,
)
from lti_pathing.lms.http import CallGuard, Clock, LmsHttp, RetryPolicy, Sleep, Throttle
from lti_pathing.lms.source import Failure, Fetched, PersonFetch, Skipped, Wanted, course_key

MAX_PAGES = 200  # a guard against a pagination loop; 200 pages x 100 is far beyond one user
PER_PAGE = 100
# Canvas charges each call 50 units up front and refills the quota at 10 units a second
# (request_throttle.rb defaults): a throttled client waits at least this long before trying again.
THROTTLE_WAIT = 6.0
TOKEN_REFUSED = {
    "Invalid access token.": "Canvas does not know this token (deleted, or mistyped)",
    "Expired access token.": (
        "the token has expired (a developer-key token lasts an hour, a manual one until the "
        "expiry date set on it)"
    ),
    "Revoked access token.": "the token was revoked",
}
NO_PROGRESS = "no progress available"
READ_ROSTER = (
    "the token must be a manually generated access token of a root-account admin whose role has "
    "'Users - view list' (read_roster); see docs/lms-setup.md"
)
WITHOUT_PROGRESS = (
    "Canvas has no progress here (no module completion requirements); completion comes from a "
    "completed (concluded) student enrollment"
)


def is_throttled(response: requests.Response) -> bool:
    """Canvas throttles with 403 Forbidden (Rate Limit Exceeded), not 429."""
    return response.status_code == 403 and "rate limit exceeded" in response.text.lower()


def canvas_http(
    base_url: str,
    token: str,
    *,
    sleep: Sleep | None = None,
    clock: Clock = utcnow,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = (5.0, 30.0),
    guard: CallGuard | None = None,
) -> LmsHttp:
    """The HTTP wrapper set up for Canvas: bearer token, throttle header, 403 throttling."""
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return LmsHttp(
        base_url,
        secrets=[token],
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        retry=retry,
        throttle=Throttle("X-Rate-Limit-Remaining", low_water=100.0, pause=5.0),
        is_throttled=is_throttled,
        throttle_wait=THROTTLE_WAIT,
        clock=clock,
        session=session,
        timeout=timeout,
        guard=guard,
        **extra,
    )


class CanvasClient:
    """GETs against the Canvas REST API, with its error and pagination rules."""

    def __init__(self, http: LmsHttp) -> None:
        self.http = http

    def get(self, path: str, params: Any = None) -> requests.Response:
        """One GET; a refusal becomes the typed error its Canvas answer means."""
        response = self.http.request("GET", path, params=params)
        if response.status_code == 200:
            return response
        raise self.refusal(response)

    def refusal(self, response: requests.Response) -> LmsError:
        """The error a non-200 Canvas answer means (see the module docstring)."""
        status, message = response.status_code, _message(response)
        shown = self.http.mask(f"{response.request.method or 'GET'} {response.url}")
        if status == 401 and "WWW-Authenticate" in response.headers:
            why = TOKEN_REFUSED.get(message, message)
            return LmsAuthError(
                f"Canvas rejects the access token: {why} ({shown}: 401); enter a new one — "
                + READ_ROSTER
            )
        if message == "Insufficient scopes on access token.":
            return LmsAccessError(
                f"the token is limited by developer-key scopes that do not allow {shown} (401 "
                f"{message}); {READ_ROSTER}"
            )
        if status == 400 and message.startswith(NO_PROGRESS):
            return LmsNotApplicable(f"{shown}: {message}", "progress_unavailable")
        return LmsRemoteError(f"{shown} answered {status} ({message})", _reason(response))

    def send_conversation(self, user_id: str, subject: str, body: str) -> str:
        """Start a private conversation from the token's user with one user; its id.

        `POST /api/v1/conversations` (conversations_controller.rb#create) answers 201 with a list
        of conversations; a refusal is 400 with `[{"attribute", "message"}]` (no such recipient:
        attribute "recipients", message "invalid") or a 401/403 for the token.
        """
        data = {"recipients[]": [user_id], "subject": subject, "body": body,
                "force_new": "true", "group_conversation": "false", "mode": "sync"}  # fmt: skip
        response = self.http.request("POST", "/api/v1/conversations", data=data)
        if response.status_code not in (200, 201):
            raise self.refusal(response)
        found = self.http.json(response)
        if not isinstance(found, list) or not found or not isinstance(found[0], dict):
            raise LmsMalformedResponse("Canvas POST /api/v1/conversations: expected a list")
        return str(found[0].get("id"))

    def get_all(self, path: str, params: Any = None) -> list[Any]:
        """Every item of a paginated list, following `Link: <…>; rel="next"`."""
        items: list[Any] = []
        response = self.get(path, params)
        for _ in range(MAX_PAGES):
            page = self.http.json(response)
            if not isinstance(page, list):
                raise LmsMalformedResponse(f"Canvas {path}: expected a JSON list page")
            items.extend(page)
            following = response.links.get("next", {}).get("url")
            if not following:
                return items
            response = self.get(following)
        raise LmsMalformedResponse(f"Canvas {path}: more than {MAX_PAGES} pages")

    def enrollments(self, user_id: str) -> list[dict[str, Any]]:
        """The user's student enrollments (active and concluded), with grades."""
        params = {
            "type[]": "StudentEnrollment",
            "state[]": ["active", "completed"],
            "per_page": PER_PAGE,
        }
        try:
            return self.get_all(f"/api/v1/users/{user_id}/enrollments", params)
        except LmsRemoteError as error:
            raise _roster_refused(user_id, error) from None

    def can_read_enrollments(self, user_id: str) -> None:
        """One small page of another user's enrollments; LmsAccessError naming the permission."""
        try:
            self.get(f"/api/v1/users/{user_id}/enrollments", {"per_page": 1})
        except LmsRemoteError as error:
            raise _roster_refused(user_id, error) from None

    def modules(self, course_id: str) -> list[dict[str, Any]]:
        """A course's modules with their items (an item's `completion_requirement`, if any)."""
        params = {"include[]": "items", "per_page": PER_PAGE}
        return self.get_all(f"/api/v1/courses/{course_id}/modules", params)

    def progress(self, course_id: str, user_id: str) -> dict[str, Any]:
        """The user's progress in a course: requirement counts and `completed_at`."""
        response = self.get(f"/api/v1/courses/{course_id}/users/{user_id}/progress")
        body = self.http.json(response)
        if not isinstance(body, dict) or "completed_at" not in body:
            raise LmsMalformedResponse(f"Canvas progress of course {course_id}: no completed_at")
        return body


def api_url_mismatch(launched: Any, connected: Iterable[str]) -> str | None:
    """Why a launch's `canvas_api_base_url` ($Canvas.api.baseUrl) matches no Canvas connection
    of the tenant, or None (no URL sent, no Canvas connection, or one of them matches)."""
    urls = list(connected)
    if not isinstance(launched, str) or not launched.startswith("http") or not urls:
        return None
    origin = _origin(launched)
    if any(_origin(url) == origin for url in urls):
        return None
    return (
        f"this launch says Canvas's API is at {origin}, but the tenant's Canvas connection uses "
        f"{', '.join(urls)}: syncs ask that Canvas, not this one (a test or beta instance, or "
        "another school?). If it is the same Canvas under another domain, nothing is wrong."
    )


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def _roster_refused(user_id: str, error: LmsRemoteError) -> LmsError:
    """A permission refusal on a user's enrollments is the token's, not the user's."""
    if error.remote_code != "unauthorized":
        return error
    return LmsAccessError(
        f"Canvas will not show user {user_id}'s enrollments to this token ({error.message}): "
        + READ_ROSTER
    )


def _message(response: requests.Response) -> str:
    """Canvas's own words: `errors[0].message`, `error.message`, `[0].attribute` and `message`
    (conversations' `render_error`), or a plain-text body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:120] or str(response.reason)
    if isinstance(body, list) and body and isinstance(body[0], dict) and "message" in body[0]:
        return f"{body[0].get('attribute', '')}: {body[0]['message']}".lstrip(": ")
    if isinstance(body, dict):
        errors, error = body.get("errors"), body.get("error")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", response.reason))
        if isinstance(error, dict) and "message" in error:
            return str(error["message"])
    return str(response.reason)


def _reason(response: requests.Response) -> str:
    """A short code for a refusal; 401 and (newer Canvas) 403 "unauthorized" are permissions."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 403 and isinstance(body, dict):
        return "unauthorized" if body.get("status") == "unauthorized" else "forbidden"
    known = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}
    return known.get(response.status_code, f"http_{response.status_code}")


def instant(value: Any) -> dt.datetime | None:
    """A Canvas timestamp (ISO 8601, `Z` for UTC) as an aware datetime; None when absent or bad."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class CanvasSource:
    """A person's course completions from Canvas, for the courses the catalog links."""

    def __init__(self, client: CanvasClient, clock: Clock = utcnow) -> None:
        self.client = client
        self.clock = clock
        # Courses Canvas has no progress for (asked once per run, not once per person).
        self.without_progress: set[str] = set()

    def close(self) -> None:
        """Close the LMS connections of this source."""
        self.client.http.close()

    def fetch_person(self, lms_user_id: str, wanted: Wanted) -> PersonFetch:
        """Enrollments first (one paginated list); progress only for linked, unknown courses."""
        result = PersonFetch()
        # Several enrollments in one course (sections): a concluded one is the one that counts.
        listed = sorted(self.client.enrollments(lms_user_id), key=_concluded)
        enrolled = {str(e.get("course_id")): e for e in listed}
        for course_id in sorted(wanted.courses & enrolled.keys()):
            if course_key("canvas", course_id) in wanted.known:
                continue
            self._course(lms_user_id, course_id, enrolled[course_id], result)
            if result.broken is not None:
                break  # keep what was fetched; the run stops after storing it
        return result

    def _course(
        self, user_id: str, course_id: str, enrollment: dict[str, Any], result: PersonFetch
    ) -> None:
        """One linked course: its module progress, or its enrollment where there is none."""
        if course_id in self.without_progress:
            self._from_enrollment(course_id, enrollment, result)
            return
        try:
            progress = self.client.progress(course_id, user_id)
        except LmsConnectionBroken as error:
            result.broken = error
            return
        except LmsNotApplicable:
            self.without_progress.add(course_id)
            result.skipped.append(Skipped(course_id, WITHOUT_PROGRESS))
            self._from_enrollment(course_id, enrollment, result)
            return
        except LmsRemoteError as error:
            result.failures.append(Failure(error.remote_code, error.message, course_id))
            return
        except LmsError as error:
            result.failures.append(Failure(error.code, error.message, course_id))
            return
        done = instant(progress.get("completed_at"))
        if done is not None:
            raw = _raw_status(progress, enrollment)
            result.completions.append(
                Fetched(course_key("canvas", course_id), course_id, None, done, raw)
            )

    def _from_enrollment(
        self, course_id: str, enrollment: dict[str, Any], result: PersonFetch
    ) -> None:
        """A concluded student enrollment is the completion; a final grade alone is not (Canvas
        computes one for every active student, counting missing work as zero)."""
        if enrollment.get("enrollment_state") != "completed":
            return
        now = self.clock()
        ended = instant(enrollment.get("end_at"))
        done = ended if ended is not None and ended <= now else None
        done = done or instant(enrollment.get("updated_at")) or now
        raw = ("enrollment completed" + _grades(enrollment))[:255]
        result.completions.append(
            Fetched(course_key("canvas", course_id), course_id, None, done, raw)
        )


def _concluded(enrollment: dict[str, Any]) -> bool:
    return enrollment.get("enrollment_state") == "completed"


def _grades(enrollment: dict[str, Any]) -> str:
    grades = enrollment.get("grades") or {}
    text = ""
    if grades.get("final_score") is not None:
        text += f", final score {grades['final_score']}"
    if grades.get("final_grade") is not None:
        text += f", final grade {grades['final_grade']}"
    return text


def _raw_status(progress: dict[str, Any], enrollment: dict[str, Any]) -> str:
    done, total = progress.get("requirement_completed_count"), progress.get("requirement_count")
    return (f"completed {done}/{total} requirements" + _grades(enrollment))[:255]
