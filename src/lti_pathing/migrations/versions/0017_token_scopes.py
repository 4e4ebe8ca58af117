"""API token scopes (read, write, import) and an optional expiry

Revision ID: 0017
Revises: 0016

Tokens made before scopes existed get all three, so no client loses access it had. Only ADD
COLUMN (and DROP COLUMN back), so no table is copied on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lti_pathing.columns import UtcDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL_SCOPES = "import read write"  # models/tokens.py ALL_SCOPES, as of this revision
COLUMNS: tuple[sa.Column[object], ...] = (
    sa.Column("scopes", sa.String(64), nullable=False, server_default=ALL_SCOPES),
    sa.Column("expires_at", UtcDateTime(timezone=True), nullable=True),
)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("api_token", column)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in reversed(COLUMNS):
        if sqlite:  # SQLite >= 3.35 drops a column in place (no copy of the table)
            op.execute(sa.text(f"ALTER TABLE api_token DROP COLUMN {column.name}"))
        else:
            op.drop_column("api_token", column.name)
