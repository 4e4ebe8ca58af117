"""The signed-in actor and its role guard; secrets at rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing import create_app, crypto
from lti_pathing.auth import Actor, current_actor, require, sign_in
from lti_pathing.config import SettingsError
from lti_pathing.models import Person, Tenant


def _app(tmp_path: Path, **extra: object) -> Flask:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k" * 32, "DATABASE_URL": "sqlite://", **extra}
    )
    app.instance_path = str(tmp_path)
    return app


def test_guarded_view_needs_a_session_and_the_role(
    app: Flask, session: Session, tenant: Tenant
) -> None:
    ada = Person(tenant_id=tenant.id, external_id="E7", name="Ada")
    session.add(ada)
    session.flush()

    @app.get("/admin-only")
    @require("admin")
    def admin_only() -> str:
        actor = current_actor()
        assert actor is not None
        return f"hello {actor.name}"

    @app.get("/as/<role>")
    def sign_in_as(role: str) -> str:
        sign_in(Actor(tenant_id=tenant.id, person_id=ada.id, name="Ada", roles=frozenset({role})))
        return "ok"

    client = app.test_client()
    assert client.get("/admin-only", headers={"Accept": "text/html"}).status_code == 401
    client.get("/as/learner")
    denied = client.get("/admin-only", headers={"Accept": "application/json"})
    assert denied.status_code == 403
    assert "admin" in denied.get_json()["message"]
    ada.is_admin = True  # the role comes from the data, checked on each request
    session.flush()
    client.get("/as/admin")
    assert client.get("/admin-only").get_data(as_text=True) == "hello Ada"


def test_tampered_or_foreign_session_shapes_are_not_an_actor() -> None:
    assert Actor.from_session({"tenant_id": "x"}) is None
    assert Actor.from_session("admin") is None
    actor = Actor.from_session({"tenant_id": 1, "person_id": 2, "name": "B", "roles": ["root"]})
    assert actor is not None and actor.roles == frozenset({"learner"})


def test_secrets_round_trip_and_rotate(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with _app(tmp_path, ENCRYPTION_KEYS=old).app_context():
        stored = crypto.encrypt("moodle-token-123456")
        assert "moodle-token" not in stored
    with _app(tmp_path, ENCRYPTION_KEYS=f"{new},{old}").app_context():
        assert crypto.decrypt(stored) == "moodle-token-123456"
        rotated = crypto.rotate(stored)
    with _app(tmp_path, ENCRYPTION_KEYS=new).app_context():
        assert crypto.decrypt(rotated) == "moodle-token-123456"
        with pytest.raises(crypto.DecryptionError, match="ENCRYPTION_KEYS"):
            crypto.decrypt(stored)
    assert crypto.mask("moodle-token-123456") == "…3456"


def test_instance_key_is_generated_once_and_private(tmp_path: Path) -> None:
    with _app(tmp_path).app_context():
        first = crypto.encrypt("x")
    key_file = tmp_path / crypto.KEY_FILE
    assert key_file.stat().st_mode & 0o077 == 0
    with _app(tmp_path).app_context():
        assert crypto.decrypt(first) == "x"


def test_bad_encryption_key_fails_at_start() -> None:
    with pytest.raises(SettingsError, match=r"ENCRYPTION_KEYS.*not a Fernet key"):
        create_app({"TESTING": True, "ENCRYPTION_KEYS": "not-a-key"})


def test_processes_starting_together_share_one_instance_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from lti_pathing.config import instance_secret_file

    path = tmp_path / crypto.KEY_FILE
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: instance_secret_file(path, Fernet.generate_key), range(32)))
    assert len(keys) == 1 and keys == {path.read_bytes()}
    assert [p.name for p in tmp_path.iterdir()] == [crypto.KEY_FILE]  # no drafts left behind
