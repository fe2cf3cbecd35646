"""The SOR dialogs: View SOR, Add / revise rate, New SOR, Modify SOR."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sor_support import (
    ADMIN,
    CITY_ADMIN,
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
from mukta_desktop.services.rate_analysis import LineInput, save_analysis
from mukta_desktop.services.sor_catalog import add_rate, get_sor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.sor.definition_dialogs import ModifySorDialog, NewSorDialog
from mukta_desktop.ui.sor.rate_dialog import AddRateDialog
from mukta_desktop.ui.sor.view_dialog import SorViewDialog
from mukta_desktop.ui.widgets import from_qdate, to_qdate

FL00001 = {"material": "1307.80", "labour": "3598.02", "conveyance": "66.01",
           "royalty": "4.55"}


@pytest.fixture
def admin(qtbot: QtBot, db: Database) -> Iterator[UiContext]:
    ctx = make_ctx(db, STATE_ADMIN)
    yield ctx
    wait_idle(qtbot, ctx)


def _loaded(qtbot: QtBot, dialog: SorViewDialog | AddRateDialog | ModifySorDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)


# --- View SOR ----------------------------------------------------------------------------------

def test_view_shows_current_rate_breakup_and_history(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db, rate=RateHeads(material=Decimal("1000.00")))
    add_rate(admin.db, ADMIN, sor.code,
             RateHeads(**{k: Decimal(v) for k, v in FL00001.items()}),
             effective_from=TODAY + timedelta(days=1), tenant="od", today=TODAY)
    admin.today = lambda: TODAY + timedelta(days=3)
    dialog = SorViewDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    assert dialog.fields["type"].text() == "Works (W)"
    assert dialog.fields["sub_type"].text() == "Flooring (FL)"
    assert dialog.fields["rate_quantity"].text() == "1 SQM"
    assert not dialog.demo_badge.isVisibleTo(dialog)
    assert dialog.status_badge.text() == "Active"
    assert "₹ 5,026.14 per SQM" in dialog.current_label.text()
    heads = dialog.current_model
    assert heads.rowCount() == 10  # nine heads and the total
    assert heads.data(heads.index(8, 0)) == "Labour cess"
    assert heads.data(heads.index(8, 1)) == "49.76"
    assert heads.data(heads.index(9, 1)) == "5,026.14"
    history = dialog.history_model
    assert history.rowCount() == 2
    assert history.data(history.index(0, 3)) == "5,026.14"
    assert history.data(history.index(1, 1)) == "21/11/2026"
    assert history.data(history.index(1, 2)) == "21/11/2026"  # ended the day before the next
    assert history.data(history.index(1, 3)) == "1,010.00"
    # the breakup follows the chosen rate
    dialog.history_view.selectRow(1)
    assert "1,010.00" in dialog.breakup_label.text()
    assert dialog.breakup_model.data(dialog.breakup_model.index(0, 1)) == "1,000.00"


def test_view_demo_works_item_shows_its_rate_analysis(qtbot: QtBot, admin: UiContext) -> None:
    load_demo(admin.db, today=TODAY)
    dialog = SorViewDialog(admin, "DEMO-W-008")
    _loaded(qtbot, dialog)
    assert dialog.demo_badge.isVisibleTo(dialog)
    assert dialog.tabs.isTabVisible(dialog.tabs.indexOf(dialog.analysis_tab))
    assert dialog.lines_model.rowCount() == 7
    assert dialog.charges_model.rowCount() == 1
    total = dialog.detail.current.total if dialog.detail and dialog.detail.current else None
    assert total is not None
    assert dialog.analysis_total.text() == f"Rate: ₹ {total:,.2f} per CUM"
    assert dialog.analysis_button.isVisibleTo(dialog)


def test_view_material_item_has_no_analysis_tab(qtbot: QtBot, admin: UiContext) -> None:
    load_demo(admin.db, today=TODAY)
    dialog = SorViewDialog(admin, "DEMO-M-004")
    _loaded(qtbot, dialog)
    assert not dialog.tabs.isTabVisible(dialog.tabs.indexOf(dialog.analysis_tab))
    assert dialog.fields["rate_quantity"].text() == "1000 NOS"
    assert "per 1000 NOS" in dialog.current_label.text()
    assert not dialog.analysis_button.isVisibleTo(dialog)


def _works_with_future_analysis(db: Database, start: date) -> str:
    """A works SOR with a typed rate in force today and an analysed rate from `start`."""
    sand = new_sor(db, type_code="M", sub_type="NA1", variant="NA", uom="CUM",
                   description="Test sand", rate=RateHeads(material=Decimal("100")))
    works = new_sor(db, rate=RateHeads(material=Decimal("80.00")))
    save_analysis(db, ADMIN, works.code, analysis_quantity=Decimal("1"),
                  lines=[LineInput(sand.code, Decimal("2"))], effective_from=start, today=TODAY)
    return works.code


def test_view_names_an_analysis_of_a_rate_not_yet_in_force(
    qtbot: QtBot, admin: UiContext
) -> None:
    start = TODAY + timedelta(days=5)
    code = _works_with_future_analysis(admin.db, start)
    dialog = SorViewDialog(admin, code)
    _loaded(qtbot, dialog)
    assert dialog.detail is not None
    assert dialog.detail.current is not None
    assert dialog.detail.current.total == Decimal("80.80")  # the typed rate is in force
    text = dialog.analysis_label.text()
    assert text.startswith("Rate analysis for the rate from 26/11/2026 (not yet in force).")
    assert "typed or imported" not in text
    assert dialog.lines_model.rowCount() == 1
    assert dialog.analysis_total.text() == "Rate: ₹ 202.00 per SQM, from 26/11/2026"


def test_view_of_a_typed_rate_says_no_analysis_made_it(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db, rate=RateHeads(material=Decimal("80.00")))
    dialog = SorViewDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    assert dialog.analysis_label.text() == ("The rate in force was typed or imported; no rate "
                                            "analysis made it.")
    assert dialog.lines_model.rowCount() == 0


def test_view_of_an_unknown_code_says_so(qtbot: QtBot, admin: UiContext) -> None:
    dialog = SorViewDialog(admin, "NOPE-1")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as signal:
        dialog.show()
    assert "No SOR with code 'NOPE-1'" in signal.args[0]
    assert dialog.message.isVisibleTo(dialog)


# --- Add / revise rate ------------------------------------------------------------------------

def _type_heads(qtbot: QtBot, dialog: AddRateDialog, values: dict[str, str]) -> None:
    for key, edit in dialog.heads.edits.items():
        edit.clear()
        if key in values:
            qtbot.keyClicks(edit, values[key])


def test_add_rate_computes_cess_and_total_live(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db)
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    assert not dialog.save_button.isEnabled()  # nothing typed yet
    _type_heads(qtbot, dialog, FL00001)
    assert dialog.heads.cess_value.text() == "49.76"
    assert dialog.heads.total_value.text() == "₹ 5,026.14"
    assert dialog.save_button.isEnabled()
    assert from_qdate(dialog.effective_from.date()) == TODAY
    assert from_qdate(dialog.effective_from.minimumDate()) == TODAY
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as signal:
        dialog.save_button.click()
    assert signal.args[0].total == Decimal("5026.14")
    detail = get_sor(admin.db, sor.code, at=TODAY)
    assert detail.current is not None
    assert detail.current.total == Decimal("5026.14")
    assert detail.current.heads.labour_cess == Decimal("49.76")
    assert detail.current.effective_from == TODAY


def test_add_rate_accepts_indian_grouping(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db)
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    _type_heads(qtbot, dialog, {"material": "3,29,935.45", "labour": "7,095.84",
                                "machinery": "49760.82", "conveyance": "32,001.01",
                                "royalty": "15930"})
    assert dialog.heads.cess_value.text() == "4,347.23"
    assert dialog.heads.total_value.text() == "₹ 4,39,070.35"


def test_material_items_carry_no_cess(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db, type_code="M", sub_type="NA1", variant="NA", uom="CUM")
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    _type_heads(qtbot, dialog, {"material": "133.33", "conveyance": "167.27",
                                "royalty": "130"})
    assert dialog.heads.cess_value.text() == "0.00"
    assert dialog.heads.total_value.text() == "₹ 430.60"
    assert "none for material" in dialog.heads.cess_note.text()


def test_invalid_head_is_named_inline_without_a_modal(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db)
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    _type_heads(qtbot, dialog, {"material": "12a", "labour": "10.005"})
    text = dialog.heads.message.text()
    assert dialog.heads.message.isVisibleTo(dialog)
    assert "Basic material: '12a' is not a number" in text
    assert "Basic labour: 10.005 has more than 2 decimals" in text
    assert "allowed: 0 to" in text
    assert dialog.heads.total_value.text() == "—"
    assert not dialog.save_button.isEnabled()
    assert not dialog.findChildren(QMessageBox)
    dialog.heads.edits["material"].setText("-5")
    assert "Basic material: -5 is negative" in dialog.heads.message.text()
    _type_heads(qtbot, dialog, {"material": "10"})
    assert not dialog.heads.message.isVisibleTo(dialog)
    assert dialog.save_button.isEnabled()


def test_refusal_from_the_service_is_shown_inline(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db, rate=RateHeads(material=Decimal("10.00")))  # a rate from today
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    # the form proposes the day after the latest rate …
    assert from_qdate(dialog.effective_from.date()) == TODAY + timedelta(days=1)
    # … and a date on it is refused by the rule, in the dialog
    dialog.effective_from.setDate(to_qdate(TODAY))
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as signal:
        dialog.save_button.click()
    assert "is not after the latest rate" in signal.args[0]
    assert dialog.isVisible()
    assert dialog.message.text() == signal.args[0]
    assert dialog.save_button.isEnabled()


def test_city_admin_sets_the_rate_of_own_ulb(qtbot: QtBot, db: Database) -> None:
    sor = new_sor(db, rate=RateHeads(material=Decimal("100.00")))
    ctx = make_ctx(db, CITY_ADMIN, tenant="od.dhenkanal")
    dialog = AddRateDialog(ctx, sor.code)
    _loaded(qtbot, dialog)
    assert dialog.tenant.count() == 1
    assert not dialog.tenant.isEnabled()
    assert dialog.selected_tenant() == "od.dhenkanal"
    # no ULB rate yet: today is fine even though the state rate starts today
    assert from_qdate(dialog.effective_from.date()) == TODAY
    _type_heads(qtbot, dialog, {"material": "100", "conveyance": "25.50"})
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_button.click()
    ulb = get_sor(db, sor.code, at=TODAY, tenant="od.dhenkanal")
    assert ulb.current is not None
    assert ulb.current.tenant == "od.dhenkanal"
    assert ulb.current.total == Decimal("126.76")
    state = get_sor(db, sor.code, at=TODAY)
    assert state.current is not None
    assert state.current.total == Decimal("101.00")
    wait_idle(qtbot, ctx)


def test_state_admin_chooses_state_or_any_ulb(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db)
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    codes = [dialog.tenant.itemData(i) for i in range(dialog.tenant.count())]
    assert codes[0] == "od"
    assert "od.dhenkanal" in codes
    assert dialog.tenant.isEnabled()


def test_state_admin_choosing_a_ulb_uses_that_ulbs_own_series(qtbot: QtBot,
                                                             admin: UiContext) -> None:
    state_heads = RateHeads(material=Decimal("100.00"), labour=Decimal("20.00"))
    sor = new_sor(admin.db, rate=state_heads)  # a state rate from today
    add_rate(admin.db, ADMIN, sor.code, RateHeads(material=Decimal("150.00")),
             effective_from=TODAY + timedelta(days=3), tenant="od.jatni", today=TODAY)
    add_rate(admin.db, ADMIN, sor.code, RateHeads(material=Decimal("200.00")),
             effective_from=TODAY, tenant="od.dhenkanal", today=TODAY)
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    assert dialog.selected_tenant() == "od"
    assert from_qdate(dialog.effective_from.date()) == TODAY + timedelta(days=1)
    assert "Rate in force today: ₹ 121.20 from 21/11/2026 (Odisha state rate)" in (
        dialog.current.text())

    def choose(tenant: str) -> None:
        dialog.tenant.setCurrentIndex(dialog.tenant.findData(tenant))
        qtbot.waitUntil(lambda: dialog.detail is not None and dialog.detail.tenant == tenant
                        and dialog.heads.isEnabled(), timeout=WAIT)

    # Jatni's own rate starts in three days; until then the state rate is in force there
    choose("od.jatni")
    assert from_qdate(dialog.effective_from.date()) == TODAY + timedelta(days=4)
    text = dialog.current.text()
    assert "Rate in force today for Jatni: ₹ 121.20 from 21/11/2026" in text
    assert "the Odisha state rate, as Jatni has no rate of its own in force" in text
    assert "A Jatni rate from 24/11/2026 is already set" in text
    assert dialog.heads.heads() == state_heads
    # Dhenkanal's own rate is in force: its heads, and a revision from tomorrow
    choose("od.dhenkanal")
    assert from_qdate(dialog.effective_from.date()) == TODAY + timedelta(days=1)
    assert "for Dhenkanal: ₹ 202.00 from 21/11/2026 (Dhenkanal's own rate)" in (
        dialog.current.text())
    assert dialog.heads.heads() == RateHeads(material=Decimal("200.00"))
    # back to Jatni, and the proposed rate is accepted by the rule
    choose("od.jatni")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as signal:
        dialog.save_button.click()
    assert signal.args[0].tenant == "od.jatni"
    assert signal.args[0].effective_from == TODAY + timedelta(days=4)
    assert signal.args[0].total == Decimal("121.20")


def test_a_load_for_an_earlier_tenant_choice_is_dropped(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db, rate=RateHeads(material=Decimal("100.00")))
    add_rate(admin.db, ADMIN, sor.code, RateHeads(material=Decimal("200.00")),
             effective_from=TODAY, tenant="od.dhenkanal", today=TODAY)
    dialog = AddRateDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    dialog.tenant.setCurrentIndex(dialog.tenant.findData("od.jatni"))
    dialog.tenant.setCurrentIndex(dialog.tenant.findData("od.dhenkanal"))
    wait_idle(qtbot, admin)
    assert dialog.detail is not None
    assert dialog.detail.tenant == "od.dhenkanal"
    assert dialog.heads.heads() == RateHeads(material=Decimal("200.00"))
    assert "Dhenkanal's own rate" in dialog.current.text()


# --- New SOR ----------------------------------------------------------------------------------

def test_new_sor_shows_the_generated_code(qtbot: QtBot, admin: UiContext) -> None:
    dialog = NewSorDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_type("L")
    subs = [dialog.sub_type_combo.itemData(i) for i in range(dialog.sub_type_combo.count())]
    assert subs == ["US", "SS", "SD", "HS"]
    assert not dialog.variant_combo.isEnabled()
    assert dialog.variant_combo.currentData() == "NA"
    assert not dialog.save_button.isEnabled()  # no description yet
    dialog.sub_type_combo.setCurrentIndex(dialog.sub_type_combo.findData("SD"))
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findData("NOS"))
    qtbot.keyClicks(dialog.description, "Carpenter, skilled, one day")
    dialog.rate_box.setChecked(True)
    assert not dialog.save_button.isEnabled()  # a first rate needs an amount
    qtbot.keyClicks(dialog.heads.edits["labour"], "650")
    assert dialog.heads.cess_value.text() == "0.00"
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.created, timeout=WAIT) as signal:
        dialog.save_button.click()
    code = signal.args[0].code
    assert code.startswith("SOR_")
    assert dialog.created_label.text() == f"Created {code}"
    assert dialog.created_label.isVisibleTo(dialog)
    assert not dialog.save_button.isVisibleTo(dialog)
    detail = get_sor(admin.db, code, at=TODAY)
    assert (detail.type_code, detail.sub_type_code, detail.variant_code, detail.uom) == (
        "L", "SD", "NA", "NOS")
    assert detail.current is not None
    assert detail.current.total == Decimal("650.00")


def test_new_works_sor_without_rate(qtbot: QtBot, admin: UiContext) -> None:
    dialog = NewSorDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.type_code() == "W"
    assert dialog.variant_combo.isEnabled()
    dialog.variant_combo.setCurrentIndex(dialog.variant_combo.findData("FF"))
    dialog.rate_quantity.setText("120")
    qtbot.keyClicks(dialog.description, "P.C.C. M25 with batching plant (data for 120 cum)")
    with qtbot.waitSignal(dialog.created, timeout=WAIT) as signal:
        dialog.save_button.click()
    detail = get_sor(admin.db, signal.args[0].code, at=TODAY)
    assert detail.variant_code == "FF"
    assert detail.rate_quantity == Decimal("120")
    assert detail.current is None


def test_new_sor_rate_quantity_checked_inline(qtbot: QtBot, admin: UiContext) -> None:
    dialog = NewSorDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.description, "Something")
    dialog.rate_quantity.setText("0")
    assert not dialog.save_button.isEnabled()
    assert "Quantity for which rate is defined" in (dialog.rate_quantity.error() or "")
    dialog.save()
    assert "Quantity for which rate is defined" in dialog.message.text()


# --- Modify SOR -------------------------------------------------------------------------------

def test_modify_description_and_status(qtbot: QtBot, admin: UiContext) -> None:
    sor = new_sor(admin.db)
    dialog = ModifySorDialog(admin, sor.code)
    _loaded(qtbot, dialog)
    assert dialog.description.toPlainText() == "Tile flooring, test item"
    assert not dialog.save_button.isEnabled()  # nothing changed yet
    dialog.description.setPlainText("")
    assert "Description: describe the item." in dialog.message.text()
    assert not dialog.save_button.isEnabled()
    dialog.description.setPlainText("Vitrified tile flooring, test item")
    dialog.status.setCurrentIndex(dialog.status.findData("INACTIVE"))
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_button.click()
    detail = get_sor(admin.db, sor.code, at=TODAY)
    assert detail.description == "Vitrified tile flooring, test item"
    assert detail.status == "INACTIVE"
    assert detail.version == 2
