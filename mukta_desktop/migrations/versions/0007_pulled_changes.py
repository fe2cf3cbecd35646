"""pulled changes waiting to be applied

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pulled_change",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record_type", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("parked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_pulled_change")),
    )
    op.create_index(
        op.f("ix_pulled_change_record_id"), "pulled_change", ["record_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pulled_change_record_id"), table_name="pulled_change")
    op.drop_table("pulled_change")
