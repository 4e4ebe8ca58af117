"""Canvas REST API (per-tenant access token): enrollments with grades and course progress.

The Canvas user id is what Canvas sends in the `$Canvas.user.id` custom launch field (stored as
`LmsIdentity.lms_user_id` with lms=canvas), never the LTI `sub`. Lists are paginated by `Link`
headers; throttling is announced by `X-Rate-Limit-Remaining` and enforced with
403 "Rate Limit Exceeded"; a revoked or invalid token is a 401 carrying `WWW-Authenticate`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from lti_pathing.db import utcnow
from lti_pathing.lms.errors import (
    LmsAuthError,
    LmsConnectionBroken,
    LmsError,
    LmsMalformedResponse,
    LmsRemoteError,
)
from lti_pathing.lms.http import Clock, LmsHttp, RetryPolicy, Sleep, Throttle
from lti_pathing.lms.source import Failure, Fetched, PersonFetch, Wanted, course_key

MAX_PAGES = 200  # a guard against a pagination loop; 200 pages x 100 is far beyond one user
PER_PAGE = 100


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
        clock=clock,
        session=session,
        **extra,
    )


class CanvasClient:
    """GETs against the Canvas REST API, with its error and pagination rules."""

    def __init__(self, http: LmsHttp) -> None:
        self.http = http

    def get(self, path: str, params: Any = None) -> requests.Response:
        """One GET; 401/403/404 and other refusals become typed errors."""
        response = self.http.request("GET", path, params=params)
        status = response.status_code
        if status == 200:
            return response
        shown = self.http.mask(f"GET {response.url}")
        if status == 401 and "WWW-Authenticate" in response.headers:
            raise LmsAuthError(f"Canvas rejects the access token ({shown}: 401): enter a new one")
        reason = {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(
            status, f"http_{status}"
        )
        raise LmsRemoteError(f"{shown} answered {status} ({_message(response)})", reason)

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
        return self.get_all(f"/api/v1/users/{user_id}/enrollments", params)

    def progress(self, course_id: str, user_id: str) -> dict[str, Any]:
        """The user's progress in a course: requirement counts and `completed_at`."""
        response = self.get(f"/api/v1/courses/{course_id}/users/{user_id}/progress")
        body = self.http.json(response)
        if not isinstance(body, dict) or "completed_at" not in body:
            raise LmsMalformedResponse(f"Canvas progress of course {course_id}: no completed_at")
        return body


def _message(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors")
        return str(errors[0]["message"]) if errors else response.reason
    except (ValueError, AttributeError, LookupError, TypeError):
        return str(response.reason)


def _instant(value: Any) -> dt.datetime | None:
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

    def fetch_person(self, lms_user_id: str, wanted: Wanted) -> PersonFetch:
        """Enrollments first (one paginated list); progress only for linked, unknown courses."""
        result = PersonFetch()
        enrolled = {str(e.get("course_id")): e for e in self.client.enrollments(lms_user_id)}
        for course_id in sorted(wanted.courses & enrolled.keys()):
            if course_key("canvas", course_id) in wanted.known:
                continue
            try:
                progress = self.client.progress(course_id, lms_user_id)
            except LmsConnectionBroken as error:
                result.broken = error  # keep what was fetched; the run stops after storing it
                break
            except LmsRemoteError as error:
                result.failures.append(Failure(error.remote_code, error.message, course_id))
                continue
            except LmsError as error:
                result.failures.append(Failure(error.code, error.message, course_id))
                continue
            done = _instant(progress.get("completed_at"))
            if done is not None:
                raw = _raw_status(progress, enrolled[course_id])
                result.completions.append(
                    Fetched(course_key("canvas", course_id), course_id, None, done, raw)
                )
        return result


def _raw_status(progress: dict[str, Any], enrollment: dict[str, Any]) -> str:
    done, total = progress.get("requirement_completed_count"), progress.get("requirement_count")
    raw = f"completed {done}/{total} requirements"
    grades = enrollment.get("grades") or {}
    if grades.get("final_score") is not None:
        raw += f", final score {grades['final_score']}"
    return raw[:255]
