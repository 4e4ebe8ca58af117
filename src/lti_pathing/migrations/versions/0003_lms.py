"""LMS connections, sync runs and completion records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:24:19.970914
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lms_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "moodle", "canvas", name="lms", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("token_hint", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lms_connection_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_connection")),
        sa.UniqueConstraint(
            "tenant_id", "kind", "base_url", name=op.f("uq_lms_connection_tenant_id_kind_base_url")
        ),
    )
    with op.batch_alter_table("lms_connection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_connection_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "lms_sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "partial",
                "aborted",
                "failed",
                name="sync_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("since", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cursor", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("people_total", sa.Integer(), nullable=False),
        sa.Column("people_synced", sa.Integer(), nullable=False),
        sa.Column("people_failed", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.Integer(), nullable=False),
        sa.Column("evidence_created", sa.Integer(), nullable=False),
        sa.Column("items_completed", sa.Integer(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["lms_connection.id"],
            name=op.f("fk_lms_sync_run_connection_id_lms_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_lms_sync_run_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lms_sync_run_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_sync_run")),
    )
    with op.batch_alter_table("lms_sync_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_sync_run_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lms_sync_run_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lms_sync_run_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "completion_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "moodle",
                "canvas",
                "csv",
                name="completion_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "lms",
            sa.Enum(
                "moodle", "canvas", name="lms", native_enum=False, create_constraint=True, length=32
            ),
            nullable=True,
        ),
        sa.Column("lms_course_id", sa.String(length=64), nullable=True),
        sa.Column("lms_module_id", sa.String(length=64), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("sync_run_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("raw_status", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_completion_record_activity_id_activity"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["lms_connection.id"],
            name=op.f("fk_completion_record_connection_id_lms_connection"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_completion_record_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sync_run_id"],
            ["lms_sync_run.id"],
            name=op.f("fk_completion_record_sync_run_id_lms_sync_run"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_completion_record_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_record")),
        sa.UniqueConstraint(
            "tenant_id",
            "person_id",
            "channel",
            "key",
            name=op.f("uq_completion_record_tenant_id_person_id_channel_key"),
        ),
    )
    with op.batch_alter_table("completion_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_completion_record_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_completion_record_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_completion_record_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_completion_record_sync_run_id"), ["sync_run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_completion_record_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("completion_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_completion_record_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_completion_record_sync_run_id"))
        batch_op.drop_index(batch_op.f("ix_completion_record_person_id"))
        batch_op.drop_index(batch_op.f("ix_completion_record_connection_id"))
        batch_op.drop_index(batch_op.f("ix_completion_record_activity_id"))

    op.drop_table("completion_record")
    with op.batch_alter_table("lms_sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_sync_run_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_lms_sync_run_person_id"))
        batch_op.drop_index(batch_op.f("ix_lms_sync_run_connection_id"))

    op.drop_table("lms_sync_run")
    with op.batch_alter_table("lms_connection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_connection_tenant_id"))

    op.drop_table("lms_connection")
