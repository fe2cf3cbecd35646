"""The server's change log: what pull hands out, in server sequence order (sync-protocol §5).

`change.seq` comes from the `change_counter` row, updated inside the transaction that writes
the change: that row lock makes sequence numbers become visible in number order, so a reader
never sees change 12 while change 11 is still uncommitted.
Filled through `change_log.append_change`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime, utcnow

# The name of the counter row that numbers `change.seq` (created by migration 0001).
CHANGE_SEQ = "change_seq"


class ChangeCounter(Base):
    __tablename__ = "change_counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Change(Base):
    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_tenant_code_seq", "tenant_code", "seq"),
        Index("ix_change_record", "record_type", "record_id"),
    )

    # Handed out from ChangeCounter, never by the database: no autoincrement.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    # The workflow step(s) that made this version (JSON), so other devices can show who
    # did what with which comment; None for changes without a step.
    action: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
