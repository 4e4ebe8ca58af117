"""Tool keys: made on first use, encrypted at rest, public-only JWKS, rotated with overlap."""

from __future__ import annotations

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import create_app, crypto, db, migrate
from lti_pathing.cli import main
from lti_pathing.columns import utcnow
from lti_pathing.db import database, make_engine
from lti_pathing.lti.keys import KeyService
from lti_pathing.models import ToolKey

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def test_the_jwks_makes_the_first_key_and_serves_only_public_halves(
    app: Flask, session: Session
) -> None:
    response = app.test_client().get("/.well-known/jwks.json")

    assert response.status_code == 200
    (jwk,) = response.json["keys"]
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and jwk["use"] == "sig"
    assert not PRIVATE_MEMBERS & set(jwk)
    (stored,) = session.scalars(select(ToolKey)).all()
    assert stored.kid == jwk["kid"]
    assert "PRIVATE KEY" not in stored.private_key  # encrypted at rest
    with app.app_context():
        assert crypto.decrypt(stored.private_key).startswith("-----BEGIN PRIVATE KEY-----")
    again = app.test_client().get("/.well-known/jwks.json").json
    assert again["keys"] == [jwk]


def test_rotation_keeps_the_old_key_published_for_the_overlap_then_prunes_it(
    app: Flask, session: Session
) -> None:
    now = [utcnow()]
    with app.app_context():
        keys = KeyService(session, dt.timedelta(days=7), clock=lambda: now[0])
        old = keys.ensure_key()
        new = keys.rotate()

        assert keys.current() is new
        assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid, old.kid]
        assert keys.signing_key().kid == new.kid
        assert keys.prune() == []

        now[0] += dt.timedelta(days=8)
        assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid]
        assert keys.prune() == [old.kid]
        assert keys.all_keys() == [new]


def test_keys_commands_rotate_list_and_prune(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()

    rotated = runner.invoke(main, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert "new signing key" in rotated.output
    listed = runner.invoke(main, ["keys", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("signing") == 1
    pruned = runner.invoke(main, ["keys", "prune"])
    assert pruned.exit_code == 0 and "pruned 0 key(s)" in pruned.output


def _fresh_sqlite_app(tmp_path: Path) -> Flask:
    """An app on its own migrated SQLite file (no shared test transaction: real commits)."""
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-" * 8})
    app.instance_path = str(tmp_path)
    return app


def test_concurrent_first_requests_make_one_key_and_all_succeed(tmp_path: Path) -> None:
    app = _fresh_sqlite_app(tmp_path)
    workers = 6
    barrier = threading.Barrier(workers)

    def fetch(_: int) -> tuple[int, Any]:
        client = app.test_client()
        barrier.wait()
        response = client.get("/.well-known/jwks.json")
        return response.status_code, response.get_json(silent=True)

    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(fetch, range(workers)))

    assert [status for status, _ in answers] == [200] * workers
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    with app.app_context():
        assert len(KeyService(db.session(), dt.timedelta(days=7)).all_keys()) == 1
    database(app).engine.dispose()


def test_a_lost_race_for_the_first_key_reads_the_winners_key(app: Flask, session: Session) -> None:
    with app.app_context():
        winner = KeyService(session, dt.timedelta(days=7)).ensure_key()
        loser = KeyService(session, dt.timedelta(days=7))
        # The loser looked before the winner's insert was visible: no key, generation 1 free.
        looks = [None]
        original = loser.current
        loser.current = lambda: looks.pop() if looks else original()  # type: ignore[method-assign]
        loser._next_generation = lambda: 1  # type: ignore[method-assign]

        assert loser.ensure_key() is winner
        assert loser.all_keys() == [winner]


def test_init_db_makes_the_signing_key(tmp_path: Path) -> None:
    app = _fresh_sqlite_app(tmp_path)
    result = app.test_cli_runner().invoke(main, ["init-db"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        (key,) = KeyService(db.session(), dt.timedelta(days=7)).all_keys()
        assert f"tool signing key {key.kid}" in result.output
    database(app).engine.dispose()
