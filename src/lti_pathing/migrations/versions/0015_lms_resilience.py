"""LMS resilience: a circuit breaker per connection, live-event webhook keys, sync-run liveness

Revision ID: 0015
Revises: 0014

Only ADD COLUMN and CREATE INDEX (and their drops back): on SQLite a copy-and-move of
`lms_connection` or `lms_sync_run` would drop the old table, and with foreign keys on that
deletes or empties every row that refers to it (sync runs, completion records).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.Column[object]], ...] = (
    ("lms_connection", sa.Column("breaker_failures", sa.Integer(), nullable=False,
                                 server_default=sa.text("0"))),
    ("lms_connection", sa.Column("breaker_open_until", sa.DateTime(timezone=True))),
    ("lms_connection", sa.Column("breaker_error", sa.Text())),
    ("lms_connection", sa.Column("events_key_hash", sa.String(64))),
    ("lms_connection", sa.Column("events_key_hint", sa.String(16))),
    ("lms_connection", sa.Column("events_unsigned", sa.Boolean(), nullable=False,
                                 server_default=sa.false())),
    ("lms_connection", sa.Column("events_last_at", sa.DateTime(timezone=True))),
    ("lms_sync_run", sa.Column("notes", sa.JSON())),
    ("lms_sync_run", sa.Column("owner", sa.String(200))),
    ("lms_sync_run", sa.Column("heartbeat_at", sa.DateTime(timezone=True))),
    ("lms_sync_run", sa.Column("deadline_at", sa.DateTime(timezone=True))),
    ("lms_sync_run", sa.Column("job_id", sa.Integer())),
)  # fmt: skip
INDEXES = (
    ("ix_lms_connection_events_key_hash", "lms_connection", "events_key_hash", True),
    ("ix_lms_sync_run_job_id", "lms_sync_run", "job_id", False),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, column)
    for name, table, column_name, unique in INDEXES:
        op.create_index(name, table, [column_name], unique=unique)


def downgrade() -> None:
    for name, table, _, _ in INDEXES:
        op.drop_index(name, table_name=table)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(COLUMNS):
        if sqlite:  # SQLite >= 3.35 drops a column in place (no copy of the table)
            op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column.name}"))
        else:
            op.drop_column(table, column.name)
