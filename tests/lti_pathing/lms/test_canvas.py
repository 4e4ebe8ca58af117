"""The Canvas source against bodies from canvas-lms's own source: bookmark paging, courses
without module progress, throttling, and the ways Canvas refuses a token."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import responses
from flask import Flask
from responses import matchers
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.lms.canvas import WITHOUT_PROGRESS
from lti_pathing.lms.errors import LmsAccessError, LmsAuthError, LmsThrottled
from lti_pathing.lms.source import Wanted
from lti_pathing.lms.sync import sync_person
from lti_pathing.models import CompletionRecord, Lms, LmsCourseLink, SyncStatus
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.lms.conftest import (
    CANVAS,
    CANVAS_TOKEN,
    CANVAS_URL,
    Sleeps,
    canvas_body,
    clock,
    make_canvas_source,
)

ENROLLMENTS = f"{CANVAS_URL}/api/v1/users/4242/enrollments"
BEARER = matchers.header_matcher({"Authorization": f"Bearer {CANVAS_TOKEN}"})
FILTER = {"type[]": "StudentEnrollment", "state[]": ["active", "completed"], "per_page": "100"}
# lib/api.rb build_links_hash: the list's own query, then page= and per_page=; a bookmarked
# collection (enrollments_api_controller#index) has current, next and first, never last.
QUERY = "state%5B%5D=active&state%5B%5D=completed&type%5B%5D=StudentEnrollment"
BOOKMARK = "bookmark:WyJTdHVkZW50RW5yb2xsbWVudCIsIlBvZXQsIEFkYSIsMTAwMDNd"
TOKEN_HEADER = {"WWW-Authenticate": 'Bearer realm="canvas-lms"'}
ALL = frozenset({"88", "89", "90", "91", "92", "12345"})


def progress_url(course: str) -> str:
    return f"{CANVAS_URL}/api/v1/courses/{course}/users/4242/progress"


def page_url(page: str) -> str:
    return f"{ENROLLMENTS}?{QUERY}&page={page}&per_page=100"


def add_enrollments(rsps: responses.RequestsMock) -> None:
    """Two pages, the second reached by the bookmark in the first page's `Link: rel="next"`."""
    first, following = page_url("first"), page_url(BOOKMARK)
    rsps.get(
        ENROLLMENTS, json=canvas_body("enrollments_user_4242_page1"),
        headers={"Link": f'<{first}>; rel="current",<{following}>; rel="next",'
                         f'<{first}>; rel="first"',
                 "X-Rate-Limit-Remaining": "690.5", "X-Request-Cost": "0.0212"},
        match=[BEARER, matchers.query_param_matcher(FILTER)],
    )  # fmt: skip
    rsps.get(
        following, json=canvas_body("enrollments_user_4242_page2"),
        headers={"Link": f'<{following}>; rel="current",<{first}>; rel="first"'},
        match=[BEARER],
    )  # fmt: skip


def add_progress(rsps: responses.RequestsMock) -> None:
    """Module progress for 88-90; courses 91 and 92 have no module completion requirements."""
    rsps.get(progress_url("88"), json=canvas_body("progress_course_88_completed"))
    rsps.get(progress_url("89"), json=canvas_body("progress_course_89_in_progress"))
    rsps.get(progress_url("90"), json=canvas_body("progress_course_90_completed"))
    for course in ("91", "92"):
        rsps.get(progress_url(course), status=400, json=canvas_body("progress_not_module_based"))


def test_completions_come_from_module_progress_or_a_concluded_enrollment(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_enrollments(rsps)
    add_progress(rsps)
    fetched = make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=ALL))
    assert [(c.key, c.completed_at, c.raw_status) for c in fetched.completions] == [
        ("canvas:course:88", dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC),
         "completed 5/5 requirements, final score 92.5"),
        ("canvas:course:90", dt.datetime(2026, 10, 2, 15, 0, tzinfo=dt.UTC),
         "completed 3/3 requirements, final score 75.0"),
        ("canvas:course:91", dt.datetime(2026, 11, 14, 17, 5, 9, tzinfo=dt.UTC),
         "enrollment completed, final score 88.0, final grade B+"),
    ]  # fmt: skip
    # Course 92 is still active (a final score alone is no completion); nothing failed, and the
    # admin is told which linked courses cannot report progress and why.
    assert fetched.failures == [] and sleeps == []
    assert [note.course_id for note in fetched.skipped] == ["91", "92"]
    assert "no module completion requirements" in str(fetched.skipped[0])


