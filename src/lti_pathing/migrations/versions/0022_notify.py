"""notifications: preferences (per person and tenant defaults), notifications and their deliveries

Revision ID: 0022_notify
Revises: 0021_interop

Only new tables (and dropping them back).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_notify"
down_revision: str | None = "0021_interop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _tenant() -> sa.Column[int]:
    return sa.Column(
        "tenant_id", sa.Integer(), sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False,
        index=True,
    )  # fmt: skip


def _person(nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        "person_id", sa.Integer(), sa.ForeignKey("person.id", ondelete="CASCADE"),
        nullable=nullable, index=True,
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _person(nullable=True),
        sa.Column("email", sa.Boolean(), nullable=True),
        sa.Column("lms", sa.Boolean(), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=True),
        sa.Column("quiet_from", sa.Time(), nullable=True),
        sa.Column("quiet_to", sa.Time(), nullable=True),
        sa.Column("time_zone", sa.String(64), nullable=True),
        sa.Column("launch_url", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "person_id"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _person(),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("tenant_id", "dedupe_key"),
    )
    op.create_table(
        "notification_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column(
            "notification_id",
            sa.Integer(),
            sa.ForeignKey("notification.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _person(),
        sa.Column("channel", _enum("notify_channel", "email", "lms"), nullable=False),
        sa.Column(
            "status",
            _enum("delivery_status", "pending", "sending", "sent", "failed", "skipped"),
            nullable=False,
            index=True,
        ),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("remote_id", sa.String(200), nullable=True),
        sa.UniqueConstraint("notification_id", "channel"),
    )


def downgrade() -> None:
    op.drop_table("notification_delivery")
    op.drop_table("notification")
    op.drop_table("notification_preference")
