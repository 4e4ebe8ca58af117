"""A token is tried against its LMS before it is stored (`lms connect`, the admin page)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from flask import Flask
from responses import matchers
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.lms.check import Probe, check_token, diagnose
from lti_pathing.lms.errors import LmsAccessError, LmsAuthError
from lti_pathing.models import Lms, LmsConnection
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.lms.conftest import (
    CANVAS_TOKEN,
    CANVAS_URL,
    MOODLE_TOKEN,
    MOODLE_URL,
    add_moodle,
    canvas_body,
    moodle_exchange,
)


def run(app: Flask, *args: str, token: str = MOODLE_TOKEN) -> Any:
    return app.test_cli_runner().invoke(
        main, ["lms", "connect", *args, "--tenant", "acme"], env={"LMS_TOKEN": token}
    )


def site_info(**changes: Any) -> str:
    _, body = moodle_exchange("00_site_info")
    return json.dumps({**json.loads(body), **changes})


def test_a_working_moodle_token_is_checked_then_stored(
    app: Flask, session: Session, tenant: Any, rsps: responses.RequestsMock
) -> None:
    session.commit()
    add_moodle(rsps, "00_site_info")
    result = run(app, "moodle", "--url", MOODLE_URL)
    assert result.exit_code == 0, result.output + result.stderr
    assert session.scalars(select(LmsConnection)).one().base_url == MOODLE_URL


@pytest.mark.parametrize(
    ("recording", "reason"),
    [("32_invalid_token", "Invalid token - token not found (invalidtoken)"),
     ("33_function_not_in_service", "Access control exception (accessexception)")],
)  # fmt: skip
def test_a_moodle_token_the_lms_refuses_is_not_stored(
    app: Flask, session: Session, tenant: Any, rsps: responses.RequestsMock,
    recording: str, reason: str,
) -> None:  # fmt: skip
    session.commit()
    _, refusal = moodle_exchange(recording)
    add_moodle(rsps, "00_site_info", body=refusal)
    result = run(app, "moodle", "--url", MOODLE_URL)
    assert result.exit_code == 1
    assert "the LMS refused the token" in result.stderr and reason in result.stderr
    assert MOODLE_TOKEN not in result.output + result.stderr
    assert session.scalars(select(LmsConnection)).all() == []


def test_a_moodle_service_without_the_sync_functions_is_refused(
    rsps: responses.RequestsMock,
) -> None:
    only_info = [{"name": "core_webservice_get_site_info", "version": "2024100706"}]
    add_moodle(rsps, "00_site_info", body=site_info(functions=only_info))
    with pytest.raises(LmsAccessError, match="does not include core_enrol_get_users_courses"):
        check_token(Lms.moodle, MOODLE_URL, MOODLE_TOKEN)


def test_no_check_stores_without_asking_the_lms(
    app: Flask, session: Session, tenant: Any, rsps: responses.RequestsMock
) -> None:
    session.commit()
    result = run(app, "moodle", "--url", MOODLE_URL, "--no-check")
    assert result.exit_code == 0 and len(rsps.calls) == 0
    assert session.scalars(select(LmsConnection)).one().token_hint == "…5f1e"


def canvas_get(rsps: responses.RequestsMock, path: str, body: str, status: int = 200,
               **kwargs: Any) -> None:  # fmt: skip
    """A Canvas answer built from canvas-lms source (tests/fixtures/canvas), bearer checked."""
    bearer = matchers.header_matcher({"Authorization": f"Bearer {CANVAS_TOKEN}"})
    matches = [bearer, *kwargs.pop("match", [])]
    rsps.get(f"{CANVAS_URL}{path}", status=status, json=canvas_body(body), match=matches, **kwargs)


def add_canvas_admin(rsps: responses.RequestsMock) -> None:
    """A root-account admin's token: itself, the account's users, another user's enrollments."""
    canvas_get(rsps, "/api/v1/users/self", "users_self")
    canvas_get(rsps, "/api/v1/accounts/self/users", "account_users",
               match=[matchers.query_param_matcher({"per_page": "10"})])  # fmt: skip
    canvas_get(rsps, "/api/v1/users/4242/enrollments", "enrollments_user_4242_page2",
               match=[matchers.query_param_matcher({"per_page": "1"})])  # fmt: skip


