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

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import ValidationError
from .numbers import ZERO, round4

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
