"""initial: tenants, users, devices, and the change log with its counter

Revision ID: 0001
Revises:
Create Date: 2026-11-22 03:48:33.227878
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Instants: timestamptz on PostgreSQL; on SQLite, naive UTC text (mukta_server.models.base).
Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tenant")),
    )
    op.create_table(
        "server_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tenant_code", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.String(length=400), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_code"], ["tenant.code"], name=op.f("fk_server_user_tenant_code_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_user")),
        sa.UniqueConstraint("login", name=op.f("uq_server_user_login")),
    )
    with op.batch_alter_table("server_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_server_user_tenant_code"), ["tenant_code"], unique=False
        )

    op.create_table(
        "device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_login", sa.String(length=60), nullable=False),
        sa.Column("tenant_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("last_seen_at", Instant, nullable=True),
        sa.Column("revoked_at", Instant, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_code"], ["tenant.code"], name=op.f("fk_device_tenant_code_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["user_login"], ["server_user.login"], name=op.f("fk_device_user_login_server_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_token_hash")),
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_tenant_code"), ["tenant_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_user_login"), ["user_login"], unique=False)

    counter = op.create_table(
        "change_counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counter")),
    )
    # The one counter row: writers UPDATE it (never INSERT), so it must exist from the start.
    op.bulk_insert(counter, [{"name": "change_seq", "value": 0}])

    op.create_table(
        "change",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tenant_code", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_code"], ["tenant.code"], name=op.f("fk_change_tenant_code_tenant")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_record", ["record_type", "record_id"], unique=False)
        batch_op.create_index("ix_change_tenant_code_seq", ["tenant_code", "seq"], unique=False)


def downgrade() -> None:
    op.drop_table("change")
    op.drop_table("change_counter")
    op.drop_table("device")
    op.drop_table("server_user")
    op.drop_table("tenant")
