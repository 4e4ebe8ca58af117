"""`lti-pathing lms …`: connect (token never echoed), list (masked), sync, import-completions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import responses
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.models import LmsConnection
from tests.lti_pathing.lms.conftest import MOODLE_TOKEN, MOODLE_URL, add_moodle


def run(app: Flask, *args: str, **kwargs: Any) -> Any:
    return app.test_cli_runner().invoke(main, list(args), **kwargs)


def test_connect_prompts_for_the_token_and_stores_it_encrypted(
    app: Flask, session: Session, tenant: Any
) -> None:
    session.commit()
    with responses.RequestsMock() as rsps:
        add_moodle(rsps, "00_site_info")  # the token is tried first
        result = run(app, "lms", "connect", "moodle", "--url", f"{MOODLE_URL}/",
                     "--tenant", "acme", input=f"{MOODLE_TOKEN}\n")  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    assert MOODLE_TOKEN not in result.output
    assert f"connected moodle {MOODLE_URL} token …5f1e" in result.output
    stored = session.scalars(select(LmsConnection)).one()
    assert MOODLE_TOKEN not in stored.token_encrypted
    with app.app_context():
        from lti_pathing import crypto

        assert crypto.decrypt(stored.token_encrypted) == MOODLE_TOKEN
    listed = run(app, "lms", "list", "--tenant", "acme")
    assert listed.output.strip() == f"moodle  {MOODLE_URL}  token …5f1e  active  never synced"


def test_connect_refuses_a_bad_url(app: Flask, session: Session, tenant: Any) -> None:
    session.commit()
    result = run(app, "lms", "connect", "canvas", "--url", "ftp://x", "--tenant", "acme",
                 env={"LMS_TOKEN": "abcdefgh1234"})  # fmt: skip
    assert result.exit_code == 1 and "must be an http(s) URL" in result.stderr


def test_sync_prints_what_it_did(
    app: Flask, session: Session, tenant: Any, org: dict[str, Any]
) -> None:
    session.commit()
    run(app, "lms", "connect", "moodle", "--url", MOODLE_URL, "--tenant", "acme", "--no-check",
        env={"LMS_TOKEN": MOODLE_TOKEN})  # fmt: skip
    with responses.RequestsMock() as rsps:
        add_moodle(rsps, "12_users_courses_student1_after")
        add_moodle(rsps, "11_course_completion_student1_after_cron")
        add_moodle(rsps, "14_activities_completion_student1_after")
        result = run(app, "lms", "sync", "--tenant", "acme", "--person", "E1")
    assert result.exit_code == 0, result.output + result.stderr
    assert "succeeded; 1/1 people, 2 completion(s) fetched, 2 new, 3 evidence" in result.output
    assert "1 item(s) done" in result.output


def test_import_completions_reports_errors_with_exit_status_2(
    app: Flask, session: Session, tenant: Any, org: dict[str, Any], tmp_path: Path
) -> None:
    session.commit()
    bad = tmp_path / "done.csv"
    bad.write_text("person,activity,completed_on\nE9,canvas-88,2026-11-02\n")
    result = run(app, "lms", "import-completions", str(bad), "--tenant", "acme")
    assert result.exit_code == 2
    assert "done.csv:2: person: no person 'E9' in this tenant" in result.stderr
    bad.write_text("person,activity,completed_on\nE1,canvas-88,2026-11-02\n")
    result = run(app, "lms", "import-completions", str(bad), "--tenant", "acme")
    assert result.exit_code == 0, result.stderr
    assert "1 row(s): 1 new completion(s), 0 already known" in result.output
