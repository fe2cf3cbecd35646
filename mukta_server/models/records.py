"""Records pushed by devices, the answer given to each device operation, and operations
held for people (conflict, locked, rejected): kept whole, never dropped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime, utcnow


class Record(Base):
    """The server's copy of a record: its canonical JSON, version and content hash."""

    __tablename__ = "record"
    __table_args__ = (
        Index("ix_record_tenant_code_record_type", "tenant_code", "record_type"),
        # A number is one record's per ULB and type (checked on every push).
        Index("ix_record_number", "tenant_code", "record_type", "number"),
    )

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    number: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by_device: Mapped[str] = mapped_column(String(36))


class DeviceOperation(Base):
    """The answer given to operation `seq` of a device: a replay gets it again. The primary
    key makes two concurrent copies of one operation apply once."""

    __tablename__ = "device_operation"

    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HeldOperation(Base):
    """An incoming operation the server did not apply, kept whole with the reasons."""

    __tablename__ = "held_operation"
    __table_args__ = (Index("ix_held_operation_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    operation: Mapped[str] = mapped_column(Text)  # the whole incoming operation, as JSON
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
