"""Rate analysis (composition): a works SOR's rate derived from basic SORs.

DESIGN.md §2: for an analysis quantity Q, a basic item b with quantity q_b whose rate is per
S_b units, each head amount A contributes round2(round2(A × q_b / Q) / S_b); heads are summed
over all lines, extra charges are added, then labour cess. Example: Q = 100; material heads
MA 100, CA 20, RA 5 (S = 1, q = 2) → 2.00, 0.40, 0.10; labour LA 400 (q = 4) → 16.00;
sum 18.50; cess 0.19; rate 18.69.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .errors import ValidationError
from .numbers import HUNDRED, ONE, ZERO, round2
from .sor import DEFAULT_LABOUR_CESS_PERCENT, INPUT_HEADS, RateHeads, SorType, labour_cess


class ChargeKind(enum.StrEnum):
    FIXED = "FIXED"
    PERCENT = "PERCENT"


@dataclass(frozen=True, slots=True)
class AnalysisLine:
    """One basic SOR in an analysis: its code, the quantity used, its rate heads and S_b."""

    code: str
    quantity: Decimal
    heads: RateHeads
    rate_quantity: Decimal = ONE


@dataclass(frozen=True, slots=True)
class ExtraCharge:
    """An extra charge: a fixed amount or a percentage of the heads, booked to one head."""

    description: str
    kind: ChargeKind
    value: Decimal
    head: str = "additional"


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    heads: RateHeads
    line_heads: tuple[RateHeads, ...]
    charges: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return self.heads.total


def analyse(
    analysis_quantity: Decimal,
    lines: Sequence[AnalysisLine],
    charges: Sequence[ExtraCharge] = (),
    cess_percent: Decimal = DEFAULT_LABOUR_CESS_PERCENT,
) -> AnalysisResult:
    """Compute the per-unit head-wise rate of a works item from its analysis."""
    if analysis_quantity <= ZERO:
        raise ValidationError(
            "The analysis quantity must be above zero.", field="analysis_quantity"
        )
    if not lines:
        raise ValidationError("A rate analysis needs at least one basic SOR line.", field="lines")
    sums = dict.fromkeys(INPUT_HEADS, ZERO)
    per_line: list[RateHeads] = []
    for number, line in enumerate(lines, start=1):
        if line.quantity <= ZERO:
            raise ValidationError(
                f"Line {number} ({line.code}): quantity must be above zero.", field="quantity"
            )
        if line.rate_quantity <= ZERO:
            raise ValidationError(
                f"Line {number} ({line.code}): the rate's defined quantity must be above zero."
            )
        contribution = {
            head: round2(
                round2(getattr(line.heads, head) * line.quantity / analysis_quantity)
                / line.rate_quantity
            )
            for head in INPUT_HEADS
        }
        # A basic item's own labour cess (none for M/L/E) is not carried over: the works
        # item's cess is computed afresh on its own heads below.
        per_line.append(RateHeads(**contribution))
        for head, amount in contribution.items():
            sums[head] += amount
    base = RateHeads(**sums)
    base_total = base.sum_without_cess()
    charge_amounts: list[Decimal] = []
    for charge in charges:
        if charge.head not in INPUT_HEADS:
            raise ValidationError(
                f"Extra charge '{charge.description}': unknown head {charge.head}."
            )
        if charge.value < ZERO:
            raise ValidationError(f"Extra charge '{charge.description}' may not be negative.")
        amount = (
            round2(base_total * charge.value / HUNDRED)
            if charge.kind is ChargeKind.PERCENT
            else round2(charge.value)
        )
        charge_amounts.append(amount)
        sums[charge.head] += amount
    with_charges = RateHeads(**sums)
    final = with_charges.with_cess(labour_cess(with_charges, cess_percent))
    return AnalysisResult(final, tuple(per_line), tuple(charge_amounts))


__all__ = ["AnalysisLine", "AnalysisResult", "ChargeKind", "ExtraCharge", "SorType", "analyse"]
