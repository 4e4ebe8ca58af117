"""tool key generations (race-safe first key), used registration links, career-path versions

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lti_tool_key") as batch:
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=True))
    # Existing keys: their ids are already in creation order and unique.
    op.execute("UPDATE lti_tool_key SET generation = id")
    with op.batch_alter_table("lti_tool_key") as batch:
        batch.alter_column("generation", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_lti_tool_key_generation"), ["generation"])

    op.create_table(
        "lti_registration_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("used_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lti_registration_invite_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_registration_invite")),
        sa.UniqueConstraint("jti", name=op.f("uq_lti_registration_invite_jti")),
    )
    with op.batch_alter_table("lti_registration_invite") as batch:
        batch.create_index(
            batch.f("ix_lti_registration_invite_tenant_id"), ["tenant_id"], unique=False
        )

    with op.batch_alter_table("career_path") as batch:
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    with op.batch_alter_table("career_path") as batch:
        batch.drop_column("version")
    op.drop_table("lti_registration_invite")
    with op.batch_alter_table("lti_tool_key") as batch:
        batch.drop_constraint(op.f("uq_lti_tool_key_generation"), type_="unique")
        batch.drop_column("generation")
