"""admin grant (person flag, LMS-role allowlist per registration), unmatched-launch policy

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Registrations made before the allowlist keep admin for the LIS system administrator role,
# the generic default (lti/roles.py).
SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("lti_registration") as batch:
        batch.add_column(sa.Column("admin_roles", sa.Text(), nullable=True))
    op.execute(sa.text("UPDATE lti_registration SET admin_roles = :role").bindparams(
        role=SYSTEM_ADMIN))  # fmt: skip
    with op.batch_alter_table("lti_registration") as batch:
        batch.alter_column("admin_roles", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(
            sa.Column(
                "unmatched_launch",
                sa.Enum(
                    "create",
                    "refuse",
                    name="unmatched_launch",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="create",
            )
        )
        batch.add_column(
            sa.Column("access_contact", sa.String(200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("access_contact")
        batch.drop_constraint("unmatched_launch", type_="check")
        batch.drop_column("unmatched_launch")
    with op.batch_alter_table("lti_registration") as batch:
        batch.drop_column("admin_roles")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("is_admin")
