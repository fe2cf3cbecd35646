"""The muster roll and purchase bill checks on screen, reached from the work order view: is the
muster roll's period covered by approved MBs (else its approval must wait), does the wage bill
exceed the labour utilization; a purchase bill needs an approved MB and is warned when it
exceeds the material utilization not billed yet."""

from __future__ import annotations

from datetime import date

import mb_sections_support as support
from mb_sections_support import (
    JE,
    MB_AE,
    approve_mb,
    awarded,
    new_mb,
    work_order_panel,
)
from pytestqt.qtbot import QtBot
from sor_support import WAIT

from mukta_desktop.services.database import Database
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.mb.bills_dialog import BillsDialog
from mukta_desktop.ui.widgets import to_qdate

# The fixture shared by the MB screen tests.
contexts = support.contexts


def open_checks(qtbot: QtBot, db: Database, actor: Actor, number: str,
                contexts: list[UiContext]) -> BillsDialog:
    panel = work_order_panel(qtbot, db, actor, number, contexts)
    assert panel.checks_action.isEnabled()
    panel.checks_action.trigger()
    dialog = panel.dialog
    assert isinstance(dialog, BillsDialog)
    assert dialog.isVisible()
    return dialog


def check_muster_roll(qtbot: QtBot, dialog: BillsDialog, amount: str,
                      start: date | None = None, end: date | None = None) -> None:
    dialog.wage_bill.setText(amount)
    if start is not None:
        dialog.muster_from.setDate(to_qdate(start))
    if end is not None:
        dialog.muster_to.setDate(to_qdate(end))
    before = dialog.muster_result
    dialog.muster.button.click()
    qtbot.waitUntil(lambda: dialog.muster_result is not before, timeout=WAIT)


def check_purchase_bill(qtbot: QtBot, dialog: BillsDialog, amount: str,
                        billed_before: str = "") -> None:
    dialog.purchase_amount.setText(amount)
    dialog.billed_before.setText(billed_before)
    before = dialog.purchase_result
    dialog.purchase.button.click()
    qtbot.waitUntil(lambda: dialog.purchase_result is not before, timeout=WAIT)


def test_the_muster_roll_period_covered_or_not_and_the_wage_bill_warning(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    mb = new_mb(demo_db, order, "10", "20")  # labour utilization ₹ 4,679.00
    approve_mb(demo_db, mb.number)
    dialog = open_checks(qtbot, demo_db, MB_AE, order.number, contexts)
    assert dialog.intro.text() == (f"{order.number} · {order.organisation} · Approved MBs: "
                                   f"{mb.number} (01/11/2026 – 07/11/2026)")
    # The approved MB's period is proposed.
    assert (dialog.muster_from.date(), dialog.muster_to.date()) == (
        to_qdate(date(2026, 11, 1)), to_qdate(date(2026, 11, 7)))

    check_muster_roll(qtbot, dialog, "4,000")
    message, warning = dialog.muster.message, dialog.muster.warning
    assert message.kind == "info"
    assert message.text() == (f"The muster roll period 01/11/2026 to 07/11/2026 is covered by "
                              f"approved {mb.number}.")
    assert warning.isHidden()

    check_muster_roll(qtbot, dialog, "4,000", end=date(2026, 11, 10))
    assert message.kind == "error"
    assert message.text() == (
        "No approved MB covers 08/11/2026 of the muster roll period 01/11/2026 to 10/11/2026; "
        "approval of the muster roll must wait until the MB for that period is approved.")

    check_muster_roll(qtbot, dialog, "1,00,000", end=date(2026, 11, 7))  # Indian grouping
    assert message.kind == "info"
    assert not warning.isHidden()
    assert warning.text() == (f"Warning: The wage bill ₹ 1,00,000.00 exceeds the labour "
                              f"utilization ₹ 4,679.00 of {mb.number}.")

    # A wrong amount is said at once; the service is not asked.
    result = dialog.muster_result
    dialog.wage_bill.setText("12.345")
    dialog.muster.button.click()
    assert message.kind == "error"
    assert "Wage bill amount" in message.text()
    assert dialog.muster_result is result
    assert warning.isHidden()


def test_the_purchase_bill_needs_an_approved_mb_and_is_warned_beyond_the_material(
        qtbot: QtBot, demo_db: Database, contexts: list[UiContext]) -> None:
    order = awarded(demo_db)
    dialog = open_checks(qtbot, demo_db, JE, order.number, contexts)
    check_purchase_bill(qtbot, dialog, "100")
    message, warning = dialog.purchase.message, dialog.purchase.warning
    assert message.kind == "error"
    assert message.text() == ("A purchase bill needs at least one approved MB of the work "
                              "order; none is approved yet.")
    check_muster_roll(qtbot, dialog, "0")
    assert dialog.muster.message.kind == "error"
    assert dialog.muster.message.text().startswith("No approved MB covers 01/11/2026")
    dialog.close()

    approve_mb(demo_db, new_mb(demo_db, order, "10", "20").number)  # material ₹ 2,156.80
    dialog = open_checks(qtbot, demo_db, JE, order.number, contexts)
    message, warning = dialog.purchase.message, dialog.purchase.warning
    check_purchase_bill(qtbot, dialog, "1,500")
    assert message.kind == "info"
    assert message.text() == "1 approved MB(s) consumed material worth ₹ 2,156.80."
    assert warning.isHidden()

    check_purchase_bill(qtbot, dialog, "1,500", billed_before="1000")
    assert message.kind == "info"
    assert warning.text() == (
        "Warning: The purchase bill ₹ 1,500.00 exceeds the material utilization not yet "
        "billed ₹ 1,156.80 (approved MBs ₹ 2,156.80, billed before ₹ 1,000.00).")

    result = dialog.purchase_result
    dialog.purchase_amount.setText("")
    dialog.purchase.button.click()
    assert message.text() == "Purchase bill amount: type a number."
    assert dialog.purchase_result is result
