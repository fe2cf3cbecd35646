"""records found by number

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 06:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_record_number", "record", ["tenant_code", "record_type", "number"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_record_number", table_name="record")
