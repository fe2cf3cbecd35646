"""SORs published by the head office: definitions, immutable dated rates, and the publications
that brought them (docs/sor-sync.md).

A publication is one imported file that changed something; it is numbered per tenant (1, 2,
3, ...) and never changes afterwards. A rate row is never updated or deleted: a newer schedule
adds rows with a later `effective_from`. A definition is kept at its latest version (what each
version was is in the change log, where every publication also went).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, DecimalText, UtcDateTime, utcnow


class SorPublication(Base):
    __tablename__ = "sor_publication"
    __table_args__ = (UniqueConstraint("tenant_code", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Whose rates: the state (od) or one ULB (od.<ulb>). Definitions are the state's only.
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"))
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    # The date given for every rate of the file, or None (each rate's own date, else the day).
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    published_by: Mapped[str] = mapped_column(String(60))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sors_created: Mapped[int] = mapped_column(Integer)
    sors_updated: Mapped[int] = mapped_column(Integer)
    rates_added: Mapped[int] = mapped_column(Integer)


class SorDefinition(Base):
    __tablename__ = "sor_definition"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    type_code: Mapped[str] = mapped_column(String(4))
    sub_type_code: Mapped[str] = mapped_column(String(8))
    variant_code: Mapped[str] = mapped_column(String(8))
    uom_code: Mapped[str] = mapped_column(String(12))
    rate_quantity: Mapped[Decimal] = mapped_column(DecimalText)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    # The publication that made this version of the definition.
    publication_id: Mapped[str] = mapped_column(ForeignKey("sor_publication.id"))


class PublishedRate(Base):
    """One rate of a SOR for a tenant from a date: written once, never changed."""

    __tablename__ = "sor_rate"
    __table_args__ = (UniqueConstraint("sor_id", "tenant_code", "effective_from"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sor_id: Mapped[str] = mapped_column(ForeignKey("sor_definition.id"))
    tenant_code: Mapped[str] = mapped_column(ForeignKey("tenant.code"), index=True)
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
    publication_id: Mapped[str] = mapped_column(ForeignKey("sor_publication.id"), index=True)
