"""Migration 0017: tokens made before scopes keep all their access; no row is lost either way."""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from lti_pathing import migrate
from lti_pathing.models import ApiToken


def test_existing_tokens_get_every_scope_and_no_expiry(connection: Connection) -> None:
    migrate.downgrade(connection, "0016")
    connection.execute(text("INSERT INTO tenant (slug, name, default_hours_per_week, active, "
                            "version, created_at, updated_at) VALUES ('t', 'T', 2, true, 1, "
                            "'2026-01-01', '2026-01-01')"))  # fmt: skip
    connection.execute(
        text(
            "INSERT INTO api_token (tenant_id, name, prefix, sha256, created_at) "
            "SELECT id, 'HRIS', 'abcd1234', :sha, '2026-01-01' FROM tenant"
        ),
        {"sha": "0" * 64},
    )

    migrate.upgrade(connection)

    with Session(bind=connection) as session:
        token = session.get_one(ApiToken, _id(connection))
        assert token.scopes == ("read", "write", "import")
        assert token.expires_at is None
    migrate.downgrade(connection, "0016")
    assert connection.scalar(text("SELECT count(*) FROM api_token")) == 1
    migrate.upgrade(connection)


def _id(connection: Connection) -> int:
    found = connection.scalar(text("SELECT id FROM api_token"))
    assert isinstance(found, int)
    return found
