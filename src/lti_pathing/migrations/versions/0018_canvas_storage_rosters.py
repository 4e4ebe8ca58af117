"""Canvas: SIS ids as a matching key (tenant setting), what dynamic registration granted, rosters

Revision ID: 0018
Revises: 0017

Only ADD COLUMN (and DROP COLUMN back) on existing tables: on SQLite a copy-and-move of `tenant`
or `lti_registration` would drop the old table, and with foreign keys on that deletes every row
that refers to it. The roster table is new.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lti_pathing.columns import UtcDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.Column[object]], ...] = (
    ("tenant", sa.Column("match_sis_id", sa.Boolean(), nullable=False, server_default=sa.false())),
    ("lti_registration", sa.Column("registration_outcome", sa.Text(), nullable=True)),
)  # fmt: skip


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, column)
    op.create_table(
        "lti_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("memberships_url", sa.String(500), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=True),
        sa.Column("lms", sa.Enum("moodle", "canvas", name="lms", native_enum=False,
                                 create_constraint=True, length=32), nullable=True),
        sa.Column("matched_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_match", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["lti_registration.id"],
                                name=op.f("fk_lti_roster_registration_id_lti_registration"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_lti_roster_tenant_id_tenant"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_roster")),
        sa.UniqueConstraint("registration_id", "context_id",
                            name=op.f("uq_lti_roster_registration_id_context_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_lti_roster_registration_id"), "lti_roster", ["registration_id"])
    op.create_index(op.f("ix_lti_roster_tenant_id"), "lti_roster", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lti_roster_tenant_id"), table_name="lti_roster")
    op.drop_index(op.f("ix_lti_roster_registration_id"), table_name="lti_roster")
    op.drop_table("lti_roster")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(COLUMNS):
        if sqlite:  # SQLite >= 3.35 drops a column in place (no copy of the table)
            op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column.name}"))
        else:
            op.drop_column(table, column.name)
