"""Schedule of Rates rules: rate heads, labour cess, totals, amounts, effective-rate choice.

DESIGN.md §2 "SOR rate". Examples: FL00001 heads 4976.38 → cess 49.76 → total 5026.14;
heads summing to 4976.50 → cess 49.77 (49.765 rounds up).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

from .errors import ValidationError
from .numbers import HUNDRED, ONE, ZERO, round2

STATE_TENANT = "od"
DEFAULT_LABOUR_CESS_PERCENT = ONE


class SorType(enum.StrEnum):
    MATERIAL = "M"
    LABOUR = "L"
    MACHINERY = "E"
    WORKS = "W"

    @property
    def label(self) -> str:
        return {"M": "Material", "L": "Labour", "E": "Machinery", "W": "Works"}[self.value]


class SorStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


# Head keys in the order offices print them, with their labels.
HEAD_LABELS: dict[str, str] = {
    "material": "Basic material",
    "labour": "Basic labour",
    "machinery": "Basic machinery",
    "conveyance": "Conveyance",
    "royalty": "Royalty",
    "dmf": "District Mineral Fund",
    "emf": "Exploration Mineral Fund",
    "additional": "Additional charges",
    "labour_cess": "Labour cess",
}
# Heads a user types; labour cess is always computed for works items.
INPUT_HEADS: tuple[str, ...] = tuple(k for k in HEAD_LABELS if k != "labour_cess")
# Heads counted as material cost in an estimate's analysis (DESIGN.md §2 "Estimate").
MATERIAL_COST_HEADS: tuple[str, ...] = (
    "material",
    "conveyance",
    "royalty",
    "dmf",
    "emf",
    "additional",
    "labour_cess",
)


@dataclass(frozen=True, slots=True)
class RateHeads:
    """Head-wise amounts of one rate, each in rupees with at most 2 decimals."""

    material: Decimal = ZERO
    labour: Decimal = ZERO
    machinery: Decimal = ZERO
    conveyance: Decimal = ZERO
    royalty: Decimal = ZERO
    dmf: Decimal = ZERO
    emf: Decimal = ZERO
    additional: Decimal = ZERO
    labour_cess: Decimal = ZERO

    def as_dict(self) -> dict[str, Decimal]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, values: dict[str, Decimal]) -> RateHeads:
        unknown = set(values) - set(HEAD_LABELS)
        if unknown:
            raise ValidationError(f"Unknown rate head(s): {', '.join(sorted(unknown))}.")
        return cls(**values)

    def sum_without_cess(self) -> Decimal:
        return sum((getattr(self, k) for k in INPUT_HEADS), ZERO)

    @property
    def total(self) -> Decimal:
        """Total of the rate = sum of all heads, 2 decimals."""
        return round2(self.sum_without_cess() + self.labour_cess)

    def with_cess(self, cess: Decimal) -> RateHeads:
        return replace(self, labour_cess=cess)


def labour_cess(heads: RateHeads, percent: Decimal = DEFAULT_LABOUR_CESS_PERCENT) -> Decimal:
    """Labour cess of a works rate: `percent` % of all other heads, half-up to paise."""
    return round2(heads.sum_without_cess() * percent / HUNDRED)


def complete_heads(
    sor_type: SorType,
    heads: RateHeads,
    cess_percent: Decimal = DEFAULT_LABOUR_CESS_PERCENT,
) -> RateHeads:
    """The heads of a rate with labour cess computed (works) or zero (M/L/E)."""
    if sor_type is SorType.WORKS:
        return heads.with_cess(labour_cess(heads, cess_percent))
    return heads.with_cess(ZERO)


def check_heads(heads: RateHeads) -> None:
    """Every head is a non-negative amount with at most 2 decimals; at least one is positive."""
    for name, value in heads.as_dict().items():
        label = HEAD_LABELS[name]
        if value < ZERO:
            raise ValidationError(f"{label} may not be negative (got {value}).", field=name)
        if round2(value) != value:
            raise ValidationError(f"{label} has more than 2 decimals (got {value}).", field=name)
    if heads.total <= ZERO:
        raise ValidationError("A rate needs at least one head above zero.", field="material")


def line_amount(quantity: Decimal, rate: Decimal, rate_quantity: Decimal = ONE) -> Decimal:
    """Amount of `quantity` at `rate` defined per `rate_quantity` units, half-up to paise."""
    if rate_quantity <= ZERO:
        raise ValidationError("The quantity a rate is defined for must be above zero.")
    return round2(quantity * rate / rate_quantity)


@dataclass(frozen=True, slots=True)
class DatedRate:
    """What effective-rate selection needs of a stored rate."""

    tenant: str
    effective_from: date
    total: Decimal
    key: object = None  # the caller's identifier (a database id), passed through untouched


def effective_rate(
    rates: Iterable[DatedRate], at: date, tenant: str = STATE_TENANT
) -> DatedRate | None:
    """The rate in force at `at` for `tenant`.

    A ULB's own rate series wins over the state series for that ULB; within a series the
    latest rate with effective_from ≤ at applies.
    """
    ulb_best: DatedRate | None = None
    state_best: DatedRate | None = None
    for rate in rates:
        if rate.effective_from > at:
            continue
        if rate.tenant == tenant and tenant != STATE_TENANT:
            ulb_best = _later(ulb_best, rate)
        elif rate.tenant == STATE_TENANT:
            state_best = _later(state_best, rate)
    return ulb_best or state_best


def _later(best: DatedRate | None, rate: DatedRate) -> DatedRate:
    return rate if best is None or rate.effective_from > best.effective_from else best


@dataclass(frozen=True, slots=True)
class RatePeriod:
    effective_from: date
    effective_to: date | None
    rate: DatedRate


def rate_periods(rates: Sequence[DatedRate]) -> list[RatePeriod]:
    """One tenant's rates as periods, newest first; each ends the day before the next."""
    ordered = sorted(rates, key=lambda r: r.effective_from)
    periods: list[RatePeriod] = []
    for index, rate in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        end = (
            None
            if following is None
            else date.fromordinal(following.effective_from.toordinal() - 1)
        )
        periods.append(RatePeriod(rate.effective_from, end, rate))
    periods.reverse()
    return periods


def check_new_rate_date(
    effective_from: date,
    latest_in_series: date | None,
    *,
    today: date,
    allow_past: bool = False,
) -> None:
    """A new rate starts today or later (a bulk load of an official schedule may be past),
    and never on or before the latest rate of the same series: history is never rewritten."""
    if not allow_past and effective_from < today:
        raise ValidationError(
            f"Effective from {effective_from:%d/%m/%Y} is in the past; "
            f"a new rate starts today ({today:%d/%m/%Y}) or later.",
            field="effective_from",
        )
    if latest_in_series is not None and effective_from <= latest_in_series:
        raise ValidationError(
            f"Effective from {effective_from:%d/%m/%Y} is not after the latest rate "
            f"({latest_in_series:%d/%m/%Y}); rate history is never rewritten.",
            field="effective_from",
        )
