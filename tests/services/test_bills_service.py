"""Muster roll and purchase bill checks read the utilization of approved MBs."""

from __future__ import annotations

from datetime import date

from mb_support import D, approve_mb, awarded, new_mb

from mukta_desktop.services.bills import muster_roll_check, purchase_bill_check
from mukta_desktop.services.database import Database


def test_checks_against_approved_mbs(db: Database) -> None:
    order = awarded(db)
    assert not purchase_bill_check(db, order.number, amount=D("1")).check.allowed
    approve_mb(db, new_mb(db, order, "2").number)  # 01/07 to 07/07
    new_mb(db, order, "1")  # a draft counts for nothing
    roll = muster_roll_check(
        db, order.number, start=date(2026, 7, 1), end=date(2026, 7, 7), wage_bill=D("7196.04")
    ).check
    assert roll.covered
    assert roll.labour == D("7196.04")
    assert roll.warnings == ()
    over = muster_roll_check(
        db, order.number, start=date(2026, 7, 1), end=date(2026, 7, 7), wage_bill=D("7196.05")
    ).check
    assert over.warnings
    later = muster_roll_check(
        db, order.number, start=date(2026, 7, 6), end=date(2026, 7, 9), wage_bill=D("1")
    ).check
    assert not later.covered
    assert "08/07/2026" in later.message
    bill = purchase_bill_check(db, order.number, amount=D("2724.22")).check
    assert bill.allowed
    assert bill.material == D("2724.22")
    assert bill.warnings == ()
    assert purchase_bill_check(db, order.number, amount=D("2724.23")).check.warnings
