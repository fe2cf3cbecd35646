"""Plain data the SOR services return (no ORM objects leave the services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mukta_desktop.domain.numbers import plain_text, to_str2
from mukta_desktop.domain.sor import RateHeads


@dataclass(frozen=True, slots=True)
class RateInfo:
    id: str
    tenant: str
    tenant_name: str
    effective_from: date
    effective_to: date | None
    heads: RateHeads
    total: Decimal
    source: str

    def to_json(self) -> dict[str, object]:
        return {
            "effective_from": self.effective_from.isoformat(),
            "effective_to": None if self.effective_to is None else self.effective_to.isoformat(),
            "tenant": self.tenant,
            "heads": {k: to_str2(v) for k, v in self.heads.as_dict().items()},
            "total": to_str2(self.total),
        }


@dataclass(frozen=True, slots=True)
class SorRow:
    """One line of a SOR search result."""

    id: str
    code: str
    description: str
    type_code: str
    sub_type_code: str
    variant_code: str
    uom: str
    rate_quantity: Decimal
    status: str
    rate_total: Decimal | None
    rate_effective_from: date | None
    rate_tenant: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "description": self.description,
            "type": self.type_code,
            "sub_type": self.sub_type_code,
            "variant": self.variant_code,
            "uom": self.uom,
            "rate_quantity": plain_text(self.rate_quantity),
            "status": self.status,
            "rate": None if self.rate_total is None else to_str2(self.rate_total),
            "rate_effective_from": None
            if self.rate_effective_from is None
            else self.rate_effective_from.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class SorPage:
    rows: tuple[SorRow, ...]
    total: int  # how many SORs match, beyond this page too


@dataclass(frozen=True, slots=True)
class AnalysisLineInfo:
    code: str
    description: str
    uom: str
    quantity: Decimal
    rate_total: Decimal
    rate_quantity: Decimal
    contribution: RateHeads


@dataclass(frozen=True, slots=True)
class ChargeInfo:
    description: str
    kind: str
    value: Decimal
    head: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AnalysisInfo:
    """A rate analysis as saved (or previewed): lines, charges and the resulting rate."""

    analysis_quantity: Decimal
    effective_from: date
    tenant: str
    lines: tuple[AnalysisLineInfo, ...]
    charges: tuple[ChargeInfo, ...]
    heads: RateHeads
    total: Decimal


@dataclass(frozen=True, slots=True)
class SorDetail:
    id: str
    code: str
    type_code: str
    type_name: str
    sub_type_code: str
    sub_type_name: str
    variant_code: str
    variant_name: str
    uom: str
    rate_quantity: Decimal
    description: str
    status: str
    is_demo: bool
    version: int
    at: date
    tenant: str
    current: RateInfo | None
    history: tuple[RateInfo, ...] = field(default=())
    analysis: AnalysisInfo | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "type": self.type_code,
            "sub_type": self.sub_type_code,
            "variant": self.variant_code,
            "uom": self.uom,
            "rate_quantity": plain_text(self.rate_quantity),
            "description": self.description,
            "status": self.status,
            "demo": self.is_demo,
            "rate": None if self.current is None else self.current.to_json(),
            "history": [
                {
                    "effective_from": r.effective_from.isoformat(),
                    "effective_to": None if r.effective_to is None else r.effective_to.isoformat(),
                    "tenant": r.tenant,
                    "total": to_str2(r.total),
                }
                for r in self.history
            ],
        }
