"""Deviation statement: a revised estimate against the estimate it revises.

Per item: original quantity and amount, revised quantity and amount, the excess or saving in
quantity and rupees, the deviation % and Less / Excess / Nil, with the engineer's reason.
Items only in the revision are extra items; items dropped from it show a revised quantity of
nothing. Amounts are shown in whole rupees, as offices print them (a real statement: earthwork
160.98 × 38.85 = 6254 → 33.00 → 5312, less 942).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .numbers import HUNDRED, ZERO, round2, round_rupees


class Verdict(enum.StrEnum):
    LESS = "Less"
    EXCESS = "Excess"
    NIL = "Nil"


@dataclass(frozen=True, slots=True)
class ItemPair:
    """One item as it stands in the original and in the revision (None where absent)."""

    code: str | None
    description: str
    unit: str
    rate: Decimal
    original_quantity: Decimal | None
    original_amount: Decimal | None
    revised_quantity: Decimal | None
    revised_amount: Decimal | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DeviationRow:
    number: int
    code: str | None
    description: str
    unit: str
    rate: Decimal
    original_quantity: Decimal
    original_amount: Decimal  # whole rupees
    revised_quantity: Decimal
    revised_amount: Decimal  # whole rupees
    quantity_change: Decimal  # revised − original (negative: a saving)
    amount_change: Decimal  # whole rupees
    percent: Decimal | None  # None for an extra item (nothing to compare with)
    verdict: Verdict
    reason: str
    extra: bool
    removed: bool

    @property
    def less(self) -> Decimal:
        return -self.amount_change if self.amount_change < ZERO else ZERO

    @property
    def excess(self) -> Decimal:
        return self.amount_change if self.amount_change > ZERO else ZERO


@dataclass(frozen=True, slots=True)
class OverheadRow:
    description: str
    original_amount: Decimal
    revised_amount: Decimal

    @property
    def amount_change(self) -> Decimal:
        return self.revised_amount - self.original_amount


@dataclass(frozen=True, slots=True)
class Statement:
    rows: tuple[DeviationRow, ...]
    overheads: tuple[OverheadRow, ...]
    original_total: Decimal
    revised_total: Decimal

    @property
    def total_change(self) -> Decimal:
        return self.revised_total - self.original_total

    @property
    def total_less(self) -> Decimal:
        return sum((r.less for r in self.rows), ZERO)

    @property
    def total_excess(self) -> Decimal:
        return sum((r.excess for r in self.rows), ZERO)

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.original_total, self.revised_total)


def _percent(original: Decimal, revised: Decimal) -> Decimal | None:
    if original == ZERO:
        return None
    return round2((revised - original) * HUNDRED / original)


def build_statement(
    items: Sequence[ItemPair], overheads: Sequence[tuple[str, Decimal, Decimal]] = ()
) -> Statement:
    """The statement from item pairs and (description, original, revised) overhead amounts."""
    rows: list[DeviationRow] = []
    for number, item in enumerate(items, start=1):
        original_quantity = item.original_quantity or ZERO
        revised_quantity = item.revised_quantity or ZERO
        original_amount = round_rupees(item.original_amount or ZERO)
        revised_amount = round_rupees(item.revised_amount or ZERO)
        change = revised_amount - original_amount
        verdict = (
            Verdict.NIL if change == ZERO else (Verdict.LESS if change < 0 else Verdict.EXCESS)
        )
        rows.append(
            DeviationRow(
                number=number,
                code=item.code,
                description=item.description,
                unit=item.unit,
                rate=item.rate,
                original_quantity=original_quantity,
                original_amount=original_amount,
                revised_quantity=revised_quantity,
                revised_amount=revised_amount,
                quantity_change=revised_quantity - original_quantity,
                amount_change=change,
                percent=_percent(original_amount, revised_amount)
                if item.original_quantity is not None
                else None,
                verdict=verdict,
                reason=item.reason,
                extra=item.original_quantity is None,
                removed=item.revised_quantity is None,
            )
        )
    overhead_rows = tuple(
        OverheadRow(description, round_rupees(original), round_rupees(revised))
        for description, original, revised in overheads
    )
    original_total = sum((r.original_amount for r in rows), ZERO) + sum(
        (o.original_amount for o in overhead_rows), ZERO
    )
    revised_total = sum((r.revised_amount for r in rows), ZERO) + sum(
        (o.revised_amount for o in overhead_rows), ZERO
    )
    return Statement(tuple(rows), overhead_rows, original_total, revised_total)
