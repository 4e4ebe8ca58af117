"""`lti-pathing` commands."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.db import database
from lti_pathing.models import Credential, Evidence, EvidenceSource, Person
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


def test_seed_demo_creates_the_tenant_and_repeating_it_changes_nothing(
    app: Flask, session: Session
) -> None:
    from lti_pathing.models import Person, Tenant

    first = run(app, "seed-demo", "--tenant", "demo")
    assert first.exit_code == 0, first.output
    assert "people: 200 created, 0 updated, 0 unchanged" in first.output
    assert "activities: 314 created" in first.output
    tenant = session.scalars(select(Tenant).where(Tenant.slug == "demo")).one()
    assert len(session.scalars(select(Person).where(Person.tenant_id == tenant.id)).all()) == 200
    again = run(app, "seed-demo", "--tenant", "demo")
    assert again.exit_code == 0 and "changed 0 record(s)" in again.output


def test_import_prints_every_error_and_exits_2_without_writing(
    app: Flask, session: Session, tenant: Any, tmp_path: Path
) -> None:
    from lti_pathing.models import Person

    folder = tmp_path / "hris"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "employee_id,name,active\nE1,Ann,yes\nE2,Bo,true\nE2,Bo again,true\n", encoding="utf-8"
    )
    result = run(app, "import", str(folder), "--tenant", "acme")
    assert result.exit_code == 2
    assert "people.csv:2: active: 'yes' is not true or false" in result.stderr
    assert "people.csv:4: employee_id: duplicate of line 3 (E2)" in result.stderr
    assert "2 error(s); nothing was written" in result.stderr and "Traceback" not in result.output
    assert session.scalars(select(Person)).all() == []


def test_import_dry_run_then_import(
    app: Flask, session: Session, tenant: Any, tmp_path: Path
) -> None:
    from lti_pathing.models import Person

    people = tmp_path / "people.csv"
    people.write_text("employee_id,name,manager_employee_id\nE2,Bo,E1\nE1,Ann,\n", encoding="utf-8")
    dry = run(app, "import", str(people), "--tenant", "acme", "--dry-run")
    assert dry.exit_code == 0 and "would change 2 record(s) (dry run" in dry.output
    assert session.scalars(select(Person)).all() == []
    done = run(app, "import", str(people), "--tenant", "acme")
    assert done.exit_code == 0 and "people: 2 created, 0 updated, 0 unchanged" in done.output
    missing = run(app, "import", str(tmp_path / "nope.json"), "--tenant", "acme")
    assert missing.exit_code == 2 and "nope.json: no such file or folder" in missing.stderr


def test_token_create_list_revoke(app: Flask, session: Session, tenant: Any) -> None:
    from lti_pathing.errors import Unauthenticated
    from lti_pathing.services.api_tokens import authenticate

    created = run(app, "token", "create", "ci", "--tenant", "acme")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    prefix = secret.split("_")[1]
    assert authenticate(session, secret).slug == "acme"
    listed = run(app, "token", "list", "--tenant", "acme")
    assert prefix in listed.output and "active" in listed.output and secret not in listed.output
    assert "scopes read,write,import" in listed.output and "last used" in listed.output
    revoke = ["token", "revoke", prefix, "--tenant", "acme"]
    declined = app.test_cli_runner().invoke(main, revoke, input="n\n")
    assert f"Revoke token {prefix} (ci, last used" in declined.output
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert "revoked" not in run(app, "token", "list", "--tenant", "acme").output
    assert app.test_cli_runner().invoke(main, revoke, input="y\n").exit_code == 0
    assert "revoked" in run(app, "token", "list", "--tenant", "acme").output
    session.expire_all()
    with pytest.raises(Unauthenticated):
        authenticate(session, secret)
    unknown = app.test_cli_runner().invoke(main, ["token", "revoke", "nope", "--tenant", "acme"])
    assert unknown.exit_code == 1 and "no API token with prefix 'nope'" in unknown.output


def test_token_create_with_scopes_and_a_last_day(app: Flask, session: Session, tenant: Any) -> None:
    from lti_pathing.models import ApiToken
    from lti_pathing.services.api_tokens import MissingScope, authenticate

    created = run(app, "token", "create", "reports", "--tenant", "acme", "--scope", "read",
                  "--valid-until", "2099-12-31")  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "created with scopes read;" in created.stderr
    secret = created.stdout.strip()
    token = session.scalars(select(ApiToken).where(ApiToken.name == "reports")).one()
    assert token.scopes == ("read",)
    assert token.expires_at == dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(MissingScope):
        authenticate(session, secret, "write")
    listed = run(app, "token", "list", "--tenant", "acme").output
    assert "scopes read " in listed and "active until 2100-01-01 00:00" in listed
    assert run(app, "token", "revoke", token.prefix, "--tenant", "acme", "--yes").exit_code == 0
    past = run(app, "token", "create", "old", "--tenant", "acme", "--valid-until", "2001-01-01")
    assert past.exit_code == 1 and "the expiry must be in the future" in past.output
    bad = app.test_cli_runner().invoke(main, ["token", "create", "x", "--scope", "admin"])
    assert bad.exit_code == 2 and "'admin' is not one of 'read', 'write', 'import'" in bad.output


def test_the_registration_link_is_for_the_public_url(app: Flask, tenant: Any) -> None:
    assert "--base-url" in run(app, "registration-link").output  # nothing to build it from
    app.config["PUBLIC_URL"] = "https://tool.example.edu"
    result = run(app, "registration-link", "--tenant", "acme")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("https://tool.example.edu/lti/register?invite=")


def test_import_a_framework_told_by_its_content_or_forced(
    app: Flask, session: Session, tenant: Any, tmp_path: Path
) -> None:
    from lti_pathing.models import Skill

    fixture = Path(__file__).parents[1] / "fixtures" / "interop" / "canvas" / "demo.csv"
    dry = run(app, "import", str(fixture), "--tenant", "acme", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Canvas outcome 'C' (vendor_guid c) → skill 'C', in category 'A', levels: " in (
        dry.output
    )
    assert "would change 3 record(s) (dry run" in dry.output
    assert session.scalars(select(Skill)).all() == []
    forced = run(app, "import", str(fixture), "--tenant", "acme", "--format", "moodle-csv")
    assert forced.exit_code == 2
    assert "demo.csv:1: Is framework: no framework row (Is framework = 1)" in forced.stderr
    assert run(app, "import", str(fixture), "--tenant", "acme").exit_code == 0
    out = tmp_path / "outcomes.csv"
    exported = run(app, "export", str(out), "--tenant", "acme", "--format", "canvas-csv")
    assert exported.exit_code == 0
    # Group B holds no outcome: a Canvas file without it reads back the same.
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [
        "a,group,A,,,,,active,,",
        "c,outcome,C,CCC,,,,active,a,3,3,Betterest,2,Better,1,Good",
    ]
    moodle_out = tmp_path / "fw.csv"
    run(app, "export", str(moodle_out), "--tenant", "acme", "--format", "moodle-csv")
    assert moodle_out.read_text(encoding="utf-8").startswith("Parent id number,Id number,")


def test_credentials_award_gives_what_imported_evidence_earned_once(
    app: Flask, session: Session, tenant: Any, make_skill: Any, make_role: Any
) -> None:
    skill = make_skill(tenant, "python", levels=3)
    role = make_role(tenant, "data-2", [RoleSkillSpec(skill.id, 2)])
    lee = Person(tenant_id=tenant.id, external_id="e1", name="Lee", target_role_id=role.id)
    session.add(lee)
    session.flush()
    imported = Evidence(tenant_id=tenant.id, person_id=lee.id, skill_id=skill.id, level=2,
                        source=EvidenceSource.import_, observed_on=dt.date(2026, 1, 5))  # fmt: skip
    session.add(imported)
    session.flush()  # as the bulk import writes it: no award yet
    assert session.scalars(select(Credential)).all() == []
    first = app.test_cli_runner().invoke(main, ["credentials", "award", "--tenant", "acme"])
    assert first.exit_code == 0, first.output
    assert "Lee: Ready for DATA-2" in first.stdout
    again = app.test_cli_runner().invoke(main, ["credentials", "award", "--tenant", "acme"])
    assert "Lee" not in again.stdout and "0 credential(s) awarded" in again.stderr
    assert len(session.scalars(select(Credential)).all()) == 1
