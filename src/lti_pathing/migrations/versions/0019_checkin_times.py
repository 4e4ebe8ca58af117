"""check-ins get a time of day, a length and a time zone (calendar invitations), and next steps
that name activities of the plan

Revision ID: 0019
Revises: 0018

Only ADD COLUMN (and DROP COLUMN back): check-ins scheduled before keep their date and become
all-day events until someone gives them a time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[sa.Column[object], ...] = (
    sa.Column("starts_at", sa.Time(), nullable=True),
    sa.Column("duration_minutes", sa.Integer(), nullable=True),
    sa.Column("time_zone", sa.String(64), nullable=True),
    sa.Column("next_activity_ids", sa.JSON(), nullable=True),
)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("check_in", column)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in reversed(COLUMNS):
        if sqlite:  # SQLite >= 3.35 drops a column in place (no copy of the table)
            op.execute(sa.text(f"ALTER TABLE check_in DROP COLUMN {column.name}"))
        else:
            op.drop_column("check_in", column.name)
