"""grade passback (LTI contexts, scores sent); estimate and passback job kinds

Revision ID: 0010
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("plan", "replan", "lms_sync")
NEW_KINDS = (*OLD_KINDS, "estimate", "grade_passback")


def _in(kinds: Sequence[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "lti_context",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("lineitems_url", sa.String(length=500), nullable=False),
        sa.Column("lineitem_url", sa.String(length=500), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registration.id"],
            name=op.f("fk_lti_context_registration_id_lti_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lti_context_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_context")),
        sa.UniqueConstraint(
            "registration_id", "context_id", name=op.f("uq_lti_context_registration_id_context_id")
        ),
    )
    with op.batch_alter_table("lti_context", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_context_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lti_context_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "grade_passback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["context_id"],
            ["lti_context.id"],
            name=op.f("fk_grade_passback_context_id_lti_context"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_grade_passback_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_grade_passback_plan_id_plan"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_grade_passback_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_passback")),
        sa.UniqueConstraint(
            "context_id", "person_id", name=op.f("uq_grade_passback_context_id_person_id")
        ),
    )
    with op.batch_alter_table("grade_passback", schema=None) as batch_op:
        for column in ("context_id", "person_id", "plan_id", "tenant_id"):
            batch_op.create_index(batch_op.f(f"ix_grade_passback_{column}"), [column], unique=False)
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_job_job_kind"), type_="check")
        batch_op.create_check_constraint("job_kind", _in(NEW_KINDS))


def downgrade() -> None:
    op.execute("DELETE FROM job WHERE kind IN ('estimate', 'grade_passback')")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_job_job_kind"), type_="check")
        batch_op.create_check_constraint("job_kind", _in(OLD_KINDS))
    with op.batch_alter_table("grade_passback", schema=None) as batch_op:
        for column in ("tenant_id", "plan_id", "person_id", "context_id"):
            batch_op.drop_index(batch_op.f(f"ix_grade_passback_{column}"))
    op.drop_table("grade_passback")
    with op.batch_alter_table("lti_context", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_context_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_lti_context_registration_id"))
    op.drop_table("lti_context")
