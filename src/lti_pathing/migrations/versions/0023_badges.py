"""credentials: Open Badges 3.0 credentials awarded to people (issue 17)

Revision ID: 0023_badges
Revises: 0022_notify

Only a new table (and dropping it back).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lti_pathing.columns import UtcDateTime

revision: str = "0023_badges"
down_revision: str | None = "0022_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = ("key_id", "person_id", "plan_id", "revoked_by_id", "role_id", "tenant_id")


def upgrade() -> None:
    op.create_table(
        "credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("role_ready", "plan_completed", name="credential_kind",
                                  native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("event_key", sa.String(100), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("achievement", sa.JSON(), nullable=False),
        sa.Column("awarded_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("credential_json", sa.Text(), nullable=True),
        sa.Column("compact_jws", sa.Text(), nullable=True),
        sa.Column("key_id", sa.String(100), nullable=True),
        sa.Column("public_jwk", sa.Text(), nullable=True),
        sa.Column("valid_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_credential_person_id_person"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"],
                                name=op.f("fk_credential_role_id_role"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"],
                                name=op.f("fk_credential_plan_id_plan"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["person.id"],
                                name=op.f("fk_credential_revoked_by_id_person"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_credential_tenant_id_tenant"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
        sa.UniqueConstraint("public_id", name=op.f("uq_credential_public_id")),
        sa.UniqueConstraint("tenant_id", "person_id", "event_key",
                            name=op.f("uq_credential_tenant_id_person_id_event_key")),
    )  # fmt: skip
    for column in INDEXED:
        op.create_index(op.f(f"ix_credential_{column}"), "credential", [column])


def downgrade() -> None:
    for column in reversed(INDEXED):
        op.drop_index(op.f(f"ix_credential_{column}"), table_name="credential")
    op.drop_table("credential")
