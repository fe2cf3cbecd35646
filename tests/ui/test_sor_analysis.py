"""The rate analysis dialog: basic SORs, quantities typed as text, charges, a live preview."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sor_support import (
    ADMIN,
    STATE_ADMIN,
    TODAY,
    WAIT,
    make_ctx,
    new_sor,
    wait_idle,
)

from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.sor_catalog import add_rate, get_sor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.sor.analysis_dialog import RateAnalysisDialog
from mukta_desktop.ui.widgets import to_qdate


@pytest.fixture
def admin(qtbot: QtBot, db: Database) -> Iterator[UiContext]:
    ctx = make_ctx(db, STATE_ADMIN)
    yield ctx
    wait_idle(qtbot, ctx)


def _open(qtbot: QtBot, ctx: UiContext, code: str) -> RateAnalysisDialog:
    dialog = RateAnalysisDialog(ctx, code)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None and bool(dialog.basics), timeout=WAIT)
    return dialog


def _design_example(db: Database) -> tuple[str, str, str]:
    """DESIGN.md §2: Q = 100; material MA 100, CA 20, RA 5 (q = 2); labour LA 400 (q = 4)."""
    material = new_sor(db, type_code="M", sub_type="NA1", variant="NA", uom="CUM",
                       description="Test sand",
                       rate=RateHeads(material=Decimal("100"), conveyance=Decimal("20"),
                                      royalty=Decimal("5")))
    labour = new_sor(db, type_code="L", sub_type="US", variant="NA", uom="NOS",
                     description="Test labourer", rate=RateHeads(labour=Decimal("400")))
    works = new_sor(db, description="Test works item made of sand and labour")
    return material.code, labour.code, works.code


def test_design_example_previews_and_saves_18_69(qtbot: QtBot, admin: UiContext) -> None:
    material, labour, works = _design_example(admin.db)
    dialog = _open(qtbot, admin, works)
    assert not dialog.save_button.isEnabled()
    dialog.quantity.setText("100")
    qtbot.keyClicks(dialog.basic_code, material)
    qtbot.keyClick(dialog.basic_code, Qt.Key.Key_Return)  # on to the quantity
    assert dialog.line_quantity.hasFocus() or not dialog.isActiveWindow()
    qtbot.keyClicks(dialog.line_quantity, "2")
    qtbot.keyClick(dialog.line_quantity, Qt.Key.Key_Return)  # adds the line
    assert dialog.lines.rowCount() == 1
    dialog.basic_code.setText(f"{labour} — Test labourer")  # as the completer fills it
    dialog.line_quantity.setText("4")
    dialog.add_line_button.click()
    assert dialog.lines.rowCount() == 2
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    assert dialog.total_label.text() == "Rate: ₹ 18.69 per SQM"
    result = dialog.result_heads
    values = {result.data(result.index(r, 0)): result.data(result.index(r, 1))
              for r in range(result.rowCount())}
    assert values["Basic material"] == "2.00"
    assert values["Conveyance"] == "0.40"
    assert values["Royalty"] == "0.10"
    assert values["Basic labour"] == "16.00"
    assert values["Labour cess"] == "0.19"
    assert values["Total"] == "18.69"
    contribution = dialog.lines.column_of("Contribution (₹)")
    assert dialog.lines.data(dialog.lines.index(0, contribution)) == "2.50"
    assert dialog.lines.data(dialog.lines.index(1, contribution)) == "16.00"
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as signal:
        dialog.save_button.click()
    assert signal.args[0].total == Decimal("18.69")
    detail = get_sor(admin.db, works, at=TODAY)
    assert detail.current is not None
    assert detail.current.total == Decimal("18.69")
    assert detail.current.source == "ANALYSIS"
    assert detail.analysis is not None
    assert [line.code for line in detail.analysis.lines] == [material, labour]


def test_quantity_edited_in_the_table_updates_the_preview(qtbot: QtBot,
                                                          admin: UiContext) -> None:
    material, labour, works = _design_example(admin.db)
    dialog = _open(qtbot, admin, works)
    dialog.quantity.setText("100")
    for code, quantity in ((material, "2"), (labour, "4")):
        dialog.basic_code.setText(code)
        dialog.line_quantity.setText(quantity)
        dialog.add_line()
    qtbot.waitUntil(lambda: dialog.total_label.text() == "Rate: ₹ 18.69 per SQM", timeout=WAIT)
    quantity_cell = dialog.lines.index(1, dialog.lines.QUANTITY)
    assert not dialog.lines.setData(quantity_cell, "four")  # refused, named inline
    assert "Quantity of" in dialog.message.text()
    assert dialog.lines.setData(quantity_cell, "8")
    qtbot.waitUntil(lambda: dialog.total_label.text() == "Rate: ₹ 34.85 per SQM", timeout=WAIT)


def test_extra_charges_and_their_amounts(qtbot: QtBot, admin: UiContext) -> None:
    material, labour, works = _design_example(admin.db)
    dialog = _open(qtbot, admin, works)
    dialog.quantity.setText("100")
    for code, quantity in ((material, "2"), (labour, "4")):
        dialog.basic_code.setText(code)
        dialog.line_quantity.setText(quantity)
        dialog.add_line()
    dialog.charge_description.setText("Water charges")
    dialog.charge_kind.setCurrentIndex(dialog.charge_kind.findData("PERCENT"))
    dialog.charge_value.setText("1")
    dialog.add_charge()
    assert dialog.charges.rowCount() == 1
    # 18.50 + 1 % (0.19) = 18.69; cess 1 % of 18.69 = 0.19 → 18.88
    qtbot.waitUntil(lambda: dialog.total_label.text() == "Rate: ₹ 18.88 per SQM", timeout=WAIT)
    assert dialog.charges.data(dialog.charges.index(0, 3)) == "0.19"
    dialog.charges_view.setCurrentIndex(dialog.charges.index(0, 0))
    dialog.remove_charge()
    qtbot.waitUntil(lambda: dialog.total_label.text() == "Rate: ₹ 18.69 per SQM", timeout=WAIT)


def test_a_charge_keeps_a_kind_only_when_its_value_fits(qtbot: QtBot, admin: UiContext) -> None:
    _material, _labour, works = _design_example(admin.db)
    dialog = _open(qtbot, admin, works)
    dialog.charge_description.setText("Carriage")
    dialog.charge_kind.setCurrentIndex(dialog.charge_kind.findData("FIXED"))
    dialog.charge_value.setText("250.00")
    dialog.add_charge()
    kind = dialog.charges.index(0, dialog.charges.KIND)
    # 250 is no percentage: refused inline, the charge stays a fixed ₹ 250
    assert not dialog.charges.setData(kind, "PERCENT")
    assert dialog.message.text().startswith("'Carriage' cannot become a percentage: "
                                            "Percentage of 'Carriage': 250 is too large")
    assert dialog.message.isVisibleTo(dialog)
    assert dialog.charges.rows[0].kind == "FIXED"
    assert dialog.charges.data(dialog.charges.index(0, 2)) == "250"


def test_line_rates_are_those_of_the_effective_date(qtbot: QtBot, admin: UiContext) -> None:
    material, _labour, works = _design_example(admin.db)
    revised = TODAY + timedelta(days=5)
    add_rate(admin.db, ADMIN, material, RateHeads(material=Decimal("200"),
                                                  conveyance=Decimal("20"),
                                                  royalty=Decimal("5")),
             effective_from=revised, tenant="od", today=TODAY)
    dialog = _open(qtbot, admin, works)
    dialog.basic_code.setText(material)
    dialog.line_quantity.setText("1")
    dialog.add_line()
    rate = dialog.lines.index(0, dialog.lines.RATE)
    contribution = dialog.lines.index(0, dialog.lines.CONTRIBUTION)
    qtbot.waitUntil(lambda: dialog.lines.data(contribution) == "125.00", timeout=WAIT)
    assert dialog.lines.data(rate) == "125.00"
    # on the revision date both the rate and the contribution are the revised ones
    dialog.effective_from.setDate(to_qdate(revised))
    qtbot.waitUntil(lambda: dialog.lines.data(contribution) == "225.00", timeout=WAIT)
    assert dialog.lines.data(rate) == "225.00"
    assert "in force on the effective date" in dialog.lines.data(
        rate, Qt.ItemDataRole.ToolTipRole)


def test_refusals_are_inline(qtbot: QtBot, admin: UiContext) -> None:
    material, _labour, works = _design_example(admin.db)
    dialog = _open(qtbot, admin, works)
    dialog.basic_code.setText("NOPE-1")
    dialog.line_quantity.setText("1")
    dialog.add_line()
    assert "'NOPE-1' is not an active material, labour or machinery SOR" in dialog.message.text()
    dialog.basic_code.setText(works)  # a works item cannot go into an analysis
    dialog.add_line()
    assert "is not an active material" in dialog.message.text()
    dialog.basic_code.setText(material)
    dialog.line_quantity.setText("0")
    dialog.add_line()
    assert "Quantity" in dialog.message.text()
    assert dialog.lines.rowCount() == 0
    dialog.line_quantity.setText("1")
    dialog.add_line()
    dialog.basic_code.setText(material)
    dialog.line_quantity.setText("2")
    dialog.add_line()
    assert "already in the analysis" in dialog.message.text()
    assert dialog.lines.rowCount() == 1
    dialog.charge_value.setText("5")
    dialog.add_charge()
    assert "describe it" in dialog.message.text()


def test_demo_analysis_is_loaded_for_revision(qtbot: QtBot, admin: UiContext) -> None:
    load_demo(admin.db, today=TODAY)
    dialog = _open(qtbot, admin, "DEMO-W-008")
    assert dialog.lines.rowCount() == 7
    assert dialog.charges.rowCount() == 1
    assert dialog.quantity.text() == "10"
    # the current rate starts today: a revision starts tomorrow at the earliest
    assert dialog.effective_from.date().toPython() > TODAY
    current = get_sor(admin.db, "DEMO-W-008", at=TODAY).current
    assert current is not None
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    assert dialog.preview is not None
    assert dialog.preview.total == current.total


def test_a_non_works_sor_cannot_be_analysed(qtbot: QtBot, admin: UiContext) -> None:
    material, _labour, _works = _design_example(admin.db)
    dialog = _open(qtbot, admin, material)
    assert "only works SORs have a rate analysis" in dialog.message.text()
    assert not dialog.save_button.isEnabled()
