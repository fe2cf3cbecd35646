"""What the device keeps for sync (docs/sync-protocol.md): the enrolment, the outbox of
operations for the server, and what it last knew of each record's server copy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime, utcnow


class SyncState(Base):
    """The enrolment of this installation (one row, id 1) and the pull cursor."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(String(300))
    device_id: Mapped[str] = mapped_column(String(36))
    login: Mapped[str] = mapped_column(String(60))
    tenant_code: Mapped[str] = mapped_column(String(60))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cursor: Mapped[str] = mapped_column(String(80), default="")
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class OutboxOperation(Base):
    """One operation for the server, written in the same transaction as the change it
    carries. `seq` numbers the device's operations 1, 2, 3, … and is never reused; the row
    stays until the server acknowledged it and a later pull confirmed it."""

    __tablename__ = "outbox_operation"
    __table_args__ = (
        Index("ix_outbox_operation_record", "record_type", "record_id"),
        Index("ix_outbox_operation_state", "state"),
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20), default="upsert")
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of the record
    action: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of a workflow step
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # PENDING until sent; then the server's answer: applied, duplicate, conflict, locked,
    # rejected (docs/sync-protocol.md §4).
    state: Mapped[str] = mapped_column(String(12), default="PENDING")
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SyncedRecord(Base):
    """The server's copy of a record as this device last saw it (its version is the base
    of the next operation on the record)."""

    __tablename__ = "synced_record"
    __table_args__ = (UniqueConstraint("record_type", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class UploadedPhoto(Base):
    """A photo the server has (uploaded, or found there by its hash): not sent again."""

    __tablename__ = "uploaded_photo"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PulledChange(Base):
    """A change pulled from the server that could not be applied yet (a record it names has
    not arrived, or it would clash with a local record): kept with the reason and tried
    again after every pulled page, so the cursor can move on without losing it."""

    __tablename__ = "pulled_change"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    parked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NumberBlock(Base):
    """Document numbers the server leased this device (docs/sync-protocol.md §7): an
    enrolled device numbers from these, so no two devices make the same number offline."""

    __tablename__ = "number_block"
    __table_args__ = (Index("ix_number_block_series", "prefix", "financial_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    financial_year: Mapped[str] = mapped_column(String(7))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next_value: Mapped[int] = mapped_column(Integer)
    leased_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
