"""team budgets, approval delegation, an approval time limit per tenant, mentor bookings and
mentors' unavailable weeks

Revision ID: 0024_manager
Revises: 0023_badges

New tables and one ADD COLUMN (and DROP COLUMN back): nothing existing is copied or changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from lti_pathing.columns import UtcDateTime

revision: str = "0024_manager"
down_revision: str | None = "0023_badges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owned(table: str, versioned: bool = True, stamped: bool = True) -> list[Any]:
    """The tenant, version and timestamp columns every tenant-owned table of these models has."""
    out: list[Any] = [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]  # fmt: skip
    if versioned:
        out.append(sa.Column("version", sa.Integer(), nullable=False))
    if stamped:
        out += [
            sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
            sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        ]
    return out


def _person_fk(table: str, column: str, cascade: bool = True) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["person.id"],
                                   name=op.f(f"fk_{table}_{column}_person"),
                                   ondelete="CASCADE" if cascade else None)  # fmt: skip


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "approval_delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        *_owned("approval_delegation", versioned=False),
        sa.CheckConstraint(
            "manager_id <> delegate_id", name=op.f("ck_approval_delegation_not_self")
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_approval_delegation_dates_order")),
        _person_fk("approval_delegation", "delegate_id"),
        _person_fk("approval_delegation", "manager_id"),
    )
    _indexes("approval_delegation", "delegate_id", "manager_id", "tenant_id")
    op.create_table(
        "team_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        *_owned("team_budget"),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_team_budget_amount_not_negative")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2200", name=op.f("ck_team_budget_year_range")),
        _person_fk("team_budget", "manager_id"),
        sa.UniqueConstraint("tenant_id", "manager_id", "year",
                            name=op.f("uq_team_budget_tenant_id_manager_id_year")),
    )  # fmt: skip
    _indexes("team_budget", "manager_id", "tenant_id")
    op.create_table(
        "mentor_unavailable_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("week_of", sa.Date(), nullable=False),
        *_owned("mentor_unavailable_week", versioned=False, stamped=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"],
                                name=op.f("fk_mentor_unavailable_week_mentor_id_mentor"),
                                ondelete="CASCADE"),
        sa.UniqueConstraint("mentor_id", "week_of",
                            name=op.f("uq_mentor_unavailable_week_mentor_id_week_of")),
    )  # fmt: skip
    _indexes("mentor_unavailable_week", "mentor_id", "tenant_id")
    op.create_table(
        "mentor_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_item_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("requested", "accepted", "declined", "expired",
                                    name="booking_status", native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column("requested_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        *_owned("mentor_booking"),
        _person_fk("mentor_booking", "mentee_id", cascade=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"],
                                name=op.f("fk_mentor_booking_mentor_id_mentor")),
        sa.ForeignKeyConstraint(["plan_item_id"], ["plan_item.id"],
                                name=op.f("fk_mentor_booking_plan_item_id_plan_item"),
                                ondelete="CASCADE"),
        sa.UniqueConstraint("plan_item_id", name=op.f("uq_mentor_booking_plan_item_id")),
    )  # fmt: skip
    _indexes("mentor_booking", "mentee_id", "mentor_id", "tenant_id")
    op.add_column("tenant", sa.Column("approval_limit_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite >= 3.35 drops a column in place
        op.execute(sa.text("ALTER TABLE tenant DROP COLUMN approval_limit_days"))
    else:
        op.drop_column("tenant", "approval_limit_days")
    for table in ("mentor_booking", "mentor_unavailable_week", "team_budget",
                  "approval_delegation"):  # fmt: skip
        op.drop_table(table)  # its indexes go with it
