"""Projects, detailed and revised estimates, their lines, measurement rows and overheads,
and the workflow events of any record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, DecimalText, UtcDateTime, utcnow


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("tenant_code", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    ward: Mapped[str] = mapped_column(String(60), default="")
    locality: Mapped[str] = mapped_column(String(200), default="")
    sanction_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # OPEN, or CLOSED: a closed project takes no new estimates, work orders or MBs.
    status: Mapped[str] = mapped_column(String(10), default="OPEN", server_default="OPEN")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(60), nullable=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Estimate(Base):
    """A detailed estimate (revision_no 0) or a revision of one (1, 2, ...)."""

    __tablename__ = "estimate"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
    revision_of_id: Mapped[str | None] = mapped_column(
        ForeignKey("estimate.id"), nullable=True, index=True
    )
    revision_no: Mapped[int] = mapped_column(Integer, default=0)
    estimate_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(40), index=True)
    # The grand total as last computed on save, for lists and the inbox (the lines decide).
    total: Mapped[Decimal] = mapped_column(DecimalText, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    lines: Mapped[list[EstimateLine]] = relationship(
        order_by="EstimateLine.position", cascade="all, delete-orphan"
    )
    overheads: Mapped[list[EstimateOverhead]] = relationship(
        order_by="EstimateOverhead.position", cascade="all, delete-orphan"
    )


class EstimateLine(Base):
    """A SOR line (rate frozen from the SOR's rate in force on the estimate date) or a non-SOR
    line (rate typed). Revised lines point at the original line and may keep a used part at
    the original rate."""

    __tablename__ = "estimate_line"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    estimate_id: Mapped[str] = mapped_column(ForeignKey("estimate.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(10))
    sor_id: Mapped[str | None] = mapped_column(ForeignKey("sor.id"), nullable=True)
    sor_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    rate_id: Mapped[str | None] = mapped_column(ForeignKey("sor_rate.id"), nullable=True)
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
    origin_line_id: Mapped[str | None] = mapped_column(
        ForeignKey("estimate_line.id"), nullable=True
    )
    used_quantity: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    used_rate: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    rows: Mapped[list[MeasurementRowRecord]] = relationship(
        order_by="MeasurementRowRecord.position", cascade="all, delete-orphan"
    )


class MeasurementRowRecord(Base):
    __tablename__ = "measurement_row"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    line_id: Mapped[str] = mapped_column(ForeignKey("estimate_line.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    length: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    breadth: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    depth: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)


class EstimateOverhead(Base):
    __tablename__ = "estimate_overhead"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    estimate_id: Mapped[str] = mapped_column(ForeignKey("estimate.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    percent: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    lump_sum: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)


class WorkflowEvent(Base):
    """Who did what when to a record, with their comment: the timeline, never changed."""

    __tablename__ = "workflow_event"
    __table_args__ = (Index("ix_workflow_event_record", "record_type", "record_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_status: Mapped[str] = mapped_column(String(40))
    by_login: Mapped[str] = mapped_column(String(60))
    by_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")


class EstimateTemplate(Base):
    """Lines of an estimate kept to start others from (our canonical estimate JSON)."""

    __tablename__ = "estimate_template"
    __table_args__ = (UniqueConstraint("tenant_code", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
