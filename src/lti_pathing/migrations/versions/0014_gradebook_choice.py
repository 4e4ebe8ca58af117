"""grade passback only where chosen: a course's grade book mode, refusals for good

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing contexts get "none": scores stop until a graded link or the admin chooses them.
    with op.batch_alter_table("lti_context") as batch:
        batch.add_column(
            sa.Column(
                "gradebook",
                sa.Enum(
                    "none",
                    "link",
                    "course",
                    name="gradebook",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="none",
            )
        )
    with op.batch_alter_table("grade_passback") as batch:
        batch.add_column(sa.Column("refused_status", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grade_passback") as batch:
        batch.drop_column("refused_status")
    with op.batch_alter_table("lti_context") as batch:
        batch.drop_constraint(op.f("ck_lti_context_gradebook"), type_="check")
        batch.drop_column("gradebook")
