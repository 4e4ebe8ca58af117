"""background jobs; plan proposals and solve results

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("draft", "submitted", "approved", "rejected", "changes_requested", "archived")
NEW_STATUSES = (*OLD_STATUSES, "proposed")


def _in(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "plan",
                "replan",
                "lms_sync",
                name="job_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="job_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_job_progress_range")),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["person.id"], name=op.f("fk_job_requested_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_job_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_requested_by_id"), ["requested_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_job_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_plan_status"), type_="check")
        batch_op.create_check_constraint("plan_status", _in(NEW_STATUSES))
        batch_op.add_column(sa.Column("solve_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("closure", sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.add_column(
            sa.Column("max_closure", sa.Numeric(precision=12, scale=3), nullable=True)
        )
        batch_op.add_column(sa.Column("ready_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_plan_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_job_id"), ["job_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_replaces_id_plan"), "plan", ["replaces_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_plan_job_id_job"), "job", ["job_id"], ["id"])


def downgrade() -> None:
    op.execute("UPDATE plan SET status = 'archived' WHERE status = 'proposed'")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plan_job_id_job"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_plan_replaces_id_plan"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_plan_job_id"))
        batch_op.drop_index(batch_op.f("ix_plan_replaces_id"))
        batch_op.drop_column("job_id")
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("ready_on")
        batch_op.drop_column("max_closure")
        batch_op.drop_column("closure")
        batch_op.drop_column("solve_status")
        batch_op.drop_constraint(batch_op.f("ck_plan_plan_status"), type_="check")
        batch_op.create_check_constraint("plan_status", _in(OLD_STATUSES))
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_job_status"))
        batch_op.drop_index(batch_op.f("ix_job_requested_by_id"))
    op.drop_table("job")
