"""The master lists: loaded from our seed file into a new database, read as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from .database import Database

from mukta_desktop.models import (
    Overhead,
    SorSubType,
    SorTypeRow,
    Tenant,
    Unit,
    UnitAlias,
    Variant,
)
from mukta_desktop.sor_files.vocabulary import read_seed


def ensure_masters(session: Session) -> None:
    """Load the master lists once, into a database that has none."""
    if session.scalar(select(func.count()).select_from(SorTypeRow)):
        return
    seed = read_seed()
    for tenant in seed["tenants"]:
        session.add(
            Tenant(
                code=tenant["code"],
                name=tenant["name"],
                district=tenant["district"],
                grade=tenant["grade"],
            )
        )
    for row in seed["sor_types"]:
        session.add(SorTypeRow(code=row["code"], name=row["name"]))
    session.flush()
    for position, row in enumerate(seed["sor_sub_types"]):
        session.add(
            SorSubType(code=row["code"], type_code=row["type"], name=row["name"], position=position)
        )
    for position, row in enumerate(seed["variants"]):
        session.add(Variant(code=row["code"], name=row["name"], position=position))
    for row in seed["units"]:
        session.add(Unit(code=row["code"], name=row["name"]))
    session.flush()
    for row in seed["units"]:
        for alias in row["aliases"]:
            session.add(UnitAlias(alias=alias.upper(), unit_code=row["code"]))
    for row in seed["overheads"]:
        value = None if row["value"] is None else Decimal(row["value"])
        session.add(
            Overhead(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                value=value,
                active=row["active"],
            )
        )


_TYPE_ORDER = "MLEW"  # the order offices list SOR types in


@dataclass(frozen=True, slots=True)
class CodeName:
    code: str
    name: str
    parent: str = ""  # a sub type's SOR type

    @property
    def label(self) -> str:
        return f"{self.code} - {self.name}"


@dataclass(frozen=True, slots=True)
class OverheadInfo:
    code: str
    name: str
    kind: str
    value: Decimal | None
    active: bool


@dataclass(frozen=True, slots=True)
class Masters:
    """Every master list, for forms and filters."""

    sor_types: tuple[CodeName, ...]
    sub_types: tuple[CodeName, ...]
    variants: tuple[CodeName, ...]
    units: tuple[CodeName, ...]
    unit_aliases: dict[str, str]
    tenants: tuple[CodeName, ...]
    overheads: tuple[OverheadInfo, ...]

    def sub_types_of(self, type_code: str) -> tuple[CodeName, ...]:
        return tuple(s for s in self.sub_types if s.parent == type_code)

    def tenant_name(self, code: str) -> str:
        return next((t.name for t in self.tenants if t.code == code), code)


def read_masters(db: Database) -> Masters:
    """Every master list, read in its own session."""
    with db.read() as session:
        return load_masters(session)


def load_masters(session: Session) -> Masters:
    return Masters(
        sor_types=tuple(
            sorted(
                (CodeName(r.code, r.name) for r in session.scalars(select(SorTypeRow))),
                key=lambda t: _TYPE_ORDER.find(t.code) % 99,
            )
        ),
        sub_types=tuple(
            CodeName(r.code, r.name, r.type_code)
            for r in session.scalars(select(SorSubType).order_by(SorSubType.position))
        ),
        variants=tuple(
            CodeName(r.code, r.name)
            for r in session.scalars(select(Variant).order_by(Variant.position))
        ),
        units=tuple(
            CodeName(r.code, r.name) for r in session.scalars(select(Unit).order_by(Unit.code))
        ),
        unit_aliases={a.alias: a.unit_code for a in session.scalars(select(UnitAlias))},
        tenants=tuple(
            CodeName(r.code, r.name, r.district)
            for r in session.scalars(select(Tenant).order_by(Tenant.code))
        ),
        overheads=tuple(
            OverheadInfo(r.code, r.name, r.kind, r.value, r.active)
            for r in session.scalars(select(Overhead).order_by(Overhead.code))
        ),
    )
