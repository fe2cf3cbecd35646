"""Measurement Book periods and the ceiling per SOR item (DESIGN.md §2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.mb import Period, check_ceiling, next_period
from mukta_desktop.domain.measurements import MeasurementRow, RowKind, item_quantity

D = Decimal
START = date(2026, 4, 1)


def test_first_period_starts_with_the_work_order_and_lasts_seven_days() -> None:
    assert next_period(START, None, None) == Period(date(2026, 4, 1), date(2026, 4, 7))


def test_next_period_starts_the_day_after_the_previous_ended() -> None:
    assert next_period(START, None, date(2026, 4, 7)) == Period(
        date(2026, 4, 8), date(2026, 4, 14))


def test_period_length_is_configurable_and_cut_at_the_work_order_end() -> None:
    assert next_period(START, date(2026, 4, 10), date(2026, 4, 7), days=14) == Period(
        date(2026, 4, 8), date(2026, 4, 10))
    assert next_period(START, None, None, days=1) == Period(START, START)


def test_no_period_after_the_work_order_ended() -> None:
    with pytest.raises(ValidationError, match="ended on 10/04/2026"):
        next_period(START, date(2026, 4, 10), date(2026, 4, 10))
    with pytest.raises(ValidationError, match="at least one day"):
        next_period(START, None, None, days=0)


def test_periods_overlap() -> None:
    first = Period(date(2026, 4, 1), date(2026, 4, 7))
    assert first.overlaps(Period(date(2026, 4, 7), date(2026, 4, 13)))
    assert not first.overlaps(Period(date(2026, 4, 8), date(2026, 4, 14)))


def test_design_example_ceiling() -> None:
    """Estimate +10 −2 = 8; approved so far 5; this MB 3.5 → refused; 3.0 → ok."""
    estimate = item_quantity([
        MeasurementRow(RowKind.PLUS, number=D("10")),
        MeasurementRow(RowKind.MINUS, number=D("2")),
    ])
    assert estimate == D("8.0000")
    with pytest.raises(ValidationError) as refused:
        check_ceiling("FL00001", estimate_quantity=estimate, approved_so_far=D("5"),
                      this_mb=D("3.5"), unit="SQM")
    message = str(refused.value)
    assert "FL00001" in message
    assert "8.5000 SQM" in message
    assert "8.0000 SQM" in message
    assert "revised estimate" in message
    assert "at most 3.0000 SQM" in message
    assert check_ceiling("FL00001", estimate_quantity=estimate, approved_so_far=D("5"),
                         this_mb=D("3.0")) == D("8.0000")
