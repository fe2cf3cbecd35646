"""Indian calendar dates: the financial year (April to March) and dd/mm/yyyy."""

from __future__ import annotations

from datetime import date

import pytest

from mukta_desktop.domain.dates import financial_year, financial_year_start, format_date


@pytest.mark.parametrize(
    ("day", "start", "label"),
    [
        (date(2026, 4, 1), date(2026, 4, 1), "2026-27"),  # the first day
        (date(2026, 11, 21), date(2026, 4, 1), "2026-27"),
        (date(2026, 12, 31), date(2026, 4, 1), "2026-27"),
        (date(2027, 1, 1), date(2026, 4, 1), "2026-27"),
        (date(2027, 3, 31), date(2026, 4, 1), "2026-27"),  # the last day
        (date(2099, 6, 30), date(2099, 4, 1), "2099-00"),  # the century turns
    ],
)
def test_financial_year_runs_april_to_march(day: date, start: date, label: str) -> None:
    assert financial_year_start(day) == start
    assert financial_year(day) == label


def test_format_date_is_dd_mm_yyyy() -> None:
    assert format_date(date(2026, 4, 1)) == "01/04/2026"
    assert format_date(None) == ""
