"""approved records hardened: REPLACE guarded, timeline append-only, approver in the MB

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_REFUSAL = "'An approved Measurement Book never changes.'"
_TIMELINE = "'The timeline of a record is never changed.'"
# INSERT OR REPLACE removes the row it replaces without firing DELETE triggers (unless the
# connection turns recursive triggers on, which a tool behind the app's back need not do):
# refuse an insert that would replace a row of an approved MB.
_EXISTING_APPROVED = {
    "measurement_book_approved_no_replace": (
        "BEFORE INSERT ON measurement_book WHEN EXISTS (SELECT 1 FROM measurement_book "
        "WHERE (id = NEW.id OR number = NEW.number) AND status = 'APPROVED')"
    ),
    "mb_line_approved_no_replace": (
        "BEFORE INSERT ON mb_line WHEN EXISTS (SELECT 1 FROM mb_line l JOIN measurement_book b "
        "ON b.id = l.mb_id WHERE l.id = NEW.id AND b.status = 'APPROVED')"
    ),
    "mb_row_approved_no_replace": (
        "BEFORE INSERT ON mb_row WHEN EXISTS (SELECT 1 FROM mb_row r JOIN mb_line l "
        "ON l.id = r.line_id JOIN measurement_book b ON b.id = l.mb_id "
        "WHERE r.id = NEW.id AND b.status = 'APPROVED')"
    ),
    "mb_photo_approved_no_replace": (
        "BEFORE INSERT ON mb_photo WHEN EXISTS (SELECT 1 FROM mb_photo p JOIN measurement_book b "
        "ON b.id = p.mb_id WHERE (p.id = NEW.id OR (p.mb_id = NEW.mb_id AND p.sha256 = "
        "NEW.sha256)) AND b.status = 'APPROVED')"
    ),
}
_TIMELINE_TRIGGERS = {
    "workflow_event_no_update": "BEFORE UPDATE ON workflow_event",
    "workflow_event_no_delete": "BEFORE DELETE ON workflow_event",
    "workflow_event_no_replace": (
        "BEFORE INSERT ON workflow_event WHEN EXISTS (SELECT 1 FROM workflow_event "
        "WHERE id = NEW.id)"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("measurement_book", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_by", sa.String(length=60), nullable=True))
    for name, when in _EXISTING_APPROVED.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, {_REFUSAL}); END")
    for name, when in _TIMELINE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, {_TIMELINE}); END")


def downgrade() -> None:
    for name in (*_EXISTING_APPROVED, *_TIMELINE_TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    # A plain DROP COLUMN: a batch (copy and rename) of the table would trip over the
    # triggers of 0003 that name it.
    op.execute("ALTER TABLE measurement_book DROP COLUMN approved_by")
