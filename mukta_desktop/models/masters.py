"""Master lists: tenants, SOR types, sub types, variants, units, overheads."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, DecimalText


class Tenant(Base):
    __tablename__ = "tenant"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(120), default="")
    grade: Mapped[str] = mapped_column(String(60), default="")


class SorTypeRow(Base):
    __tablename__ = "sor_type"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))


class SorSubType(Base):
    __tablename__ = "sor_sub_type"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("sor_type.code"))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Variant(Base):
    __tablename__ = "variant"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Unit(Base):
    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))


class UnitAlias(Base):
    """Other spellings of a unit accepted on import (QTL for QNTL, MTR for RMT, ...)."""

    __tablename__ = "unit_alias"
    alias: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))


class Overhead(Base):
    __tablename__ = "overhead"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))  # PERCENT or LUMPSUM
    value: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
