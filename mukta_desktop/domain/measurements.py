"""Measurement rows: quantity = N × L × B × D (DESIGN.md §2 "Measurements").

A blank factor counts as 1; a row with all four blank is invalid; a typed 0 is a real zero (the
row then measures nothing, which deserves a warning). Factors are non-negative, up to 4
decimals, each at most 99,999.9999. A row's quantity is rounded half-up to 4 decimals; an
item's quantity is the sum of plus rows minus the sum of minus rows (deductions), 4 decimals.
Example: N 2, L 10.5, B 0.45, D 0.3 → 2.8350.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal

from .errors import ValidationError
from .numbers import ONE, ZERO, check_decimal, round4

MAX_FACTOR = Decimal("99999.9999")
_EXACT = Context(prec=40)  # enough digits for any product of four factors
_FACTOR_QUANTUM = Decimal("0.0001")
FACTOR_PLACES = 4
FACTOR_NAMES = ("number", "length", "breadth", "depth")
FACTOR_LABELS = {"number": "No.", "length": "L", "breadth": "B", "depth": "D"}


class RowKind(enum.StrEnum):
    PLUS = "plus"
    MINUS = "minus"


@dataclass(frozen=True, slots=True)
class MeasurementRow:
    """One row of a measurement grid. `None` is a blank factor (counts as 1)."""

    kind: RowKind = RowKind.PLUS
    name: str = ""
    number: Decimal | None = None
    length: Decimal | None = None
    breadth: Decimal | None = None
    depth: Decimal | None = None

    def factors(self) -> tuple[Decimal | None, ...]:
        return (self.number, self.length, self.breadth, self.depth)

    @property
    def quantity(self) -> Decimal:
        """N × L × B × D with blanks as 1, half-up to 4 decimals (unsigned); 0 for a row not yet
        typed (all four blank)."""
        # Four factors ≤ 99,999.9999 with 4 decimals need up to 37 digits: compute exactly,
        # or the 28-digit default context rounds (half-even) before the half-up round4.
        # (A context object of our own: entering a local context per row costs more than the
        # multiplications, and an estimate's figures compute thousands of rows.)
        factors = [f for f in (self.number, self.length, self.breadth, self.depth) if f is not None]
        if not factors:
            # A row with all four blank is refused on submit; until then (a row just added in a
            # draft) it measures nothing rather than one whole unit.
            return ZERO
        product = ONE
        for factor in factors:
            product = _EXACT.multiply(product, factor)
        return round4(product)

    @property
    def signed_quantity(self) -> Decimal:
        return self.quantity if self.kind is RowKind.PLUS else -self.quantity

    @property
    def measures_nothing(self) -> bool:
        """A typed zero: valid, but worth a warning."""
        return any(f is not None and f == ZERO for f in self.factors())


def _plainly_valid(value: Decimal) -> bool:
    """The common case, checked cheaply (an estimate holds thousands of factors): finite,
    0 to MAX_FACTOR, at most 4 decimals. Anything else goes to `check_decimal` for its
    message."""
    return (
        value.is_finite()
        and ZERO <= value <= MAX_FACTOR
        and value.quantize(_FACTOR_QUANTUM) == value
    )


def check_row(row: MeasurementRow, *, where: str) -> None:
    """Refuse an all-blank row and out-of-range factors; `where` names the row for the user."""
    if all(f is None for f in row.factors()):
        raise ValidationError(
            f"{where}: type at least one of No., L, B, D (a blank one counts as 1).",
            field="number",
        )
    for name, value in zip(FACTOR_NAMES, row.factors(), strict=True):
        if value is not None and not _plainly_valid(value):
            check_decimal(
                value,
                field=f"{where}, {FACTOR_LABELS[name]}",
                places=FACTOR_PLACES,
                maximum=MAX_FACTOR,
            )


def row_warning(row: MeasurementRow, *, where: str) -> str | None:
    if row.measures_nothing:
        return f"{where}: a factor is 0, so this row measures nothing."
    return None


def item_quantity(rows: Iterable[MeasurementRow]) -> Decimal:
    """Σ plus rows − Σ minus rows, 4 decimals (each row already rounded)."""
    return round4(sum((r.signed_quantity for r in rows), ZERO))
