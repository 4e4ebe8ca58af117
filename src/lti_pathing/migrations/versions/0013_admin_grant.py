"""admin grant (person flag, LMS-role allowlist per registration), unmatched-launch policy

Revision ID: 0013
Revises: 0012

Only ADD COLUMN (and DROP COLUMN back): on SQLite a copy-and-move of `tenant`, `person` or
`lti_registration` would drop the old table, and with foreign keys on that deletes every row
that refers to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Registrations made before the allowlist (whose LMS product was not recorded) keep admin for the
# site-wide roles only: the LIS system administrator (a Moodle site admin) and Canvas's SysAdmin.
# Canvas's institution Administrator, sent for any account role, no longer grants it.
EXISTING_ADMIN_ROLES = "\n".join((
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
))  # fmt: skip
COLUMNS: tuple[tuple[str, sa.Column[object]], ...] = (
    ("person", sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())),
    ("lti_registration", sa.Column("admin_roles", sa.Text(), nullable=False, server_default="")),
    ("tenant", sa.Column("unmatched_launch", sa.String(32), nullable=False,
                         server_default="create")),
    ("tenant", sa.Column("access_contact", sa.String(200), nullable=False, server_default="")),
)  # fmt: skip


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, column)
    op.execute(sa.text("UPDATE lti_registration SET admin_roles = :roles").bindparams(
        roles=EXISTING_ADMIN_ROLES))  # fmt: skip


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(COLUMNS):
        if sqlite:  # SQLite >= 3.35 drops a column in place (no copy of the table)
            op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column.name}"))
        else:
            op.drop_column(table, column.name)
