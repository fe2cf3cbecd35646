"""number blocks leased by the server

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.Column("leased_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_block")),
    )
    op.create_index(
        "ix_number_block_series", "number_block", ["prefix", "financial_year"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_number_block_series", table_name="number_block")
    op.drop_table("number_block")
