"""Tool keys: made on first use, encrypted at rest, public-only JWKS, rotated with overlap."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto
from lti_pathing.cli import main
from lti_pathing.db import utcnow
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
