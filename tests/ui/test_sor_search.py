"""Search SOR: as-you-type search, filters, paging on scroll, opening, role-gated actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import (
    ADMIN,
    JE,
    STATE_ADMIN,
    TODAY,
    WAIT,
    make_ctx,
    new_sor,
    wait_idle,
)

from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.services.database import Database
from mukta_desktop.services.sor_catalog import add_rate, modify_sor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.sor.rate_dialog import AddRateDialog
from mukta_desktop.ui.sor.section import PAGE_SIZE, SorSection
from mukta_desktop.ui.sor.view_dialog import SorViewDialog


def _section(qtbot: QtBot, ctx: UiContext) -> SorSection:
    section = SorSection(ctx)
    qtbot.addWidget(section)
    section.resize(1200, 700)
    section.show()
    qtbot.waitUntil(lambda: section.model.rowCount() > 0 or section.count_label.text() != "",
                    timeout=WAIT)
    return section


@pytest.fixture
def admin_section(qtbot: QtBot, demo_db: Database) -> Iterator[SorSection]:
    ctx = make_ctx(demo_db, STATE_ADMIN)
    section = _section(qtbot, ctx)
    yield section
    section.close()
    wait_idle(qtbot, ctx)


def _codes(section: SorSection) -> list[str]:
    return [row.code for row in section.model.rows]


def test_lists_current_rates_with_indian_grouping(admin_section: SorSection) -> None:
    model = admin_section.model
    assert admin_section.count_label.text() == "16 SORs"
    assert model.rowCount() == 16
    row = _codes(admin_section).index("DEMO-W-002")
    rate_column = model.column_of("Current rate (₹)")
    assert model.data(model.index(row, rate_column)) == "5,645.65"
    alignment = model.data(model.index(row, rate_column), Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(row, model.column_of("Effective from"))) == "21/11/2025"
    assert model.data(model.index(row, model.column_of("Type"))) == "Works"


def test_search_as_you_type(qtbot: QtBot, admin_section: SorSection) -> None:
    qtbot.keyClicks(admin_section.search_edit, "cement")
    qtbot.waitUntil(lambda: admin_section.model.rowCount() == 6, timeout=WAIT)
    assert all("cement" in r.description.lower() for r in admin_section.model.rows)
    assert admin_section.count_label.text() == "6 SORs"
    # words in any order, any case
    admin_section.search_edit.setText("FOUNDATION concrete")
    qtbot.waitUntil(lambda: _codes(admin_section) == ["DEMO-W-002"], timeout=WAIT)
    assert admin_section.count_label.text() == "1 SOR"


def test_stale_results_are_ignored(qtbot: QtBot, admin_section: SorSection) -> None:
    pages: list[object] = []
    admin_section.searched.connect(pages.append)
    admin_section.search_edit.setText("labour")
    admin_section.search_now()
    admin_section.search_edit.setText("mixer")
    admin_section.search_now()
    wait_idle(qtbot, admin_section.ctx)
    assert _codes(admin_section) == ["DEMO-E-001"]
    assert len(pages) == 1  # the older search's answer was dropped


def test_filter_by_type_and_sub_type(qtbot: QtBot, admin_section: SorSection) -> None:
    assert not admin_section.sub_type_combo.isEnabled()
    admin_section.set_type_filter("L")
    qtbot.waitUntil(lambda: admin_section.model.rowCount() == 3, timeout=WAIT)
    assert {r.type_code for r in admin_section.model.rows} == {"L"}
    combo = admin_section.sub_type_combo
    assert combo.isEnabled()
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "US", "SS", "SD", "HS"]
    assert not admin_section.variant_combo.isEnabled()  # variants are for works items
    combo.setCurrentIndex(combo.findData("SD"))
    qtbot.waitUntil(lambda: _codes(admin_section) == ["DEMO-L-002"], timeout=WAIT)
    admin_section.set_type_filter("W")
    qtbot.waitUntil(lambda: admin_section.model.rowCount() == 8, timeout=WAIT)
    admin_section.variant_combo.setCurrentIndex(admin_section.variant_combo.findData("FP"))
    qtbot.waitUntil(lambda: _codes(admin_section) == ["DEMO-W-003"], timeout=WAIT)


def test_status_filter(qtbot: QtBot, demo_db: Database) -> None:
    modify_sor(demo_db, ADMIN, "DEMO-W-007", status="INACTIVE", today=TODAY)
    ctx = make_ctx(demo_db, STATE_ADMIN)
    section = _section(qtbot, ctx)
    assert "DEMO-W-007" not in _codes(section)
    section.status_combo.setCurrentIndex(section.status_combo.findData("INACTIVE"))
    qtbot.waitUntil(lambda: _codes(section) == ["DEMO-W-007"], timeout=WAIT)
    section.status_combo.setCurrentIndex(section.status_combo.findData(None))
    qtbot.waitUntil(lambda: section.model.rowCount() == 16, timeout=WAIT)
    wait_idle(qtbot, ctx)


def test_effective_period_shows_rates_of_its_last_day(qtbot: QtBot, db: Database) -> None:
    old = new_sor(db, description="Item with an old rate",
                  rate=RateHeads(material=Decimal("100.00")))
    add_rate(db, ADMIN, old.code, RateHeads(material=Decimal("200.00")),
             effective_from=TODAY + timedelta(days=10), tenant="od", today=TODAY)
    ctx = make_ctx(db, STATE_ADMIN)
    section = _section(qtbot, ctx)
    rate_column = section.model.column_of("Current rate (₹)")
    assert section.model.data(section.model.index(0, rate_column)) == "101.00"
    section.period_to.setDate(section.period_to.date().addDays(20))
    section.period_check.setChecked(True)
    qtbot.waitUntil(lambda: section.model.data(section.model.index(0, rate_column)) == "202.00",
                    timeout=WAIT)
    assert "period's last day" in section.rates_label.text()
    wait_idle(qtbot, ctx)


def test_more_rows_are_fetched_on_scroll(qtbot: QtBot, db: Database) -> None:
    for number in range(PAGE_SIZE + 30):
        new_sor(db, type_code="M", sub_type="NA1", variant="NA", uom="KG",
                description=f"Test material number {number:03d}")
    ctx = make_ctx(db, STATE_ADMIN)
    section = _section(qtbot, ctx)
    qtbot.waitUntil(lambda: section.model.rowCount() == PAGE_SIZE, timeout=WAIT)
    assert section.count_label.text() == f"{PAGE_SIZE + 30} SORs"
    assert section.model.canFetchMore(section.model.index(-1, -1).parent())
    section.table.scrollToBottom()
    qtbot.waitUntil(lambda: section.model.rowCount() == PAGE_SIZE + 30, timeout=WAIT)
    codes = _codes(section)
    assert len(set(codes)) == len(codes) == PAGE_SIZE + 30
    assert codes == sorted(codes)
    wait_idle(qtbot, ctx)


def _open_dialog(section: SorSection) -> SorViewDialog | None:
    found = section.findChildren(SorViewDialog)
    return found[0] if found else None


def test_enter_opens_view_sor(qtbot: QtBot, admin_section: SorSection) -> None:
    assert admin_section.select_code("DEMO-W-008")
    admin_section.table.setFocus()
    qtbot.keyClick(admin_section.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _open_dialog(admin_section) is not None, timeout=WAIT)
    dialog = _open_dialog(admin_section)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert dialog.code_label.text() == "DEMO-W-008"
    assert dialog.demo_badge.isVisibleTo(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_double_click_opens_view_sor(qtbot: QtBot, admin_section: SorSection) -> None:
    row = _codes(admin_section).index("DEMO-M-004")
    rect = admin_section.table.visualRect(admin_section.model.index(row, 1))
    # a press first: the view opens the row it was pressed on
    qtbot.mousePress(admin_section.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(admin_section.table.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())
    qtbot.waitUntil(lambda: _open_dialog(admin_section) is not None, timeout=WAIT)
    dialog = _open_dialog(admin_section)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert dialog.detail is not None
    assert dialog.detail.code == "DEMO-M-004"
    assert not dialog.isModal()
    dialog.close()


def test_down_from_search_goes_to_results(qtbot: QtBot, admin_section: SorSection) -> None:
    admin_section.focus_search()
    qtbot.keyClick(admin_section.search_edit, Qt.Key.Key_Down)
    assert admin_section.selected_row() is not None


def _menu_texts(section: SorSection) -> set[str]:
    return {a.text() for a in section.actions_for_menu}


def _toolbar_texts(section: SorSection) -> set[str]:
    return {a.text() for a in section.toolbar.actions() if a.isVisible()}


def test_state_admin_sees_every_action_with_shortcuts(admin_section: SorSection) -> None:
    expected = {"Find SOR", "Open SOR…", "New SOR…", "Add / revise rate…", "Modify…",
                "Rate analysis…", "Import…"}
    assert _menu_texts(admin_section) == expected
    shortcuts = {a.text(): a.shortcut() for a in admin_section.actions_for_menu}
    assert shortcuts["New SOR…"] == QKeySequence("Ctrl+N")
    assert shortcuts["Find SOR"] == QKeySequence("Ctrl+F")
    assert shortcuts["Add / revise rate…"] == QKeySequence("Ctrl+R")
    assert shortcuts["Import…"] == QKeySequence("Ctrl+I")
    # row actions wait for a row
    assert not admin_section.add_rate_action.isEnabled()
    admin_section.select_code("DEMO-M-001")
    assert admin_section.add_rate_action.isEnabled()
    assert not admin_section.analysis_action.isEnabled()  # not a works item
    admin_section.select_code("DEMO-W-001")
    assert admin_section.analysis_action.isEnabled()


def test_junior_engineer_sees_no_administration(qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, JE, tenant="od.dhenkanal")
    section = _section(qtbot, ctx)
    assert _menu_texts(section) == {"Find SOR", "Open SOR…"}
    assert _toolbar_texts(section) == {"Open SOR…"}
    for action in (section.new_action, section.import_action, section.add_rate_action,
                   section.modify_action, section.analysis_action):
        assert not action.isVisible()
        assert not action.isEnabled()
    assert section.new_sor() is None
    assert section.import_file() is None
    # Ctrl+N does nothing for a JE
    section.activateWindow()
    qtbot.keyClick(section.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not section.findChildren(QDialog)
    # and the View SOR dialog offers no changes
    section.select_code("DEMO-W-002")
    dialog = section.open_selected()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert not dialog.add_rate_button.isVisibleTo(dialog)
    assert not dialog.modify_button.isVisibleTo(dialog)
    assert not dialog.analysis_button.isVisibleTo(dialog)
    dialog.close()
    wait_idle(qtbot, ctx)


def test_city_admin_adds_rates_but_creates_no_sors(qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, frozenset({Role.MDMS_CITY_ADMIN, Role.ESTIMATE_CREATOR}),
                   tenant="od.dhenkanal")
    section = _section(qtbot, ctx)
    texts = _menu_texts(section)
    assert "Add / revise rate…" in texts
    assert "New SOR…" not in texts
    assert "Modify…" not in texts
    assert "Rate analysis…" not in texts
    assert "Import…" in texts  # own-ULB rates only; the importer checks what a file changes
    assert "New SOR…" not in _toolbar_texts(section)
    assert "(Dhenkanal)" in section.rates_label.text()
    wait_idle(qtbot, ctx)


def test_sor_table_model_passes_modeltester(qtmodeltester: ModelTester,
                                            admin_section: SorSection) -> None:
    qtmodeltester.check(admin_section.model)


def test_a_rate_saved_from_the_list_shows_in_the_list(qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, STATE_ADMIN)
    section = _section(qtbot, ctx)
    section.select_code("DEMO-W-005")
    dialog = section.add_rate_selected()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    for key, edit in dialog.heads.edits.items():
        edit.setText({"material": "1307.80", "labour": "3598.02", "conveyance": "66.01",
                      "royalty": "4.55"}.get(key, ""))
    with qtbot.waitSignal(section.searched, timeout=WAIT):
        dialog.save_button.click()
    row = _codes(section).index("DEMO-W-005")
    model = section.model
    assert model.data(model.index(row, model.column_of("Current rate (₹)"))) == "5,026.14"
    assert model.data(model.index(row, model.column_of("Effective from"))) == "21/11/2026"
    assert section.selected_row() is not None
    assert section.selected_row().code == "DEMO-W-005"  # the selection survives the refresh
    wait_idle(qtbot, ctx)


def test_view_sor_adds_a_rate_and_reloads(qtbot: QtBot, demo_db: Database) -> None:
    ctx = make_ctx(demo_db, STATE_ADMIN)
    section = _section(qtbot, ctx)
    view = section.open_sor("DEMO-M-001")
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    assert view.history_model.rowCount() == 1
    view.add_rate_button.click()
    qtbot.waitUntil(lambda: bool(view.findChildren(AddRateDialog)), timeout=WAIT)
    add = view.findChildren(AddRateDialog)[0]
    qtbot.waitUntil(lambda: add.detail is not None, timeout=WAIT)
    add.heads.edits["material"].setText("1,000.00")
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        add.save_button.click()
    assert view.history_model.rowCount() == 2
    assert "₹ 1,255.00 per CUM" in view.current_label.text()  # 1000 + 180 + 75
    view.close()
    wait_idle(qtbot, ctx)


def test_a_period_that_ends_before_it_starts_is_refused_inline(qtbot: QtBot,
                                                              admin_section: SorSection) -> None:
    admin_section.period_from.setDate(admin_section.period_to.date().addDays(5))
    admin_section.period_check.setChecked(True)
    qtbot.waitUntil(lambda: admin_section.message.isVisibleTo(admin_section), timeout=WAIT)
    assert "'to' is before 'from'" in admin_section.message.text()
    admin_section.period_check.setChecked(False)
    qtbot.waitUntil(lambda: not admin_section.message.isVisibleTo(admin_section), timeout=WAIT)
