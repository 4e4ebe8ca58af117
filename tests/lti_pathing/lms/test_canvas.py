"""The Canvas source against documented-shape bodies: pagination, throttling, revoked tokens."""

from __future__ import annotations

import datetime as dt

import pytest
import responses
from responses import matchers

from lti_pathing.lms.errors import LmsAuthError
from lti_pathing.lms.source import Wanted
from tests.lti_pathing.lms.conftest import (
    CANVAS_TOKEN,
    CANVAS_URL,
    Sleeps,
    canvas_body,
    canvas_url,
    make_canvas_source,
)

ENROLLMENTS = f"{CANVAS_URL}/api/v1/users/4242/enrollments"
BEARER = matchers.header_matcher({"Authorization": f"Bearer {CANVAS_TOKEN}"})


def progress_url(course: str) -> str:
    return f"{CANVAS_URL}/api/v1/courses/{course}/users/4242/progress"


def add_enrollments(rsps: responses.RequestsMock) -> None:
    """Two pages, linked by a `Link: rel="next"` header (as Canvas paginates)."""
    following = canvas_url("/api/v1/users/4242/enrollments", page=2, per_page=100)
    rsps.get(
        ENROLLMENTS, json=canvas_body("enrollments_user_4242_page1"),
        headers={"Link": f'<{following}>; rel="next", <{following}>; rel="last"',
                 "X-Rate-Limit-Remaining": "690.5"},
        match=[BEARER, matchers.query_param_matcher(
            {"type[]": "StudentEnrollment", "state[]": ["active", "completed"], "per_page": "100"}
        )],
    )  # fmt: skip
    rsps.get(following, json=canvas_body("enrollments_user_4242_page2"), match=[BEARER])


def test_completed_courses_across_pages_with_their_grades(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_enrollments(rsps)
    rsps.get(progress_url("88"), json=canvas_body("progress_course_88_completed"))
    rsps.get(progress_url("89"), json=canvas_body("progress_course_89_in_progress"))
    rsps.get(progress_url("90"), json=canvas_body("progress_course_90_completed"))
    wanted = Wanted(courses=frozenset({"88", "89", "90", "12345"}))
    fetched = make_canvas_source(sleeps).fetch_person("4242", wanted)
    assert [(c.key, c.completed_at) for c in fetched.completions] == [
        ("canvas:course:88", dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)),
        ("canvas:course:90", dt.datetime(2026, 10, 2, 15, 0, tzinfo=dt.UTC)),
    ]
    assert fetched.completions[0].raw_status == "completed 5/5 requirements, final score 92.5"
    assert fetched.failures == [] and sleeps == []


def test_an_empty_enrollment_page_means_nothing_to_ask(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    rsps.get(ENROLLMENTS, json=canvas_body("enrollments_empty"))
    fetched = make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert fetched.completions == [] and fetched.failures == []


def test_a_revoked_token_is_an_auth_error(rsps: responses.RequestsMock, sleeps: Sleeps) -> None:
    rsps.get(
        ENROLLMENTS, status=401, json=canvas_body("error_invalid_access_token"),
        headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
    )  # fmt: skip
    with pytest.raises(LmsAuthError, match="enter a new one") as raised:
        make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert CANVAS_TOKEN not in str(raised.value)


def test_a_refused_course_fails_that_course_only(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_enrollments(rsps)
    rsps.get(progress_url("88"), status=401, json=canvas_body("error_unauthorized"))
    rsps.get(progress_url("90"), status=404, json=canvas_body("error_not_found"))
    rsps.get(progress_url("89"), json=canvas_body("progress_course_89_in_progress"))
    wanted = Wanted(courses=frozenset({"88", "89", "90"}))
    fetched = make_canvas_source(sleeps).fetch_person("4242", wanted)
    assert fetched.completions == []
    assert [(f.code, f.course_id) for f in fetched.failures] == [
        ("unauthorized", "88"), ("not_found", "90"),
    ]  # fmt: skip
    assert "user not authorized" in fetched.failures[0].message


def test_rate_limit_exceeded_is_retried_and_low_quota_slows_down(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    rsps.get(ENROLLMENTS, status=403, body="403 Forbidden (Rate Limit Exceeded)")
    rsps.get(
        ENROLLMENTS, json=[{"course_id": 88, "grades": {}}],
        headers={"X-Rate-Limit-Remaining": "50"},
    )  # fmt: skip
    rsps.get(progress_url("88"), json=canvas_body("progress_course_88_completed"))
    fetched = make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert [c.key for c in fetched.completions] == ["canvas:course:88"]
    assert sleeps == [1.0, 2.5]  # backoff after the 403, then a pause for the low quota
