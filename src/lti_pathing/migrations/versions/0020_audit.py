"""the audit trail: plan events become the tenant's one audit record (a record may concern a
person rather than a plan), and each tenant sets how long its records are kept

Revision ID: 0020_audit
Revises: 0019

`plan_event.plan_id` becomes nullable (an erasure or a retention change concerns no plan) and
`plan_event.subject_id` names the person a record concerns; `tenant.audit_retention_days` is
the retention (NULL: kept for good). Existing rows are kept as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_audit"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tenant", sa.Column("audit_retention_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("plan_event") as batch:
        batch.alter_column("plan_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch.create_index("ix_plan_event_subject_id", ["subject_id"])
        batch.create_index("ix_plan_event_at", ["at"])
        batch.create_foreign_key(
            "fk_plan_event_subject_id_person", "person", ["subject_id"], ["id"]
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM plan_event WHERE plan_id IS NULL"))
    with op.batch_alter_table("plan_event") as batch:
        batch.drop_constraint("fk_plan_event_subject_id_person", type_="foreignkey")
        batch.drop_index("ix_plan_event_at")
        batch.drop_index("ix_plan_event_subject_id")
        batch.drop_column("subject_id")
        batch.alter_column("plan_id", existing_type=sa.Integer(), nullable=False)
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # SQLite >= 3.35 drops a column in place (no copy of the tenant table)
        op.execute(sa.text("ALTER TABLE tenant DROP COLUMN audit_retention_days"))
    else:
        op.drop_column("tenant", "audit_retention_days")
