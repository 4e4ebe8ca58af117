"""`lti-pathing` commands."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.db import database
from lti_pathing.services.job_architecture import RoleSkillSpec


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def test_init_db_migrates_an_empty_database(tmp_path: Path) -> None:
    from lti_pathing import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "SECRET_KEY": "k" * 32}
    )
    result = run(app, "init-db")
    assert result.exit_code == 0, result.output
    engine: Engine = database(app).engine
    assert "skill" in inspect(engine).get_table_names()
    engine.dispose()


def test_export_json_and_csv(
    app: Flask, session: Session, tenant: Any, make_skill: Callable[..., Any],
    make_role: Callable[..., Any], tmp_path: Path,
) -> None:  # fmt: skip
    skill = make_skill(tenant)
    make_role(tenant, "swe-2", skills=[RoleSkillSpec(skill.id, 2)])
    session.commit()
    out = tmp_path / "org.json"
    result = run(app, "export", str(out), "--tenant", "acme")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "lti-pathing.catalog" and doc["version"] == 1
    assert doc["roles"][0]["skills"] == [{"skill": "python", "level": 2, "weight": 1}]
    assert [lv["level"] for lv in doc["skills"][0]["levels"]] == [1, 2, 3]
    result = run(app, "export", str(tmp_path / "csv"), "--tenant", "acme", "--format", "csv")
    assert result.exit_code == 0, result.output
    with (tmp_path / "csv" / "role_skills.csv").open() as handle:
        assert list(csv.DictReader(handle)) == [
            {"role": "swe-2", "skill": "python", "level": "2", "weight": "1"}
        ]


def test_export_of_an_unknown_tenant_fails_cleanly(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(
        main, ["export", str(tmp_path / "x.json"), "--tenant", "nope"]
    )
    assert result.exit_code == 1 and "no tenant 'nope'" in result.output


def test_plan_command_needs_no_app(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["plan", "--help"])
    assert result.exit_code == 0 and "Solve a planning request" in result.output
