"""where imported skills, categories and roles came from (framework and id there), each level's
value in its source scale, a skill's proficient level, and relations between skills

Revision ID: 0021_interop
Revises: 0020_audit

Only ADD (and DROP back): rows stored before have no source and keep working as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_interop"
down_revision: str | None = "0020_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCED = ("skill_category", "skill", "role")


def upgrade() -> None:
    for table in SOURCED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source", sa.String(200), nullable=True))
            batch.add_column(sa.Column("source_id", sa.String(255), nullable=True))
            if table == "skill":
                batch.add_column(sa.Column("proficient_level", sa.Integer(), nullable=True))
            batch.create_unique_constraint(
                op.f(f"uq_{table}_tenant_id_source_source_id"), ["tenant_id", "source", "source_id"]
            )
    with op.batch_alter_table("skill_level") as batch:
        batch.add_column(sa.Column("source_value", sa.String(64), nullable=True))
    op.create_table(
        "skill_relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_skill_relation_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"], ["skill.id"], name=op.f("fk_skill_relation_related_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_skill_relation_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_relation")),
        sa.UniqueConstraint(
            "skill_id", "related_id", name=op.f("uq_skill_relation_skill_id_related_id")
        ),
    )  # fmt: skip
    with op.batch_alter_table("skill_relation") as batch:
        for column in ("skill_id", "related_id", "tenant_id"):
            batch.create_index(batch.f(f"ix_skill_relation_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("skill_relation")
    with op.batch_alter_table("skill_level") as batch:
        batch.drop_column("source_value")
    for table in reversed(SOURCED):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"uq_{table}_tenant_id_source_source_id"), type_="unique")
            if table == "skill":
                batch.drop_column("proficient_level")
            batch.drop_column("source_id")
            batch.drop_column("source")
