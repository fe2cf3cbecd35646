"""projects and estimates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:59:21.136632
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "workflow_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=40), nullable=True),
        sa.Column("to_status", sa.String(length=40), nullable=False),
        sa.Column("by_login", sa.String(length=60), nullable=False),
        sa.Column("by_name", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_event")),
    )
    with op.batch_alter_table("workflow_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_event_record", ["record_type", "record_id"], unique=False
        )

    op.create_table(
        "estimate_template",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_code"], ["tenant.code"], name=op.f("fk_estimate_template_tenant_code_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_template")),
        sa.UniqueConstraint("tenant_code", "name", name=op.f("uq_estimate_template_tenant_code")),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("tenant_code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("ward", sa.String(length=60), nullable=False),
        sa.Column("locality", sa.String(length=200), nullable=False),
        sa.Column("sanction_date", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_code"], ["tenant.code"], name=op.f("fk_project_tenant_code_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("number", name=op.f("uq_project_number")),
        sa.UniqueConstraint("tenant_code", "name", name=op.f("uq_project_tenant_code")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_tenant_code"), ["tenant_code"], unique=False)

    op.create_table(
        "estimate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_code", sa.String(length=40), nullable=False),
        sa.Column("revision_of_id", sa.String(length=36), nullable=True),
        sa.Column("revision_no", sa.Integer(), nullable=False),
        sa.Column("estimate_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_estimate_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["revision_of_id"], ["estimate.id"], name=op.f("fk_estimate_revision_of_id_estimate")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_code"], ["tenant.code"], name=op.f("fk_estimate_tenant_code_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate")),
        sa.UniqueConstraint("number", name=op.f("uq_estimate_number")),
    )
    with op.batch_alter_table("estimate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_estimate_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_estimate_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_estimate_revision_of_id"), ["revision_of_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_estimate_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_estimate_tenant_code"), ["tenant_code"], unique=False)

    op.create_table(
        "estimate_overhead",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("estimate_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("percent", sa.String(length=40), nullable=True),
        sa.Column("lump_sum", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["estimate_id"], ["estimate.id"], name=op.f("fk_estimate_overhead_estimate_id_estimate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_overhead")),
    )
    with op.batch_alter_table("estimate_overhead", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_estimate_overhead_estimate_id"), ["estimate_id"], unique=False
        )

    op.create_table(
        "estimate_line",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("estimate_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("sor_id", sa.String(length=36), nullable=True),
        sa.Column("sor_code", sa.String(length=40), nullable=True),
        sa.Column("rate_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("rate_quantity", sa.String(length=40), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=True),
        sa.Column("labour", sa.String(length=40), nullable=True),
        sa.Column("machinery", sa.String(length=40), nullable=True),
        sa.Column("conveyance", sa.String(length=40), nullable=True),
        sa.Column("royalty", sa.String(length=40), nullable=True),
        sa.Column("dmf", sa.String(length=40), nullable=True),
        sa.Column("emf", sa.String(length=40), nullable=True),
        sa.Column("additional", sa.String(length=40), nullable=True),
        sa.Column("labour_cess", sa.String(length=40), nullable=True),
        sa.Column("origin_line_id", sa.String(length=36), nullable=True),
        sa.Column("used_quantity", sa.String(length=40), nullable=True),
        sa.Column("used_rate", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estimate_id"], ["estimate.id"], name=op.f("fk_estimate_line_estimate_id_estimate")
        ),
        sa.ForeignKeyConstraint(
            ["origin_line_id"],
            ["estimate_line.id"],
            name=op.f("fk_estimate_line_origin_line_id_estimate_line"),
        ),
        sa.ForeignKeyConstraint(
            ["rate_id"], ["sor_rate.id"], name=op.f("fk_estimate_line_rate_id_sor_rate")
        ),
        sa.ForeignKeyConstraint(["sor_id"], ["sor.id"], name=op.f("fk_estimate_line_sor_id_sor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_line")),
    )
    with op.batch_alter_table("estimate_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_estimate_line_estimate_id"), ["estimate_id"], unique=False
        )

    op.create_table(
        "measurement_row",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("line_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("length", sa.String(length=40), nullable=True),
        sa.Column("breadth", sa.String(length=40), nullable=True),
        sa.Column("depth", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["line_id"], ["estimate_line.id"], name=op.f("fk_measurement_row_line_id_estimate_line")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement_row")),
    )
    with op.batch_alter_table("measurement_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measurement_row_line_id"), ["line_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("measurement_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurement_row_line_id"))

    op.drop_table("measurement_row")
    with op.batch_alter_table("estimate_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estimate_line_estimate_id"))

    op.drop_table("estimate_line")
    with op.batch_alter_table("estimate_overhead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estimate_overhead_estimate_id"))

    op.drop_table("estimate_overhead")
    with op.batch_alter_table("estimate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_estimate_tenant_code"))
        batch_op.drop_index(batch_op.f("ix_estimate_status"))
        batch_op.drop_index(batch_op.f("ix_estimate_revision_of_id"))
        batch_op.drop_index(batch_op.f("ix_estimate_project_id"))
        batch_op.drop_index(batch_op.f("ix_estimate_created_by"))

    op.drop_table("estimate")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_tenant_code"))

    op.drop_table("project")
    op.drop_table("estimate_template")
    with op.batch_alter_table("workflow_event", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_event_record")

    op.drop_table("workflow_event")
