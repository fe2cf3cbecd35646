"""The SOR search panel of the estimate editor: find a SOR and add it as a line.

Type, sub type and variant filters and as-you-type text, searched on the runner (debounced;
a result that arrives after a newer search is dropped). The rate column is the rate in force
on the estimate's date for the estimate's ULB, so a SOR without one shows no rate. Enter or a
double click asks to add the SOR (`chosen`); the editor prices it through the service.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.sor import SorStatus
from mukta_desktop.services.sor_catalog import SorQuery, search_sors
from mukta_desktop.services.sor_views import SorPage, SorRow

from ..context import UiContext
from ..messages import describe, report
from ..sor.filters import fill_sub_types, filter_combos, type_chosen
from ..sor.models import SorTableModel
from ..widgets import InlineMessage, alive, configure_table, debounce_timer, muted

SEARCH_DELAY_MS = 150
PAGE_SIZE = 100
RATE_COLUMN = 6
# SorTableModel columns shown here: code, description, unit, rate (the caption under the
# table names the date the rates are in force on)
_SHOWN = (0, 1, 4, RATE_COLUMN)


class _PickerTableModel(SorTableModel):
    """The SOR search results, the rate column named for what it is here."""

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (section == RATE_COLUMN and orientation == Qt.Orientation.Horizontal
                and role == Qt.ItemDataRole.DisplayRole):
            return "Rate (₹)"
        return super().headerData(section, orientation, role)


class SorPicker(QWidget):
    """Search active SORs with the rate in force on a date for a ULB; choose one to add."""

    chosen = Signal(str)  # the SOR code
    searched = Signal(object)  # SorPage of a finished search (tests wait for it)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sorPicker")
        self.ctx = ctx
        self._generation = 0
        self._at: date = ctx.today()
        self._tenant = ctx.actor.tenant
        self._query = SorQuery()
        masters = ctx.masters

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("sorSearch")
        self.search_edit.setPlaceholderText("Find a SOR: code or words (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Find a SOR to add")
        self.search_edit.installEventFilter(self)
        self.type_combo, self.sub_type_combo, self.variant_combo = filter_combos(masters)
        self.type_combo.setObjectName("sorType")
        self.sub_type_combo.setObjectName("sorSubType")
        self.variant_combo.setObjectName("sorVariant")
        for combo in (self.type_combo, self.sub_type_combo, self.variant_combo):
            combo.setMinimumContentsLength(10)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._fill_sub_types()

        self.model = _PickerTableModel(
            {t.code: t.name for t in masters.sor_types},
            {s.code: s.name for s in masters.sub_types}, self)
        self.model.fetch_requested.connect(self._fetch_more)
        self.table = QTableView()
        self.table.setObjectName("sorResults")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=1, widths={0: 12, 4: 6, RATE_COLUMN: 11})
        for column in range(self.model.columnCount()):
            self.table.setColumnHidden(column, column not in _SHOWN)
        self.table.doubleClicked.connect(self._activated)
        self.table.installEventFilter(self)
        self.table.setToolTip("Enter or double-click adds the SOR as a line")
        self.rates_label = muted(QLabel())
        self.rates_label.setObjectName("sorRatesAt")
        self.rates_label.setWordWrap(True)
        self.count_label = muted(QLabel())
        self.message = InlineMessage()
        self.message.setObjectName("sorPickerMessage")

        filters = QGridLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.search_edit, 0, 0, 1, 3)
        filters.addWidget(self.type_combo, 1, 0)
        filters.addWidget(self.sub_type_combo, 1, 1)
        filters.addWidget(self.variant_combo, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        footer = QVBoxLayout()
        footer.addWidget(self.rates_label)
        footer.addWidget(self.count_label)
        layout.addLayout(footer)
        layout.addWidget(self.message)

        self.search_timer = debounce_timer(self, self.search_now, SEARCH_DELAY_MS)
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self.sub_type_combo.currentIndexChanged.connect(self.search_timer.start)
        self.variant_combo.currentIndexChanged.connect(self.search_timer.start)
        QWidget.setTabOrder(self.search_edit, self.table)
        QWidget.setTabOrder(self.table, self.type_combo)
        QWidget.setTabOrder(self.type_combo, self.sub_type_combo)
        QWidget.setTabOrder(self.sub_type_combo, self.variant_combo)
        self.setFocusProxy(self.search_edit)

    # ---------------------------------------------------------------- filters
    def _fill_sub_types(self) -> None:
        fill_sub_types(self.sub_type_combo, self.ctx.masters, self.type_combo.currentData())

    def _type_changed(self) -> None:
        type_chosen(self.type_combo, self.sub_type_combo, self.variant_combo, self.ctx.masters)
        self.search_timer.start()

    def set_rates_at(self, at: date, tenant: str) -> None:
        """Show rates in force on `at` for `tenant` (the estimate's date and ULB)."""
        if (at, tenant) != (self._at, self._tenant) or not self._generation:
            self._at, self._tenant = at, tenant
            self.search_now()

    def query(self, offset: int = 0) -> SorQuery:
        return SorQuery(
            text=self.search_edit.text().strip(),
            type_code=self.type_combo.currentData(),
            sub_type_code=self.sub_type_combo.currentData(),
            variant_code=self.variant_combo.currentData(),
            status=SorStatus.ACTIVE.value,
            at=self._at,
            tenant=self._tenant,
            limit=PAGE_SIZE,
            offset=offset,
        )

    # ---------------------------------------------------------------- searching
    def search_now(self) -> None:
        self.search_timer.stop()
        self._generation += 1
        self._query = self.query()
        self._submit(self._query, self._generation, append=False)

    def _fetch_more(self, offset: int) -> None:
        self._submit(replace(self._query, offset=offset), self._generation, append=True)

    def _submit(self, query: SorQuery, generation: int, *, append: bool) -> None:
        db, today = self.ctx.db, self.ctx.today()

        def done(page: SorPage) -> None:
            if alive(self) and generation == self._generation:
                self._show_page(page, query, append=append)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self) and generation == self._generation:
                self.model.fetch_failed()
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: search_sors(db, query, today), done, failed)

    def _show_page(self, page: SorPage, query: SorQuery, *, append: bool) -> None:
        if append:
            self.model.append_page(page)
            return
        self.model.set_page(page)
        total = self.model.total
        self.count_label.setText(f"{total:,} active SOR{'s' if total != 1 else ''} found")
        tenant = self.ctx.masters.tenant_name(query.tenant)
        self.rates_label.setText(
            f"Rates in force on {format_date(query.at)}, the estimate date ({tenant})")
        if page.rows:
            self.table.selectRow(0)
        self.searched.emit(page)

    # ---------------------------------------------------------------- choosing
    def selected_row(self) -> SorRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def choose_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.message.clear_message()
            self.chosen.emit(row.code)

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.message.clear_message()
            self.chosen.emit(row.code)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box goes to the results, Enter adds the selected SOR; Enter in
        the results adds the SOR under the cursor."""
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search_edit and self.model.rowCount() > 0:
            if key == Qt.Key.Key_Down:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
            if enter:
                if self.search_timer.isActive():
                    self.search_now()  # the results do not match the text yet
                    return True
                self.choose_selected()
                return True
        if watched is self.table and enter:
            self.choose_selected()
            return True
        return super().eventFilter(watched, event)
