"""Measurement Book rules that need no database (DESIGN.md §2 "Measurement Book").

Periods: the first MB of a work order starts on the work order's start date; each next one
starts the day after the previous one ended; periods last 7 days in MUKTA (configurable) and
never run past the work order's end. A new MB only when the previous one is approved (a
rejected one frees its period).

Ceiling: per SOR item, the up-to-date quantity (approved so far + this MB) may not exceed the
estimate quantity of the estimate in force. Example: estimate +10 −2 = 8; approved so far 5;
this MB 3.5 → refused; 3.0 → ok.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import ValidationError
from .estimate import CostAnalysis, Line, LineCategory, line_analysis
from .measurements import MeasurementRow, item_quantity
from .numbers import ZERO, round4, round_rupees
from .sor import RateHeads, line_amount

DEFAULT_PERIOD_DAYS = 7


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


def next_period(
    work_start: date,
    work_end: date | None,
    previous_end: date | None,
    *,
    days: int = DEFAULT_PERIOD_DAYS,
) -> Period:
    """The period of the next MB: from the work order's start, or the day after the previous
    MB ended; `days` long, cut at the work order's end."""
    if days < 1:
        raise ValidationError("An MB period lasts at least one day.", field="days")
    start = work_start if previous_end is None else previous_end + timedelta(days=1)
    if work_end is not None and start > work_end:
        raise ValidationError(
            f"The work order ended on {work_end:%d/%m/%Y}; every period up to then is measured.",
            field="period",
        )
    end = start + timedelta(days=days - 1)
    if work_end is not None and end > work_end:
        end = work_end
    return Period(start, end)


def check_ceiling(
    item: str,
    *,
    estimate_quantity: Decimal,
    approved_so_far: Decimal,
    this_mb: Decimal,
    unit: str = "",
) -> Decimal:
    """The up-to-date quantity, or a refusal naming the item and both quantities."""
    up_to_date = round4(approved_so_far + this_mb)
    if up_to_date > estimate_quantity:
        unit_text = f" {unit}" if unit else ""
        raise ValidationError(
            f"{item}: the up-to-date quantity {up_to_date}{unit_text} would exceed the estimate "
            f"quantity {round4(estimate_quantity)}{unit_text} (approved so far "
            f"{round4(approved_so_far)}, this MB {round4(this_mb)}). Measure at most "
            f"{round4(max(estimate_quantity - approved_so_far, ZERO))}{unit_text}, or ask for a "
            "revised estimate.",
            field="quantity",
        )
    return up_to_date


MAX_PHOTOS = 5


@dataclass(frozen=True, slots=True)
class MbItem:
    """One work-order line as an MB measures it.

    `key` names the work-order item across revisions (the original estimate line's id);
    `estimate_quantity` comes from the estimate in force; `previous_*` sum the approved MBs
    before this one."""

    key: str
    category: LineCategory
    description: str
    unit: str
    rate: Decimal
    rate_quantity: Decimal
    estimate_quantity: Decimal
    previous_quantity: Decimal = ZERO
    previous_amount: Decimal = ZERO
    rows: tuple[MeasurementRow, ...] = ()
    sor_code: str | None = None
    heads: RateHeads | None = None

    @property
    def label(self) -> str:
        return f"{self.sor_code} {self.description}" if self.sor_code else self.description


@dataclass(frozen=True, slots=True)
class MbItemFigures:
    quantity: Decimal
    cumulative_quantity: Decimal
    amount: Decimal
    cumulative_amount: Decimal
    utilization: CostAnalysis


@dataclass(frozen=True, slots=True)
class MbTotals:
    items: tuple[MbItemFigures, ...]
    total: Decimal
    previous_total: Decimal
    cumulative_total: Decimal
    utilization: CostAnalysis

    @property
    def total_rupees(self) -> Decimal:
        return round_rupees(self.total)


def item_figures(item: MbItem) -> MbItemFigures:
    """This MB's quantity and amount of an item, up to date, and what it consumed."""
    quantity = item_quantity(item.rows)
    amount = line_amount(quantity, item.rate, item.rate_quantity)
    line = Line(
        item.category,
        item.description,
        item.unit,
        item.rate,
        item.rows,
        item.rate_quantity,
        heads=item.heads,
    )
    return MbItemFigures(
        quantity=quantity,
        cumulative_quantity=round4(item.previous_quantity + quantity),
        amount=amount,
        cumulative_amount=item.previous_amount + amount,
        utilization=line_analysis(line, quantity),
    )


def compute_mb(items: Sequence[MbItem]) -> MbTotals:
    """Every figure of an MB: per item, this MB's and up-to-date totals, and utilization."""
    figures = tuple(item_figures(item) for item in items)
    return MbTotals(
        items=figures,
        total=sum((f.amount for f in figures), ZERO),
        previous_total=sum((item.previous_amount for item in items), ZERO),
        cumulative_total=sum((f.cumulative_amount for f in figures), ZERO),
        utilization=CostAnalysis(
            sum((f.utilization.material for f in figures), ZERO),
            sum((f.utilization.labour for f in figures), ZERO),
            sum((f.utilization.machinery for f in figures), ZERO),
        ),
    )


def check_ceilings(items: Sequence[MbItem], figures: Sequence[MbItemFigures]) -> None:
    """Per SOR item (all lines of one SOR together; a non-SOR line on its own), the up-to-date
    quantity may not exceed the estimate quantity, nor fall below zero."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        key = f"SOR:{item.sor_code}" if item.sor_code else f"LINE:{item.key}"
        groups.setdefault(key, []).append(index)
    for indexes in groups.values():
        first = items[indexes[0]]
        estimate_quantity = sum((items[i].estimate_quantity for i in indexes), ZERO)
        previous = sum((items[i].previous_quantity for i in indexes), ZERO)
        this_mb = sum((figures[i].quantity for i in indexes), ZERO)
        name = first.label if len(indexes) == 1 else f"{first.label} ({len(indexes)} lines)"
        up_to_date = check_ceiling(
            name,
            estimate_quantity=estimate_quantity,
            approved_so_far=previous,
            this_mb=this_mb,
            unit=first.unit,
        )
        if up_to_date < ZERO:
            raise ValidationError(
                f"{name}: the deductions of this MB ({round4(this_mb)}) would take the "
                f"up-to-date quantity below zero (approved so far {round4(previous)}).",
                field="quantity",
            )


def check_period(period: Period, others: Sequence[tuple[str, Period]]) -> None:
    """No two MBs of a work order overlap (`others`: number and period of the MBs that
    hold their period: every MB but the rejected ones)."""
    if period.end < period.start:
        raise ValidationError(
            f"The MB period ends ({period.end:%d/%m/%Y}) before it starts "
            f"({period.start:%d/%m/%Y}).",
            field="period",
        )
    for number, other in others:
        if period.overlaps(other):
            raise ValidationError(
                f"The period {period.start:%d/%m/%Y} to {period.end:%d/%m/%Y} overlaps {number} "
                f"({other.start:%d/%m/%Y} to {other.end:%d/%m/%Y}); MB periods never overlap.",
                field="period",
            )
