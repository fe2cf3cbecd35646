"""Work orders and Measurement Books: the lines an MB measures, its measurement rows and its
site photos. An approved MB never changes: triggers in the database refuse it (migration
0003), whatever path a change takes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, DecimalText, UtcDateTime, utcnow


class WorkOrder(Base):
    """A contract that awards an approved estimate's lines to an organisation (a CBO). It
    follows the estimate in force: the latest approved revision of `estimate_id`."""

    __tablename__ = "work_order"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    estimate_id: Mapped[str] = mapped_column(ForeignKey("estimate.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    work_order_date: Mapped[date] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    period_days: Mapped[int] = mapped_column(Integer, default=7)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class MeasurementBook(Base):
    __tablename__ = "measurement_book"
    __table_args__ = (Index("ix_measurement_book_period", "work_order_id", "period_start"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_order.id"), index=True)
    # The estimate in force when the MB was last saved (its quantities set the ceiling).
    estimate_id: Mapped[str] = mapped_column(ForeignKey("estimate.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    measurement_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(40), index=True)
    remarks: Mapped[str] = mapped_column(Text, default="")
    # This MB's total and the total up to date, as last computed (the lines decide).
    total: Mapped[Decimal] = mapped_column(DecimalText, default=Decimal(0))
    cumulative_total: Mapped[Decimal] = mapped_column(DecimalText, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set on approval: the SHA-256 of the canonical JSON, chained to the previous approved MB.
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(60), nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MbLine(Base):
    """A work-order line as this MB measures it, with the figures it was measured against."""

    __tablename__ = "mb_line"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mb_id: Mapped[str] = mapped_column(ForeignKey("measurement_book.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(36), index=True)
    estimate_line_id: Mapped[str] = mapped_column(ForeignKey("estimate_line.id"))
    category: Mapped[str] = mapped_column(String(10))
    sor_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20))
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    rate_quantity: Mapped[Decimal] = mapped_column(DecimalText)
    material: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    labour: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    machinery: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    conveyance: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    royalty: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    dmf: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    emf: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    additional: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    labour_cess: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    estimate_quantity: Mapped[Decimal] = mapped_column(DecimalText)
    previous_quantity: Mapped[Decimal] = mapped_column(DecimalText)
    previous_amount: Mapped[Decimal] = mapped_column(DecimalText)
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    amount: Mapped[Decimal] = mapped_column(DecimalText)
    remarks: Mapped[str] = mapped_column(Text, default="")


class MbRow(Base):
    __tablename__ = "mb_row"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    line_id: Mapped[str] = mapped_column(ForeignKey("mb_line.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    length: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    breadth: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    depth: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)


class MbPhoto(Base):
    """A site photo of an MB. The picture itself is a file named by its SHA-256 under the
    data directory's photos/; the thumbnail is kept here to list photos without the files."""

    __tablename__ = "mb_photo"
    __table_args__ = (UniqueConstraint("mb_id", "sha256"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mb_id: Mapped[str] = mapped_column(ForeignKey("measurement_book.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    stored_bytes: Mapped[int] = mapped_column(Integer)
    original_sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(260))
    original_bytes: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    latitude: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    longitude: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    added_by: Mapped[str] = mapped_column(String(60))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
