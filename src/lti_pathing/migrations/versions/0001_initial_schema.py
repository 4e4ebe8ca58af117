"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 23:38:19.574816
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lti_pathing.columns

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("default_hours_per_week", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("default_hours_per_week > 0", name=op.f("ck_tenant_default_hours")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenant_slug")),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "course",
                "mentorship",
                "stretch",
                "certification",
                "shadowing",
                "peer_group",
                name="activity_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("earliest_start", sa.Date(), nullable=True),
        sa.Column("latest_end", sa.Date(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_activity_cost_not_negative")),
        sa.CheckConstraint(
            "duration_weeks BETWEEN 1 AND 104", name=op.f("ck_activity_duration_range")
        ),
        sa.CheckConstraint(
            "earliest_start IS NULL OR latest_end IS NULL OR earliest_start < latest_end",
            name=op.f("ck_activity_window_order"),
        ),
        sa.CheckConstraint(
            "hours_per_week > 0 AND hours_per_week <= 40 AND hours_per_week * 4 = CAST(hours_per_week * 4 AS INTEGER)",
            name=op.f("ck_activity_hours_quarters"),
        ),
        sa.CheckConstraint("seats IS NULL OR seats >= 1", name=op.f("ck_activity_seats_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_activity_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint(
            "tenant_id", "external_id", name=op.f("uq_activity_tenant_id_external_id")
        ),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "job_family",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_job_family_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_family")),
        sa.UniqueConstraint(
            "tenant_id", "external_id", name=op.f("uq_job_family_tenant_id_external_id")
        ),
    )
    with op.batch_alter_table("job_family", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_family_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "skill_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_skill_category_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_category")),
        sa.UniqueConstraint(
            "tenant_id", "external_id", name=op.f("uq_skill_category_tenant_id_external_id")
        ),
    )
    with op.batch_alter_table("skill_category", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_skill_category_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "activity_prereq",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("requires_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("activity_id <> requires_id", name=op.f("ck_activity_prereq_not_self")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_prereq_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requires_id"], ["activity.id"], name=op.f("fk_activity_prereq_requires_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_activity_prereq_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_prereq")),
        sa.UniqueConstraint(
            "activity_id", "requires_id", name=op.f("uq_activity_prereq_activity_id_requires_id")
        ),
    )
    with op.batch_alter_table("activity_prereq", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_prereq_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_prereq_requires_id"), ["requires_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_prereq_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("seats IS NULL OR seats >= 1", name=op.f("ck_cohort_seats_positive")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_cohort_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_cohort_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
        sa.UniqueConstraint(
            "activity_id", "external_id", name=op.f("uq_cohort_activity_id_external_id")
        ),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "lms_course_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column(
            "lms",
            sa.Enum(
                "moodle", "canvas", name="lms", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_course_link_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lms_course_link_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_course_link")),
        sa.UniqueConstraint(
            "activity_id", "lms", "issuer", name=op.f("uq_lms_course_link_activity_id_lms_issuer")
        ),
    )
    with op.batch_alter_table("lms_course_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_course_link_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lms_course_link_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column(
            "track",
            sa.Enum(
                "individual",
                "management",
                name="track",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum(
                "entry",
                "mid",
                "senior",
                "lead",
                "principal",
                "manager",
                "director",
                name="role_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("level_rank BETWEEN 0 AND 99", name=op.f("ck_role_level_rank_range")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["job_family.id"], name=op.f("fk_role_family_id_job_family")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_role_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("tenant_id", "external_id", name=op.f("uq_role_tenant_id_external_id")),
    )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "skill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source_uri", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["skill_category.id"], name=op.f("fk_skill_category_id_skill_category")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_skill_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill")),
        sa.UniqueConstraint(
            "tenant_id", "external_id", name=op.f("uq_skill_tenant_id_external_id")
        ),
    )
    with op.batch_alter_table("skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skill_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "activity_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level >= 1", name=op.f("ck_activity_outcome_level_positive")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_outcome_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_activity_outcome_skill_id_skill")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_activity_outcome_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_outcome")),
        sa.UniqueConstraint(
            "activity_id", "skill_id", name=op.f("uq_activity_outcome_activity_id_skill_id")
        ),
    )
    with op.batch_alter_table("activity_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_outcome_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_outcome_skill_id"), ["skill_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_outcome_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "activity_skill_prereq",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level >= 1", name=op.f("ck_activity_skill_prereq_level_positive")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_skill_prereq_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_activity_skill_prereq_skill_id_skill")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_activity_skill_prereq_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_skill_prereq")),
        sa.UniqueConstraint(
            "activity_id", "skill_id", name=op.f("uq_activity_skill_prereq_activity_id_skill_id")
        ),
    )
    with op.batch_alter_table("activity_skill_prereq", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_skill_prereq_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_skill_prereq_skill_id"), ["skill_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_skill_prereq_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "career_path",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_role_id", sa.Integer(), nullable=False),
        sa.Column("to_role_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "vertical",
                "lateral",
                "cross_functional",
                name="path_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("from_role_id <> to_role_id", name=op.f("ck_career_path_no_self_edge")),
        sa.ForeignKeyConstraint(
            ["from_role_id"],
            ["role.id"],
            name=op.f("fk_career_path_from_role_id_role"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_career_path_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_role_id"], ["role.id"], name=op.f("fk_career_path_to_role_id_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_career_path")),
        sa.UniqueConstraint(
            "from_role_id", "to_role_id", name=op.f("uq_career_path_from_role_id_to_role_id")
        ),
    )
    with op.batch_alter_table("career_path", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_career_path_from_role_id"), ["from_role_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_career_path_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_career_path_to_role_id"), ["to_role_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("current_role_id", sa.Integer(), nullable=True),
        sa.Column("target_role_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("hours_per_week", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "hours_per_week IS NULL OR hours_per_week > 0", name=op.f("ck_person_hours_positive")
        ),
        sa.CheckConstraint(
            "manager_id IS NULL OR manager_id <> id", name=op.f("ck_person_not_own_manager")
        ),
        sa.ForeignKeyConstraint(
            ["current_role_id"], ["role.id"], name=op.f("fk_person_current_role_id_role")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["person.id"], name=op.f("fk_person_manager_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_role_id"], ["role.id"], name=op.f("fk_person_target_role_id_role")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_person_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint(
            "tenant_id", "external_id", name=op.f("uq_person_tenant_id_external_id")
        ),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_current_role_id"), ["current_role_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_target_role_id"), ["target_role_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "role_skill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level >= 1", name=op.f("ck_role_skill_level_positive")),
        sa.CheckConstraint("weight > 0 AND weight <= 10", name=op.f("ck_role_skill_weight_range")),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_skill_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_role_skill_skill_id_skill")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_role_skill_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_skill")),
        sa.UniqueConstraint("role_id", "skill_id", name=op.f("uq_role_skill_role_id_skill_id")),
    )
    with op.batch_alter_table("role_skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_skill_role_id"), ["role_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_skill_skill_id"), ["skill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_skill_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "skill_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 10", name=op.f("ck_skill_level_level_range")),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_skill_level_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_skill_level_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_level")),
        sa.UniqueConstraint("skill_id", "level", name=op.f("uq_skill_level_skill_id_level")),
    )
    with op.batch_alter_table("skill_level", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skill_level_skill_id"), ["skill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_level_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_api_token_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_api_token_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_token_prefix")),
        sa.UniqueConstraint("sha256", name=op.f("uq_api_token_sha256")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_token_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_token_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "lms_completion",
                "self",
                "manager",
                "import",
                name="evidence_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("level >= 0", name=op.f("ck_evidence_level_not_negative")),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_evidence_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_evidence_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_evidence_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_evidence_skill_id_skill")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_evidence_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_recorded_by_id"), ["recorded_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_skill_id"), ["skill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "lms_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "lms",
            sa.Enum(
                "moodle", "canvas", name="lms", native_enum=False, create_constraint=True, length=32
            ),
            nullable=True,
        ),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("lms_user_id", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_lms_identity_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_lms_identity_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_identity")),
        sa.UniqueConstraint(
            "tenant_id",
            "issuer",
            "client_id",
            "subject",
            name=op.f("uq_lms_identity_tenant_id_issuer_client_id_subject"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "lms",
            "issuer",
            "lms_user_id",
            name=op.f("uq_lms_identity_tenant_id_lms_issuer_lms_user_id"),
        ),
    )
    with op.batch_alter_table("lms_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_identity_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lms_identity_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "mentor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity BETWEEN 0 AND 20", name=op.f("ck_mentor_capacity_range")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_mentor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_mentor_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor")),
        sa.UniqueConstraint("person_id", name=op.f("uq_mentor_person_id")),
    )
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_role_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "rejected",
                "changes_requested",
                "archived",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_plan_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_role_id"], ["role.id"], name=op.f("fk_plan_target_role_id_role")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_plan_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_target_role_id"), ["target_role_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "activity_mentor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_mentor_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["mentor.id"], name=op.f("fk_activity_mentor_mentor_id_mentor")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_activity_mentor_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_mentor")),
        sa.UniqueConstraint(
            "activity_id", "mentor_id", name=op.f("uq_activity_mentor_activity_id_mentor_id")
        ),
    )
    with op.batch_alter_table("activity_mentor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_mentor_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_mentor_mentor_id"), ["mentor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_mentor_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "plan_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["person.id"], name=op.f("fk_plan_event_actor_id_person")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_event_plan_id_plan")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_plan_event_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_event")),
    )
    with op.batch_alter_table("plan_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_event_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_event_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "plan_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("start_week", sa.Integer(), nullable=False),
        sa.Column("end_week", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "completed",
                "dropped",
                name="item_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_pathing.columns.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_week >= 0", name=op.f("ck_plan_item_start_not_negative")),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_plan_item_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_plan_item_cohort_id_cohort")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["mentor.id"], name=op.f("fk_plan_item_mentor_id_mentor")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_item_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_plan_item_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_item")),
    )
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_item_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_item_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_item_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_item_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_item_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_item_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_plan_item_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_item_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_plan_item_cohort_id"))
        batch_op.drop_index(batch_op.f("ix_plan_item_activity_id"))

    op.drop_table("plan_item")
    with op.batch_alter_table("plan_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_event_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_plan_event_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_event_actor_id"))

    op.drop_table("plan_event")
    with op.batch_alter_table("activity_mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_mentor_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_activity_mentor_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_activity_mentor_activity_id"))

    op.drop_table("activity_mentor")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_plan_target_role_id"))
        batch_op.drop_index(batch_op.f("ix_plan_person_id"))

    op.drop_table("plan")
    with op.batch_alter_table("mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_tenant_id"))

    op.drop_table("mentor")
    with op.batch_alter_table("lms_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_identity_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_lms_identity_person_id"))

    op.drop_table("lms_identity")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_skill_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_person_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_activity_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_api_token_created_by_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("skill_level", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_level_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_skill_level_skill_id"))

    op.drop_table("skill_level")
    with op.batch_alter_table("role_skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_skill_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_role_skill_skill_id"))
        batch_op.drop_index(batch_op.f("ix_role_skill_role_id"))

    op.drop_table("role_skill")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_person_target_role_id"))
        batch_op.drop_index(batch_op.f("ix_person_manager_id"))
        batch_op.drop_index(batch_op.f("ix_person_current_role_id"))

    op.drop_table("person")
    with op.batch_alter_table("career_path", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_career_path_to_role_id"))
        batch_op.drop_index(batch_op.f("ix_career_path_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_career_path_from_role_id"))

    op.drop_table("career_path")
    with op.batch_alter_table("activity_skill_prereq", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_skill_prereq_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_activity_skill_prereq_skill_id"))
        batch_op.drop_index(batch_op.f("ix_activity_skill_prereq_activity_id"))

    op.drop_table("activity_skill_prereq")
    with op.batch_alter_table("activity_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_outcome_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_activity_outcome_skill_id"))
        batch_op.drop_index(batch_op.f("ix_activity_outcome_activity_id"))

    op.drop_table("activity_outcome")
    with op.batch_alter_table("skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_skill_category_id"))

    op.drop_table("skill")
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_role_family_id"))

    op.drop_table("role")
    with op.batch_alter_table("lms_course_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_course_link_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_lms_course_link_activity_id"))

    op.drop_table("lms_course_link")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_activity_id"))

    op.drop_table("cohort")
    with op.batch_alter_table("activity_prereq", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_prereq_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_activity_prereq_requires_id"))
        batch_op.drop_index(batch_op.f("ix_activity_prereq_activity_id"))

    op.drop_table("activity_prereq")
    with op.batch_alter_table("skill_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_category_tenant_id"))

    op.drop_table("skill_category")
    with op.batch_alter_table("job_family", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_family_tenant_id"))

    op.drop_table("job_family")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_tenant_id"))

    op.drop_table("activity")
    op.drop_table("tenant")