def test_a_course_without_progress_is_asked_once_per_run(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    rsps.get(ENROLLMENTS, json=canvas_body("enrollments_user_4242_page1"))
    rsps.get(progress_url("91"), status=400, json=canvas_body("progress_not_module_based"))
    source = make_canvas_source(sleeps)
    for _ in range(2):
        fetched = source.fetch_person("4242", Wanted(courses=frozenset({"91"})))
        assert [c.key for c in fetched.completions] == ["canvas:course:91"]
    assert sum("/courses/91/" in call.request.url for call in rsps.calls) == 1


def test_a_canvas_course_without_modules_does_not_leave_the_run_partial(
    app_ctx: Flask, session: Session, tenant: Any, org: dict[str, Any],
    rsps: responses.RequestsMock, sleeps: Sleeps,
) -> None:  # fmt: skip
    org["read_me"].lms_links.append(
        LmsCourseLink(tenant_id=tenant.id, lms=Lms.canvas, course_id="91")
    )
    LmsConnectionService(session, tenant, clock).connect(Lms.canvas, CANVAS_URL, CANVAS_TOKEN)
    session.commit()
    rsps.get(ENROLLMENTS, json=canvas_body("enrollments_user_4242_page1"))
    rsps.get(progress_url("88"), json=canvas_body("progress_course_88_completed"))
    rsps.get(progress_url("91"), status=400, json=canvas_body("progress_not_module_based"))
    runs = sync_person(
        session, tenant, org["alice"], clock,
        source_factory=lambda connection, token, guard: make_canvas_source(sleeps, guard),
    )  # fmt: skip
    assert [(r.status, r.failures) for r in runs] == [(SyncStatus.succeeded, [])]
    keys = session.scalars(select(CompletionRecord.key).order_by(CompletionRecord.key)).all()
    assert keys == ["canvas:course:88", "canvas:course:91"]
    # The run tells the admin which linked course cannot report progress, and why.
    assert runs[0].notes == [{"course": "91", "reason": WITHOUT_PROGRESS, "people": 1}]


@pytest.mark.parametrize(
    ("body", "why"),
    [("error_invalid_access_token", "Canvas does not know this token"),
     ("error_expired_access_token", "the token has expired"),
     ("error_revoked_access_token", "the token was revoked"),
     ("error_unauthenticated", "user authorization required")],
)  # fmt: skip
def test_a_token_canvas_will_not_use_stops_the_connection(
    rsps: responses.RequestsMock, sleeps: Sleeps, body: str, why: str
) -> None:
    rsps.get(ENROLLMENTS, status=401, json=canvas_body(body), headers=TOKEN_HEADER)
    with pytest.raises(LmsAuthError, match="enter a new one") as raised:
        make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert why in raised.value.message and "root-account admin" in raised.value.message
    assert CANVAS_TOKEN not in str(raised.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [(401, "error_unauthorized"),  # Canvas as it answers by default
     (403, "error_unauthorized")],  # with the api_auth_error_updates feature on
)  # fmt: skip
def test_a_token_that_may_not_read_other_users_enrollments_names_the_permission(
    rsps: responses.RequestsMock, sleeps: Sleeps, status: int, body: str
) -> None:
    rsps.get(ENROLLMENTS, status=status, json=canvas_body(body))
    with pytest.raises(LmsAccessError, match="read_roster") as raised:
        make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert "user 4242's enrollments" in raised.value.message and sleeps == []


def test_a_scoped_developer_key_token_is_named_as_such(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    rsps.get(ENROLLMENTS, status=401, json=canvas_body("error_insufficient_scopes"))
    with pytest.raises(LmsAccessError, match="developer-key scopes"):
        make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))


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


def rate_limited(rsps: responses.RequestsMock) -> None:
    """request_throttle.rb#rate_limit_exceeded: text/plain, quota 0.0, no Retry-After."""
    rsps.get(
        ENROLLMENTS, status=403, body=(CANVAS / "rate_limit_exceeded.txt").read_text(),
        content_type="text/plain; charset=utf-8", headers={"X-Rate-Limit-Remaining": "0.0"},
    )  # fmt: skip


def test_rate_limit_exceeded_waits_for_the_quota_then_low_quota_slows_down(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    rate_limited(rsps)
    rsps.get(ENROLLMENTS, json=[{"course_id": 88, "enrollment_state": "active", "grades": {}}],
             headers={"X-Rate-Limit-Remaining": "50"})  # fmt: skip
    rsps.get(progress_url("88"), json=canvas_body("progress_course_88_completed"))
    fetched = make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert [c.key for c in fetched.completions] == ["canvas:course:88"]
    # 6 s: the 50 units Canvas charges up front, refilled at 10 a second; then 2.5 s for the
    # quota of 50 left (half the low-water mark of 100).
    assert sleeps == [6.0, 2.5]


def test_a_throttle_that_does_not_lift_fails_the_person_after_backing_off(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    rate_limited(rsps)
    with pytest.raises(LmsThrottled, match="after 3 attempts"):
        make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"88"})))
    assert sleeps == [6.0, 6.0]  # the policy's own 1 s and 2 s would only be throttled again


def test_bookmark_links_are_followed_as_given(rsps: responses.RequestsMock, sleeps: Sleeps) -> None:
    add_enrollments(rsps)
    enrollments = make_canvas_source(sleeps).client.enrollments("4242")
    assert [e["course_id"] for e in enrollments] == [88, 89, 91, 90, 92]
    assert {e["user"]["id"] for e in enrollments} == {4242}
    assert f"page={BOOKMARK}" in rsps.calls[1].request.url


def test_a_concluded_section_enrollment_counts_beside_an_active_one(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    concluded, active = (
        canvas_body("enrollments_user_4242_page1")[2],
        dict(canvas_body("enrollments_user_4242_page1")[2], id=913, enrollment_state="active"),
    )
    rsps.get(ENROLLMENTS, json=[concluded, active])
    rsps.get(progress_url("91"), status=400, json=canvas_body("progress_not_module_based"))
    fetched = make_canvas_source(sleeps).fetch_person("4242", Wanted(courses=frozenset({"91"})))
    assert [c.key for c in fetched.completions] == ["canvas:course:91"]
