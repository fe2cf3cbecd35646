"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:55:56.926298
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )
    op.create_table(
        "counter",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counter")),
    )
    op.create_table(
        "overhead",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_overhead")),
    )
    op.create_table(
        "sor_type",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sor_type")),
    )
    op.create_table(
        "tenant",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("district", sa.String(length=120), nullable=False),
        sa.Column("grade", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tenant")),
    )
    op.create_table(
        "unit",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_unit")),
    )
    op.create_table(
        "variant",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_variant")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("login", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("tenant_code", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_code"],
            ["tenant.code"],
            name=op.f("fk_app_user_tenant_code_tenant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("login", name=op.f("uq_app_user_login")),
    )
    op.create_table(
        "sor_sub_type",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("type_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["sor_type.code"],
            name=op.f("fk_sor_sub_type_type_code_sor_type"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sor_sub_type")),
    )
    op.create_table(
        "unit_alias",
        sa.Column("alias", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["unit.code"], name=op.f("fk_unit_alias_unit_code_unit")
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_unit_alias")),
    )
    op.create_table(
        "sor",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("type_code", sa.String(length=4), nullable=False),
        sa.Column("sub_type_code", sa.String(length=8), nullable=False),
        sa.Column("variant_code", sa.String(length=8), nullable=False),
        sa.Column("uom_code", sa.String(length=12), nullable=False),
        sa.Column("rate_quantity", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sub_type_code"],
            ["sor_sub_type.code"],
            name=op.f("fk_sor_sub_type_code_sor_sub_type"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"], ["sor_type.code"], name=op.f("fk_sor_type_code_sor_type")
        ),
        sa.ForeignKeyConstraint(
            ["uom_code"], ["unit.code"], name=op.f("fk_sor_uom_code_unit")
        ),
        sa.ForeignKeyConstraint(
            ["variant_code"], ["variant.code"], name=op.f("fk_sor_variant_code_variant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sor")),
        sa.UniqueConstraint("code", name=op.f("uq_sor_code")),
    )
    with op.batch_alter_table("sor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sor_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sor_sub_type_code"), ["sub_type_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sor_type_code"), ["type_code"], unique=False
        )

    op.create_table(
        "sor_rate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sor_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_code", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("labour", sa.String(length=40), nullable=False),
        sa.Column("machinery", sa.String(length=40), nullable=False),
        sa.Column("conveyance", sa.String(length=40), nullable=False),
        sa.Column("royalty", sa.String(length=40), nullable=False),
        sa.Column("dmf", sa.String(length=40), nullable=False),
        sa.Column("emf", sa.String(length=40), nullable=False),
        sa.Column("additional", sa.String(length=40), nullable=False),
        sa.Column("labour_cess", sa.String(length=40), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sor_id"], ["sor.id"], name=op.f("fk_sor_rate_sor_id_sor")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_code"],
            ["tenant.code"],
            name=op.f("fk_sor_rate_tenant_code_tenant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sor_rate")),
        sa.UniqueConstraint(
            "sor_id", "tenant_code", "effective_from", name=op.f("uq_sor_rate_sor_id")
        ),
    )
    with op.batch_alter_table("sor_rate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sor_rate_lookup",
            ["sor_id", "tenant_code", "effective_from"],
            unique=False,
        )

    op.create_table(
        "rate_analysis",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sor_id", sa.String(length=36), nullable=False),
        sa.Column("rate_id", sa.String(length=36), nullable=True),
        sa.Column("tenant_code", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("analysis_quantity", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rate_id"], ["sor_rate.id"], name=op.f("fk_rate_analysis_rate_id_sor_rate")
        ),
        sa.ForeignKeyConstraint(
            ["sor_id"], ["sor.id"], name=op.f("fk_rate_analysis_sor_id_sor")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_code"],
            ["tenant.code"],
            name=op.f("fk_rate_analysis_tenant_code_tenant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_analysis")),
    )
    with op.batch_alter_table("rate_analysis", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_analysis_sor_id"), ["sor_id"], unique=False
        )

    op.create_table(
        "rate_analysis_charge",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("analysis_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("head", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["rate_analysis.id"],
            name=op.f("fk_rate_analysis_charge_analysis_id_rate_analysis"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_analysis_charge")),
    )
    with op.batch_alter_table("rate_analysis_charge", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_analysis_charge_analysis_id"),
            ["analysis_id"],
            unique=False,
        )

    op.create_table(
        "rate_analysis_line",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("analysis_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("basic_sor_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("basic_rate_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["rate_analysis.id"],
            name=op.f("fk_rate_analysis_line_analysis_id_rate_analysis"),
        ),
        sa.ForeignKeyConstraint(
            ["basic_rate_id"],
            ["sor_rate.id"],
            name=op.f("fk_rate_analysis_line_basic_rate_id_sor_rate"),
        ),
        sa.ForeignKeyConstraint(
            ["basic_sor_id"],
            ["sor.id"],
            name=op.f("fk_rate_analysis_line_basic_sor_id_sor"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_analysis_line")),
    )
    with op.batch_alter_table("rate_analysis_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_analysis_line_analysis_id"),
            ["analysis_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("rate_analysis_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_analysis_line_analysis_id"))

    op.drop_table("rate_analysis_line")
    with op.batch_alter_table("rate_analysis_charge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_analysis_charge_analysis_id"))

    op.drop_table("rate_analysis_charge")
    with op.batch_alter_table("rate_analysis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_analysis_sor_id"))

    op.drop_table("rate_analysis")
    with op.batch_alter_table("sor_rate", schema=None) as batch_op:
        batch_op.drop_index("ix_sor_rate_lookup")

    op.drop_table("sor_rate")
    with op.batch_alter_table("sor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sor_type_code"))
        batch_op.drop_index(batch_op.f("ix_sor_sub_type_code"))
        batch_op.drop_index(batch_op.f("ix_sor_status"))

    op.drop_table("sor")
    op.drop_table("unit_alias")
    op.drop_table("sor_sub_type")
    op.drop_table("app_user")
    op.drop_table("variant")
    op.drop_table("unit")
    op.drop_table("tenant")
    op.drop_table("sor_type")
    op.drop_table("overhead")
    op.drop_table("counter")
    op.drop_table("app_setting")
