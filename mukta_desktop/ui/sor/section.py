"""The Schedule of Rates section of the main window: Search SOR and the SOR actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import financial_year_start, format_date
from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.domain.sor import SorType
from mukta_desktop.services.sor_catalog import SorQuery, search_sors
from mukta_desktop.services.sor_views import SorPage, SorRow

from ..context import UiContext
from ..messages import describe, report
from ..widgets import (
    InlineMessage,
    alive,
    configure_table,
    date_edit,
    debounce_timer,
    from_qdate,
    muted,
)
from . import permissions
from .analysis_dialog import RateAnalysisDialog
from .definition_dialogs import ModifySorDialog, NewSorDialog
from .filters import fill_sub_types, filter_combos, type_chosen
from .import_dialog import ImportDialog
from .models import SorTableModel
from .rate_dialog import AddRateDialog
from .view_dialog import SorViewDialog

SEARCH_DELAY_MS = 150
PAGE_SIZE = 200
_STATUSES = (("Active", "ACTIVE"), ("Inactive", "INACTIVE"), ("All statuses", None))


class SorSection(QWidget):
    """Search, view and administer SORs. `actions_for_menu` go to the main window's menu."""

    title = "Schedule of Rates"
    searched = Signal(object)  # the SorPage of a finished search (not of a page fetched later)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sorSection")
        self.ctx = ctx
        self._generation = 0
        self._query = SorQuery()
        masters = ctx.masters
        today = ctx.today()

        # Filters ------------------------------------------------------------------------
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("search")
        self.search_edit.setPlaceholderText("Search SORs: code or words of the description "
                                            "(any order)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.installEventFilter(self)
        self.type_combo, self.sub_type_combo, self.variant_combo = filter_combos(masters)
        self.type_combo.setObjectName("typeFilter")
        self.sub_type_combo.setObjectName("subTypeFilter")
        self.sub_type_combo.setMinimumContentsLength(18)
        self.sub_type_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.variant_combo.setObjectName("variantFilter")
        self.variant_combo.setMinimumContentsLength(16)
        self.variant_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.setToolTip("Status")
        for label, value in _STATUSES:
            self.status_combo.addItem(label, value)
        self._fill_sub_types()

        self.period_check = QCheckBox("Effective period")
        self.period_check.setObjectName("periodFilter")
        self.period_check.setToolTip("Show SORs with a rate in force during the period, with "
                                     "the rate in force on its last day")
        self.period_from = date_edit(financial_year_start(today))
        self.period_from.setObjectName("periodFrom")
        self.period_to = date_edit(today)
        self.period_to.setObjectName("periodTo")
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.rates_label = QLabel()
        self.rates_label.setObjectName("ratesAt")
        muted(self.rates_label)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.type_combo)
        filters.addWidget(self.sub_type_combo)
        filters.addWidget(self.variant_combo)
        filters.addWidget(self.status_combo)
        period = QHBoxLayout()
        period.addWidget(self.period_check)
        period.addWidget(QLabel("from"))
        period.addWidget(self.period_from)
        period.addWidget(QLabel("to"))
        period.addWidget(self.period_to)
        period.addSpacing(16)
        period.addWidget(self.rates_label, 1)
        period.addWidget(self.count_label)

        # Results --------------------------------------------------------------------------
        self.model = SorTableModel(
            {t.code: t.name for t in masters.sor_types},
            {s.code: s.name for s in masters.sub_types}, self)
        self.model.fetch_requested.connect(self._fetch_more)
        self.table = QTableView()
        self.table.setObjectName("results")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=1,
                        widths={0: 14, 2: 11, 3: 20, 4: 10, 5: 9, 6: 16, 7: 13})
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.message = InlineMessage()
        self.message.setObjectName("sectionMessage")

        # Actions --------------------------------------------------------------------------
        self.find_action = self._action("Find SOR", self.focus_search, "Ctrl+F")
        self.open_action = self._action("Open SOR…", self.open_selected)
        self.new_action = self._action("New SOR…", self.new_sor, "Ctrl+N",
                                       permissions.can_create_sor(ctx))
        self.add_rate_action = self._action("Add / revise rate…", self.add_rate_selected,
                                            "Ctrl+R", permissions.can_add_rate(ctx))
        self.modify_action = self._action("Modify…", self.modify_selected, None,
                                          permissions.can_modify_sor(ctx))
        self.analysis_action = self._action("Rate analysis…", self.analyse_selected, None,
                                            permissions.can_analyse(ctx))
        self.import_action = self._action("Import…", self.import_file, "Ctrl+I",
                                          permissions.can_import(ctx))
        self.actions_for_menu: list[QAction] = [
            a for a in (self.find_action, self.open_action, self.new_action,
                        self.add_rate_action, self.modify_action, self.analysis_action,
                        self.import_action) if a.isVisible()]
        self.toolbar = QToolBar("SOR actions")
        self.toolbar.setObjectName("sorToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.actions_for_menu:
            if action is not self.find_action:
                self.toolbar.addAction(action)
        # Row actions on the table's context menu too
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (self.open_action, self.add_rate_action, self.modify_action,
                       self.analysis_action):
            if action.isVisible():
                self.table.addAction(action)
        self.addActions(self.actions_for_menu)

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addLayout(period)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

        # Searching as you type ------------------------------------------------------------
        self.search_timer = debounce_timer(self, self.search_now, SEARCH_DELAY_MS)
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        for combo in (self.sub_type_combo, self.variant_combo, self.status_combo):
            combo.currentIndexChanged.connect(self.search_timer.start)
        self.period_check.toggled.connect(self._period_toggled)
        self.period_from.dateChanged.connect(self.search_timer.start)
        self.period_to.dateChanged.connect(self.search_timer.start)
        self._period_toggled(False)

        QWidget.setTabOrder(self.search_edit, self.type_combo)
        QWidget.setTabOrder(self.type_combo, self.sub_type_combo)
        QWidget.setTabOrder(self.sub_type_combo, self.variant_combo)
        QWidget.setTabOrder(self.variant_combo, self.status_combo)
        QWidget.setTabOrder(self.status_combo, self.period_check)
        QWidget.setTabOrder(self.period_check, self.period_from)
        QWidget.setTabOrder(self.period_from, self.period_to)
        QWidget.setTabOrder(self.period_to, self.table)
        self.setFocusProxy(self.search_edit)
        self._selection_changed()
        self.search_now()

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: str | None = None,
        allowed: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.rstrip('…')} ({QKeySequence(shortcut).toString()})")
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        action.setVisible(allowed)
        action.setEnabled(allowed)
        return action

    # -- filters ------------------------------------------------------------------------------
    def _fill_sub_types(self) -> None:
        fill_sub_types(self.sub_type_combo, self.ctx.masters, self.type_combo.currentData())

    def _type_changed(self) -> None:
        type_chosen(self.type_combo, self.sub_type_combo, self.variant_combo, self.ctx.masters)
        self.search_timer.start()

    def _period_toggled(self, on: bool) -> None:
        self.period_from.setEnabled(on)
        self.period_to.setEnabled(on)
        self.search_timer.start()

    def set_type_filter(self, type_code: str | None) -> None:
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(type_code)))

    def query(self, offset: int = 0) -> SorQuery:
        period = self.period_check.isChecked()
        return SorQuery(
            text=self.search_edit.text().strip(),
            type_code=self.type_combo.currentData(),
            sub_type_code=self.sub_type_combo.currentData(),
            variant_code=self.variant_combo.currentData(),
            status=self.status_combo.currentData(),
            period_from=from_qdate(self.period_from.date()) if period else None,
            period_to=from_qdate(self.period_to.date()) if period else None,
            tenant=self.ctx.actor.tenant,
            limit=PAGE_SIZE,
            offset=offset,
        )

    # -- searching ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload data (after an import, a sync or a change made in a dialog)."""
        self.search_now()

    def search_now(self) -> None:
        self.search_timer.stop()
        self._generation += 1
        generation = self._generation
        self._query = self.query()
        self._submit(self._query, generation, append=False)

    def _fetch_more(self, offset: int) -> None:
        query = replace(self._query, offset=offset)
        self._submit(query, self._generation, append=True)

    def _submit(self, query: SorQuery, generation: int, *, append: bool) -> None:
        db, today = self.ctx.db, self.ctx.today()

        def done(page: SorPage) -> None:
            if alive(self) and generation == self._generation:
                self._show_page(page, query, append=append)

        def failed(exc: Exception) -> None:
            if not alive(self) or generation != self._generation:
                report(exc)
                return
            report(exc)
            self.model.fetch_failed()
            self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: search_sors(db, query, today), done, failed)

    def _show_page(self, page: SorPage, query: SorQuery, *, append: bool) -> None:
        self.message.clear_message()
        if append:
            self.model.append_page(page)
        else:
            selected = self.selected_row()
            self.model.set_page(page)
            if selected is not None:
                self.select_code(selected.code)
        total = self.model.total
        self.count_label.setText(f"{format_indian(Decimal(total), 0)} SOR"
                                 + ("" if total == 1 else "s"))
        tenant = self.ctx.masters.tenant_name(query.tenant)
        if query.period_from is not None or query.period_to is not None:
            end = query.period_to or self.ctx.today()
            self.rates_label.setText(f"Rates in force on {format_date(end)}, the period's last "
                                     f"day ({tenant})")
        else:
            self.rates_label.setText(f"Rates in force today, {format_date(self.ctx.today())} "
                                     f"({tenant})")
        self._selection_changed()
        if not append:
            self.searched.emit(page)

    # -- selection and opening ----------------------------------------------------------------
    def selected_row(self) -> SorRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows:
            return self.model.row_at(rows[0].row())
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_code(self, code: str) -> bool:
        for row, sor in enumerate(self.model.rows):
            if sor.code == code:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _selection_changed(self, *_: QItemSelection) -> None:
        row = self.selected_row()
        has_row = row is not None
        ctx = self.ctx
        self.open_action.setEnabled(has_row)
        self.add_rate_action.setEnabled(has_row and permissions.can_add_rate(ctx))
        self.modify_action.setEnabled(has_row and permissions.can_modify_sor(ctx))
        self.analysis_action.setEnabled(
            row is not None and row.type_code == SorType.WORKS.value
            and permissions.can_analyse(ctx))

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_sor(row.code)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down or Enter in the search box moves to the results."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                    and self.model.rowCount() > 0:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if self.selected_row() is None:
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    # -- dialogs ------------------------------------------------------------------------------
    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_sor(self, code: str) -> SorViewDialog:
        """View SOR opens beside the list (not modal): several SORs can be compared."""
        dialog = SorViewDialog(self.ctx, code, self)
        dialog.changed.connect(self.refresh)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_selected(self) -> SorViewDialog | None:
        row = self.selected_row()
        return None if row is None else self.open_sor(row.code)

    def new_sor(self) -> NewSorDialog | None:
        if not permissions.can_create_sor(self.ctx):
            return None
        dialog = NewSorDialog(self.ctx, self)
        dialog.created.connect(self._created)
        self._show(dialog)
        return dialog

    def _created(self, detail: object) -> None:
        code = getattr(detail, "code", "")
        self.search_now()
        self.message.show_info(f"Created {code}.")

    def add_rate(self, code: str) -> AddRateDialog | None:
        if not permissions.can_add_rate(self.ctx):
            return None
        dialog = AddRateDialog(self.ctx, code, self)
        dialog.saved.connect(self.refresh)
        self._show(dialog)
        return dialog

    def add_rate_selected(self) -> AddRateDialog | None:
        row = self.selected_row()
        return None if row is None else self.add_rate(row.code)

    def modify(self, code: str) -> ModifySorDialog | None:
        if not permissions.can_modify_sor(self.ctx):
            return None
        dialog = ModifySorDialog(self.ctx, code, self)
        dialog.saved.connect(self.refresh)
        self._show(dialog)
        return dialog

    def modify_selected(self) -> ModifySorDialog | None:
        row = self.selected_row()
        return None if row is None else self.modify(row.code)

    def analyse(self, code: str) -> RateAnalysisDialog | None:
        if not permissions.can_analyse(self.ctx):
            return None
        dialog = RateAnalysisDialog(self.ctx, code, self)
        dialog.saved.connect(self.refresh)
        self._show(dialog)
        return dialog

    def analyse_selected(self) -> RateAnalysisDialog | None:
        row = self.selected_row()
        if row is None or row.type_code != SorType.WORKS.value:
            return None
        return self.analyse(row.code)

    def import_file(self) -> ImportDialog | None:
        if not permissions.can_import(self.ctx):
            return None
        dialog = ImportDialog(self.ctx, self)
        dialog.imported.connect(self._imported)
        self._show(dialog)
        return dialog

    def _imported(self, result: object) -> None:
        if getattr(result, "ok", False):
            self.refresh()

