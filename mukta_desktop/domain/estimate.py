"""Estimate figures: line quantities and amounts, overheads, totals, cost analysis.

DESIGN.md §2 "Estimate". A line's quantity comes from its measurement rows; its amount is
round2(quantity × rate ÷ rate quantity), except on a revised line whose already-measured
("used") quantity keeps the original rate: round2(used × used_rate ÷ rq) +
round2((quantity − used) × rate ÷ rq). Percentage overheads (Supervision Charge 7.5 %, GST
18 %) are taken on the SOR + non-SOR total; lump sums are typed. Total = SOR + non-SOR +
overheads, stored exact, shown in whole rupees too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import ValidationError
from .measurements import MeasurementRow, item_quantity
from .numbers import HUNDRED, ONE, ZERO, round2, round_rupees
from .sor import MATERIAL_COST_HEADS, RateHeads, line_amount


class LineCategory(enum.StrEnum):
    SOR = "SOR"
    NON_SOR = "NON-SOR"


class OverheadKind(enum.StrEnum):
    PERCENT = "PERCENT"
    LUMPSUM = "LUMPSUM"


LUMP_SUM_CODE = "LS"  # a lump sum typed on the estimate; may appear more than once


@dataclass(frozen=True, slots=True)
class Line:
    """One estimate line with what its figures need."""

    category: LineCategory
    description: str
    unit: str
    rate: Decimal
    rows: tuple[MeasurementRow, ...] = ()
    rate_quantity: Decimal = ONE
    sor_code: str | None = None
    heads: RateHeads | None = None  # the SOR rate's heads, for the cost analysis
    used_quantity: Decimal | None = None  # revised lines: quantity measured in approved MBs
    used_rate: Decimal | None = None  # ... and the original rate it keeps

    @property
    def quantity(self) -> Decimal:
        return item_quantity(self.rows)

    @property
    def amount(self) -> Decimal:
        return line_amount_with_used(
            self.quantity, self.rate, self.rate_quantity, self.used_quantity, self.used_rate
        )


def line_amount_with_used(
    quantity: Decimal,
    rate: Decimal,
    rate_quantity: Decimal,
    used_quantity: Decimal | None = None,
    used_rate: Decimal | None = None,
) -> Decimal:
    """The amount of a line; a used part (revisions) is priced at its original rate."""
    if used_quantity is None or used_rate is None or used_quantity == ZERO:
        return line_amount(quantity, rate, rate_quantity)
    return line_amount(used_quantity, used_rate, rate_quantity) + line_amount(
        quantity - used_quantity, rate, rate_quantity
    )


@dataclass(frozen=True, slots=True)
class Overhead:
    code: str
    description: str
    kind: OverheadKind
    percent: Decimal | None = None
    lump_sum: Decimal | None = None

    def amount_on(self, base: Decimal) -> Decimal:
        if self.kind is OverheadKind.PERCENT:
            assert self.percent is not None
            return round2(base * self.percent / HUNDRED)
        return round2(self.lump_sum or ZERO)


def check_overheads(overheads: Sequence[Overhead]) -> None:
    """Each overhead code once (lump sums typed on the estimate may repeat)."""
    seen: set[str] = set()
    for overhead in overheads:
        if overhead.code != LUMP_SUM_CODE and overhead.code in seen:
            raise ValidationError(
                f"Overhead {overhead.code} ({overhead.description}) is already on the estimate;"
                " each overhead is added once.",
                field="overheads",
            )
        seen.add(overhead.code)
        if overhead.kind is OverheadKind.PERCENT and (
            overhead.percent is None or not ZERO <= overhead.percent <= HUNDRED
        ):
            raise ValidationError(
                f"Overhead '{overhead.description}': a percentage from 0 to 100.",
                field="overheads",
            )
        if overhead.kind is OverheadKind.LUMPSUM and (
            overhead.lump_sum is None or overhead.lump_sum < ZERO
        ):
            raise ValidationError(
                f"Overhead '{overhead.description}': type the lump sum (0 or more).",
                field="overheads",
            )


@dataclass(frozen=True, slots=True)
class CostAnalysis:
    material: Decimal = ZERO
    labour: Decimal = ZERO
    machinery: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Totals:
    line_amounts: tuple[Decimal, ...]
    sor_total: Decimal
    non_sor_total: Decimal
    overhead_amounts: tuple[Decimal, ...]
    overhead_total: Decimal
    total: Decimal
    analysis: CostAnalysis = field(default_factory=CostAnalysis)
    line_quantities: tuple[Decimal, ...] = ()  # each line's quantity, as computed once

    @property
    def total_rupees(self) -> Decimal:
        """The grand total as shown in whole rupees (half-up); the stored total is exact."""
        return round_rupees(self.total)


def line_analysis(line: Line, quantity: Decimal | None = None) -> CostAnalysis:
    """Material, labour and machinery cost of a SOR line from its rate's heads × quantity
    (`quantity`: the line's quantity when the caller has it already)."""
    if line.heads is None or line.category is not LineCategory.SOR:
        return CostAnalysis()
    if quantity is None:
        quantity = line.quantity
    heads = line.heads.as_dict()
    material = sum((heads[h] for h in MATERIAL_COST_HEADS), ZERO)

    def part(amount: Decimal) -> Decimal:
        return line_amount(quantity, amount, line.rate_quantity)

    return CostAnalysis(part(material), part(heads["labour"]), part(heads["machinery"]))


def compute(lines: Sequence[Line], overheads: Sequence[Overhead]) -> Totals:
    """Every figure of an estimate from its lines and overheads."""
    # Each line's quantity once: an estimate holds thousands of measurement rows.
    quantities = tuple(line.quantity for line in lines)
    amounts = tuple(
        line_amount_with_used(q, line.rate, line.rate_quantity, line.used_quantity, line.used_rate)
        for line, q in zip(lines, quantities, strict=True)
    )
    sor_total = sum(
        (a for line, a in zip(lines, amounts, strict=True) if line.category is LineCategory.SOR),
        ZERO,
    )
    non_sor_total = sum(
        (
            a
            for line, a in zip(lines, amounts, strict=True)
            if line.category is LineCategory.NON_SOR
        ),
        ZERO,
    )
    base = sor_total + non_sor_total
    overhead_amounts = tuple(o.amount_on(base) for o in overheads)
    overhead_total = sum(overhead_amounts, ZERO)
    return Totals(
        line_amounts=amounts,
        sor_total=sor_total,
        non_sor_total=non_sor_total,
        overhead_amounts=overhead_amounts,
        overhead_total=overhead_total,
        total=base + overhead_total,
        analysis=sum_analysis(
            line_analysis(line, q) for line, q in zip(lines, quantities, strict=True)
        ),
        line_quantities=quantities,
    )


def sum_analysis(parts: Iterable[CostAnalysis]) -> CostAnalysis:
    material = labour = machinery = ZERO
    for part in parts:
        material += part.material
        labour += part.labour
        machinery += part.machinery
    return CostAnalysis(material, labour, machinery)


def check_has_lines(lines: Sequence[Line]) -> None:
    if not lines:
        raise ValidationError("An estimate needs at least one SOR or non-SOR line.", field="lines")
