"""SOR items, their dated rates and rate analyses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, DecimalText, UtcDateTime, utcnow


class Sor(Base):
    __tablename__ = "sor"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("sor_type.code"), index=True)
    sub_type_code: Mapped[str] = mapped_column(ForeignKey("sor_sub_type.code"), index=True)
    variant_code: Mapped[str] = mapped_column(ForeignKey("variant.code"))
    uom_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    rate_quantity: Mapped[Decimal] = mapped_column(DecimalText)
    description: Mapped[str] = mapped_column(Text)
    # Lower-cased code and description, what as-you-type search scans.
    search_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="ACTIVE", index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    rates: Mapped[list[SorRate]] = relationship(
        back_populates="sor", order_by="SorRate.effective_from", cascade="all, delete-orphan"
    )


class SorRate(Base):
    """One rate of a SOR for a tenant (the state `od` or a ULB), from a date."""

    __tablename__ = "sor_rate"
    __table_args__ = (
        UniqueConstraint("sor_id", "tenant_code", "effective_from"),
        Index("ix_sor_rate_lookup", "sor_id", "tenant_code", "effective_from"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sor_id: Mapped[str] = mapped_column(ForeignKey("sor.id"))
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    effective_from: Mapped[date] = mapped_column(Date)
    material: Mapped[Decimal] = mapped_column(DecimalText)
    labour: Mapped[Decimal] = mapped_column(DecimalText)
    machinery: Mapped[Decimal] = mapped_column(DecimalText)
    conveyance: Mapped[Decimal] = mapped_column(DecimalText)
    royalty: Mapped[Decimal] = mapped_column(DecimalText)
    dmf: Mapped[Decimal] = mapped_column(DecimalText)
    emf: Mapped[Decimal] = mapped_column(DecimalText)
    additional: Mapped[Decimal] = mapped_column(DecimalText)
    labour_cess: Mapped[Decimal] = mapped_column(DecimalText)
    total: Mapped[Decimal] = mapped_column(DecimalText)
    source: Mapped[str] = mapped_column(String(20))  # MANUAL, IMPORT, ANALYSIS, DEMO
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    sor: Mapped[Sor] = relationship(back_populates="rates")


class RateAnalysis(Base):
    """The composition of a works SOR's rate from basic SORs, saved with the rate it made."""

    __tablename__ = "rate_analysis"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sor_id: Mapped[str] = mapped_column(ForeignKey("sor.id"), index=True)
    rate_id: Mapped[str | None] = mapped_column(ForeignKey("sor_rate.id"), nullable=True)
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    effective_from: Mapped[date] = mapped_column(Date)
    analysis_quantity: Mapped[Decimal] = mapped_column(DecimalText)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    lines: Mapped[list[RateAnalysisLine]] = relationship(
        order_by="RateAnalysisLine.position", cascade="all, delete-orphan"
    )
    charges: Mapped[list[RateAnalysisCharge]] = relationship(
        order_by="RateAnalysisCharge.position", cascade="all, delete-orphan"
    )


class RateAnalysisLine(Base):
    __tablename__ = "rate_analysis_line"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("rate_analysis.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    basic_sor_id: Mapped[str] = mapped_column(ForeignKey("sor.id"))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    # The basic SOR's rate used, kept so the analysis can be shown as it was.
    basic_rate_id: Mapped[str] = mapped_column(ForeignKey("sor_rate.id"))


class RateAnalysisCharge(Base):
    __tablename__ = "rate_analysis_charge"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("rate_analysis.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # FIXED or PERCENT
    value: Mapped[Decimal] = mapped_column(DecimalText)
    head: Mapped[str] = mapped_column(String(20))
