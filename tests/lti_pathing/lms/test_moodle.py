"""The Moodle source replayed against the recordings of a real Moodle 4.5.6."""

from __future__ import annotations

import datetime as dt

import pytest
import responses

from lti_pathing.lms.errors import LmsAccessError, LmsAuthError, LmsMalformedResponse
from lti_pathing.lms.moodle import MoodleClient, moodle_http
from lti_pathing.lms.source import Wanted
from tests.lti_pathing.lms.conftest import (
    MOODLE_TOKEN,
    MOODLE_URL,
    Sleeps,
    add_moodle,
    make_moodle_source,
    moodle_exchange,
)

DONE_AT = dt.datetime.fromtimestamp(1795640662, dt.UTC)
COURSE_A = Wanted(courses=frozenset({"2"}))


def test_before_completion_only_the_cheap_call_is_made(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_moodle(rsps, "04_users_courses_student1_before")
    fetched = make_moodle_source(sleeps).fetch_person("3", Wanted(courses=frozenset({"2", "3"})))
    assert fetched.completions == [] and fetched.failures == []
    assert len(rsps.calls) == 1  # completed=false: no detail call


def test_a_completed_course_is_read_with_its_completion_time(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_moodle(rsps, "12_users_courses_student1_after")
    add_moodle(rsps, "11_course_completion_student1_after_cron")
    fetched = make_moodle_source(sleeps).fetch_person("3", COURSE_A)
    [done] = fetched.completions
    assert (done.key, done.course_id, done.module_id) == ("moodle:course:2", "2", None)
    assert done.completed_at == DONE_AT and done.raw_status == "completed"
    assert f"wstoken={MOODLE_TOKEN}" in str(rsps.calls[0].request.body)


def test_criteria_met_before_cron_is_not_yet_a_completion(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    # Moodle's cheap list can already say completed while the detail still lags (file 10).
    add_moodle(rsps, "12_users_courses_student1_after")
    add_moodle(rsps, "10_course_completion_student1_after_selfmark_before_cron")
    assert make_moodle_source(sleeps).fetch_person("3", COURSE_A).completions == []


def test_known_completions_are_not_fetched_again(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_moodle(rsps, "12_users_courses_student1_after")
    wanted = Wanted(courses=frozenset({"2"}), known=frozenset({"moodle:course:2"}))
    assert make_moodle_source(sleeps).fetch_person("3", wanted).completions == []
    assert len(rsps.calls) == 1


def test_activity_completion_states_and_overrides(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_moodle(rsps, "13_users_courses_student2")
    add_moodle(rsps, "15_activities_completion_student2_overridden")
    wanted = Wanted(modules=frozenset({("2", "3"), ("2", "4")}))
    [done] = make_moodle_source(sleeps).fetch_person("4", wanted).completions
    assert done.key == "moodle:module:2/3" and done.module_id == "3"
    assert done.raw_status == "state 1 (complete), overridden by Moodle user 2"
    assert done.completed_at == DONE_AT  # cm 4 (state 0) is not complete


def test_modules_of_courses_the_user_is_not_in_are_not_asked(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_moodle(rsps, "26_users_courses_invalid_user")  # unknown user: [] and no error
    wanted = Wanted(courses=frozenset({"2"}), modules=frozenset({("2", "3")}))
    fetched = make_moodle_source(sleeps).fetch_person("9999", wanted)
    assert fetched.completions == [] and fetched.failures == []


def _client(sleeps: Sleeps) -> MoodleClient:
    return MoodleClient(moodle_http(MOODLE_URL, MOODLE_TOKEN, sleep=sleeps), MOODLE_TOKEN)


@pytest.mark.parametrize(
    ("recording", "course", "user", "outcome"),
    [
        ("17_course_completion_nocriteriaset", "3", "3", "skipped"),
        ("18_course_completion_usernotenroled", "3", "4", "skipped"),
        ("23_course_completion_completion_disabled", "4", "3", "cannotviewreport"),
        ("25_course_completion_invalid_user", "2", "9999", "invaliduser"),
    ],
)
def test_course_completion_errors_are_each_handled(
    rsps: responses.RequestsMock, sleeps: Sleeps, recording: str, course: str, user: str,
    outcome: str,
) -> None:  # fmt: skip
    listing = [{"id": int(course), "enablecompletion": True, "completed": True}]
    rsps.add(responses.POST, f"{MOODLE_URL}/webservice/rest/server.php", json=listing)
    add_moodle(rsps, recording)
    fetched = make_moodle_source(sleeps).fetch_person(user, Wanted(courses=frozenset({course})))
    assert fetched.completions == []
    if outcome == "skipped":
        assert fetched.failures == [] and fetched.skipped
    else:
        [failure] = fetched.failures
        assert (failure.code, failure.course_id) == (outcome, course)


def test_an_unknown_course_fails_that_course_only(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    listing = [{"id": 9999, "enablecompletion": True}, {"id": 2, "completed": True}]
    rsps.add(responses.POST, f"{MOODLE_URL}/webservice/rest/server.php", json=listing)
    add_moodle(rsps, "11_course_completion_student1_after_cron")
    add_moodle(rsps, "27_activities_completion_invalid_course")
    wanted = Wanted(courses=frozenset({"2"}), modules=frozenset({("9999", "1")}))
    fetched = make_moodle_source(sleeps).fetch_person("3", wanted)
    assert [c.key for c in fetched.completions] == ["moodle:course:2"]
    assert [(f.code, f.course_id) for f in fetched.failures] == [("invalidrecord", "9999")]


def test_an_invalid_token_breaks_the_connection(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    _, body = moodle_exchange("32_invalid_token")
    rsps.add(responses.POST, f"{MOODLE_URL}/webservice/rest/server.php", body=body)
    with pytest.raises(LmsAuthError) as raised:
        _client(sleeps).site_info()
    assert MOODLE_TOKEN not in str(raised.value)


def test_a_function_missing_from_the_service_breaks_the_connection(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    _, body = moodle_exchange("33_function_not_in_service")
    rsps.add(responses.POST, f"{MOODLE_URL}/webservice/rest/server.php", body=body)
    with pytest.raises(LmsAccessError, match="accessexception"):
        _client(sleeps).users_courses("3")


def test_site_info_from_the_recording(rsps: responses.RequestsMock, sleeps: Sleeps) -> None:
    add_moodle(rsps, "00_site_info")
    assert _client(sleeps).site_info()["release"].startswith("4.5.6")


def test_a_wrong_shape_is_malformed(rsps: responses.RequestsMock, sleeps: Sleeps) -> None:
    rsps.add(responses.POST, f"{MOODLE_URL}/webservice/rest/server.php", json={"courses": []})
    with pytest.raises(LmsMalformedResponse):
        _client(sleeps).users_courses("3")


def test_a_refused_activity_report_names_the_missing_capability(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    """What the sync run records for the admin: the capability, not only Moodle's sentence."""
    add_moodle(rsps, "13_users_courses_student2")
    add_moodle(rsps, "31_student1_token_reads_student2_activities")
    fetched = make_moodle_source(sleeps).fetch_person("4", Wanted(modules=frozenset({("2", "3")})))
    [failure] = fetched.failures
    assert failure.code == "nopermissions" and failure.course_id == "2"
    assert failure.message.endswith(
        "(View activity completion reports). (nopermissions): the token's user lacks capability "
        "report/progress:view"
    )


def test_a_refused_completion_report_says_what_it_may_mean(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_moodle(rsps, "13_users_courses_student2", body='[{"id": 2, "completed": true}]')
    add_moodle(rsps, "28_student1_token_reads_student2_course_completion")
    fetched = make_moodle_source(sleeps).fetch_person("4", COURSE_A)
    [failure] = fetched.failures
    assert "lacks report/completion:view in the course, or completion tracking is off" in (
        failure.message
    )