def test_a_canvas_token_must_read_another_users_enrollments(
    rsps: responses.RequestsMock,
) -> None:
    add_canvas_admin(rsps)
    assert check_token(Lms.canvas, CANVAS_URL, CANVAS_TOKEN) == "Canvas user Ada Admin"


@pytest.mark.parametrize(
    "refused", ["/api/v1/accounts/self/users", "/api/v1/users/4242/enrollments"]
)
def test_a_canvas_token_without_read_roster_is_refused_naming_the_permission(
    rsps: responses.RequestsMock, refused: str
) -> None:
    canvas_get(rsps, "/api/v1/users/self", "users_self")
    if refused.endswith("enrollments"):
        canvas_get(rsps, "/api/v1/accounts/self/users", "account_users")
    canvas_get(rsps, refused, "error_unauthorized", status=401)
    with pytest.raises(LmsAccessError, match="read_roster") as raised:
        check_token(Lms.canvas, CANVAS_URL, CANVAS_TOKEN)
    assert "root-account admin" in raised.value.message


def test_a_canvas_token_canvas_rejects_is_an_auth_error(rsps: responses.RequestsMock) -> None:
    canvas_get(rsps, "/api/v1/users/self", "error_expired_access_token", status=401,
               headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'})  # fmt: skip
    with pytest.raises(LmsAuthError, match="rejects the access token: the token has expired"):
        check_token(Lms.canvas, CANVAS_URL, CANVAS_TOKEN)


def test_a_refused_canvas_token_fails_the_cli_with_the_reason(
    app: Flask, session: Session, tenant: Any, rsps: responses.RequestsMock
) -> None:
    session.commit()
    canvas_get(rsps, "/api/v1/users/self", "users_self")
    canvas_get(rsps, "/api/v1/accounts/self/users", "error_unauthorized", status=401)
    result = run(app, "canvas", "--url", CANVAS_URL, token=CANVAS_TOKEN)
    assert result.exit_code == 1 and "'Users - view list' (read_roster)" in result.stderr
    assert CANVAS_TOKEN not in result.stderr
    assert session.scalars(select(LmsConnection)).all() == []


def moodle_findings(probe: Probe) -> list[tuple[str, str]]:
    return [(f.level, f.text) for f in diagnose(Lms.moodle, MOODLE_URL, MOODLE_TOKEN, probe)]


def test_moodle_check_names_each_missing_function(rsps: responses.RequestsMock) -> None:
    _, body = moodle_exchange("00_site_info")
    listed = [f for f in json.loads(body)["functions"]
              if f["name"] != "core_completion_get_activities_completion_status"]  # fmt: skip
    add_moodle(rsps, "00_site_info", body=site_info(functions=listed))
    findings = moodle_findings(Probe(courses=("2",), users=("3",)))
    assert findings[1] == (
        "problem",
        "the service lacks function core_completion_get_activities_completion_status: add it "
        "(Site administration > Server > Web services > External services > Functions)",
    )
    assert findings[2][0] == "note" and "report/progress:view" in findings[2][1]


def test_moodle_check_names_the_missing_capability_from_nopermissions(
    rsps: responses.RequestsMock,
) -> None:
    add_moodle(rsps, "00_site_info")
    add_moodle(rsps, "16_course_completion_student2_partial")
    _, refusal = moodle_exchange("31_student1_token_reads_student2_activities")
    add_moodle(rsps, "15_activities_completion_student2_overridden", body=refusal)
    findings = moodle_findings(Probe(courses=("2/4", "2"), users=("2", "4")))
    assert findings[1][0] == "problem"
    assert findings[1][1].startswith("course 2: missing capability report/progress:view (")


def test_moodle_check_names_report_completion_view(rsps: responses.RequestsMock) -> None:
    add_moodle(rsps, "00_site_info")
    add_moodle(rsps, "28_student1_token_reads_student2_course_completion")
    (level, text) = moodle_findings(Probe(courses=("2",), users=("4",)))[1]
    assert level == "problem" and "report/completion:view" in text and "cannotviewreport" in text


def test_moodle_check_finds_a_course_the_token_user_cannot_see(
    rsps: responses.RequestsMock,
) -> None:
    add_moodle(rsps, "00_site_info")
    add_moodle(rsps, "11_course_completion_student1_after_cron")
    add_moodle(rsps, "14_activities_completion_student1_after")
    _, nothing = moodle_exchange("26_users_courses_invalid_user")  # `[]`: the course left out
    add_moodle(rsps, "12_users_courses_student1_after", body=nothing)
    (level, text) = moodle_findings(Probe(courses=("2",), users=("3",)))[1]
    assert level == "problem" and "leaves the course out" in text
    assert "moodle/course:viewparticipants and moodle/user:viewdetails" in text


def test_moodle_check_explains_an_access_exception_with_moodles_debuginfo(
    rsps: responses.RequestsMock,
) -> None:
    _, refusal = moodle_exchange("33_function_not_in_service")
    debug = "You are not allowed to use the rest protocol (missing capability: webservice/rest:use)"
    add_moodle(rsps, "00_site_info", body=json.dumps({**json.loads(refusal), "debuginfo": debug}))
    [(level, text)] = moodle_findings(Probe())
    assert level == "problem" and "lacks webservice/rest:use" in text and debug in text


def test_lms_check_tries_the_tenants_own_courses_and_people(
    app: Flask, session: Session, tenant: Any, org: dict[str, Any], rsps: responses.RequestsMock
) -> None:
    with app.app_context():
        connections = LmsConnectionService(session, tenant)
        connections.connect(Lms.moodle, MOODLE_URL, MOODLE_TOKEN)
        connections.connect(Lms.canvas, CANVAS_URL, CANVAS_TOKEN)
    session.commit()
    add_moodle(rsps, "00_site_info")
    add_moodle(rsps, "11_course_completion_student1_after_cron")
    add_moodle(rsps, "14_activities_completion_student1_after")
    add_moodle(rsps, "12_users_courses_student1_after")
    canvas_get(rsps, "/api/v1/users/self", "users_self")
    canvas_get(rsps, "/api/v1/users/4242/enrollments", "enrollments_user_4242_page2")
    canvas_get(rsps, "/api/v1/courses/88/modules", "modules_course_91_no_requirements")
    result = app.test_cli_runner().invoke(main, ["lms", "check", "--tenant", "acme"])
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines() == [
        f"canvas {CANVAS_URL}",
        "  ok      Canvas user Ada Admin (id 1)",
        "  ok      reads another user's enrollments (user 4242)",
        "  note    course 88: Canvas has no progress here (no module completion requirements); "
        "completion comes from a completed (concluded) student enrollment",
        f"moodle {MOODLE_URL}",
        "  ok      Moodle site Test, user admin (Moodle 4.5.6 (Build: 20250811))",
        "  ok      capabilities: every call the sync makes was allowed",
    ]
    assert MOODLE_TOKEN not in result.output and CANVAS_TOKEN not in result.output


def test_canvas_check_skips_an_imported_id_canvas_does_not_know(
    rsps: responses.RequestsMock,
) -> None:
    canvas_get(rsps, "/api/v1/users/self", "users_self")
    canvas_get(rsps, "/api/v1/users/777/enrollments", "error_not_found", status=404)
    add_canvas_admin_listing(rsps)
    findings = diagnose(Lms.canvas, CANVAS_URL, CANVAS_TOKEN, Probe(users=("1", "777")))
    assert [f.level for f in findings] == ["ok", "ok"]
    assert findings[1].text == "reads another user's enrollments (user 4242)"


def add_canvas_admin_listing(rsps: responses.RequestsMock) -> None:
    canvas_get(rsps, "/api/v1/accounts/self/users", "account_users")
    canvas_get(rsps, "/api/v1/users/4242/enrollments", "enrollments_user_4242_page2")
