"""Muster roll and purchase bill checks against approved MBs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mukta_desktop.domain.bills import ApprovedMb, check_muster_roll, check_purchase_bill
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.mb import Period

MBS = (
    ApprovedMb(
        "MB/1", Period(date(2026, 7, 1), date(2026, 7, 7)), Decimal("1000.00"), Decimal("500.00")
    ),
    ApprovedMb(
        "MB/2", Period(date(2026, 7, 8), date(2026, 7, 14)), Decimal("2000.00"), Decimal("700.00")
    ),
)


def test_period_inside_one_mb_is_covered() -> None:
    check = check_muster_roll(Period(date(2026, 7, 2), date(2026, 7, 6)), Decimal("900"), MBS)
    assert check.covered
    assert check.covering == ("MB/1",)
    assert check.labour == Decimal("1000.00")
    assert check.warnings == ()


def test_period_across_two_mbs_sums_their_labour_and_warns_above_it() -> None:
    check = check_muster_roll(Period(date(2026, 7, 5), date(2026, 7, 10)), Decimal("3000.01"), MBS)
    assert check.covered
    assert check.covering == ("MB/1", "MB/2")
    assert check.labour == Decimal("3000.00")
    assert check.warnings == (
        "The wage bill ₹ 3,000.01 exceeds the labour utilization ₹ 3,000.00 of MB/1, MB/2.",
    )


def test_uncovered_day_makes_the_muster_roll_wait() -> None:
    check = check_muster_roll(Period(date(2026, 7, 10), date(2026, 7, 20)), Decimal("10"), MBS)
    assert not check.covered
    assert "15/07/2026" in check.message
    assert "must wait" in check.message
    assert not check_muster_roll(
        Period(date(2026, 7, 1), date(2026, 7, 3)), Decimal("1"), ()
    ).covered


def test_purchase_bill_needs_an_approved_mb() -> None:
    check = check_purchase_bill(Decimal("100"), ())
    assert not check.allowed
    assert "none is approved yet" in check.message


def test_purchase_bill_warns_beyond_material_not_yet_billed() -> None:
    ok = check_purchase_bill(Decimal("1000"), MBS, billed_before=Decimal("200"))
    assert ok.allowed
    assert ok.available == Decimal("1000.00")
    assert ok.warnings == ()
    over = check_purchase_bill(Decimal("1000.01"), MBS, billed_before=Decimal("200"))
    assert over.allowed
    assert (
        "₹ 1,000.01 exceeds the material utilization not yet billed ₹ 1,000.00" in over.warnings[0]
    )


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValidationError):
        check_purchase_bill(Decimal("-1"), MBS)
    with pytest.raises(ValidationError):
        check_muster_roll(Period(date(2026, 7, 1), date(2026, 7, 2)), Decimal("-1"), MBS)
