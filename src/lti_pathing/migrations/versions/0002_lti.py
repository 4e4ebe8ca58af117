"""LTI 1.3: platform registrations, their deployments, the tool's keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:24:42.833776
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lti_tool_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_tool_key")),
        sa.UniqueConstraint("kid", name=op.f("uq_lti_tool_key_kid")),
    )
    op.create_table(
        "lti_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("auth_login_url", sa.String(length=500), nullable=False),
        sa.Column("auth_token_url", sa.String(length=500), nullable=False),
        sa.Column("auth_audience", sa.String(length=500), nullable=True),
        sa.Column("key_set_url", sa.String(length=500), nullable=True),
        sa.Column("key_set", sa.Text(), nullable=True),
        sa.Column("deployment_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lti_registration_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_registration")),
        sa.UniqueConstraint(
            "issuer", "client_id", name=op.f("uq_lti_registration_issuer_client_id")
        ),
    )
    with op.batch_alter_table("lti_registration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_registration_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "lti_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registration.id"],
            name=op.f("fk_lti_deployment_registration_id_lti_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lti_deployment_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_deployment")),
        sa.UniqueConstraint(
            "registration_id",
            "deployment_id",
            name=op.f("uq_lti_deployment_registration_id_deployment_id"),
        ),
    )
    with op.batch_alter_table("lti_deployment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_deployment_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lti_deployment_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lti_deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_deployment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_lti_deployment_registration_id"))

    op.drop_table("lti_deployment")
    with op.batch_alter_table("lti_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_registration_tenant_id"))

    op.drop_table("lti_registration")
    op.drop_table("lti_tool_key")
