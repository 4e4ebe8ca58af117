"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

import lti_pathing.models  # noqa: F401
from lti_pathing import migrate
from lti_pathing.columns import Base


def test_migrated_schema_matches_the_models(connection: Connection) -> None:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_back(connection: Connection) -> None:
    migrate.downgrade(connection, "base")
    assert "skill" not in inspect(connection).get_table_names()
    migrate.upgrade(connection)
    assert "skill" in inspect(connection).get_table_names()


# The tool's own signing keys belong to the tool, not to a tenant: one JWKS for every platform.
NOT_TENANT_OWNED = {"tenant", "lti_tool_key"}


def test_every_table_but_tenant_belongs_to_a_tenant() -> None:
    for table in Base.metadata.sorted_tables:
        if table.name not in NOT_TENANT_OWNED:
            assert "tenant_id" in table.c, table.name
            assert table.c.tenant_id.index, table.name
