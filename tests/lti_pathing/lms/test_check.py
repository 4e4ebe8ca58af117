"""A token is tried against its LMS before it is stored (`lms connect`, the admin page)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.lms.check import check_token
from lti_pathing.lms.errors import LmsAccessError, LmsAuthError
from lti_pathing.models import Lms, LmsConnection
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


def test_canvas_tokens_are_checked_with_users_self(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{CANVAS_URL}/api/v1/users/self", json={"id": 1, "name": "Ada Admin"},
             match=[responses.matchers.header_matcher(
                 {"Authorization": f"Bearer {CANVAS_TOKEN}"})])  # fmt: skip
    assert check_token(Lms.canvas, CANVAS_URL, CANVAS_TOKEN) == "Canvas user Ada Admin"
    rsps.get(f"{CANVAS_URL}/api/v1/users/self", status=401,
             json=canvas_body("error_invalid_access_token"),
             headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'})  # fmt: skip
    with pytest.raises(LmsAuthError, match="rejects the access token"):
        check_token(Lms.canvas, CANVAS_URL, "revoked-token-0000")


def test_a_refused_canvas_token_fails_the_cli_with_the_reason(
    app: Flask, session: Session, tenant: Any, rsps: responses.RequestsMock
) -> None:
    session.commit()
    rsps.get(f"{CANVAS_URL}/api/v1/users/self", status=401,
             json=canvas_body("error_invalid_access_token"),
             headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'})  # fmt: skip
    result = run(app, "canvas", "--url", CANVAS_URL, token=CANVAS_TOKEN)
    assert result.exit_code == 1 and "Canvas rejects the access token" in result.stderr
    assert CANVAS_TOKEN not in result.stderr
    assert session.scalars(select(LmsConnection)).all() == []
