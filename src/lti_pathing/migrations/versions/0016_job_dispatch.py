"""job outbox: a dispatch record per job, written with it, so no queued job is left unsent

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_dispatch",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("due_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_job_dispatch_job_id_job"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_job_dispatch_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_dispatch")),
    )
    op.create_index(op.f("ix_job_dispatch_due_at"), "job_dispatch", ["due_at"], unique=False)
    op.create_index(op.f("ix_job_dispatch_tenant_id"), "job_dispatch", ["tenant_id"], unique=False)
    # Jobs left queued before the outbox existed (a broker outage lost their message) are due
    # at once: the first sweep sends them, or fails them after the configured tries.
    op.execute(
        "INSERT INTO job_dispatch (job_id, tenant_id, tries, due_at) "
        "SELECT id, tenant_id, 0, updated_at FROM job WHERE status = 'queued'"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_job_dispatch_tenant_id"), table_name="job_dispatch")
    op.drop_index(op.f("ix_job_dispatch_due_at"), table_name="job_dispatch")
    op.drop_table("job_dispatch")
