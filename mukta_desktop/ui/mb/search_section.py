"""The Measurement Books section: Search MB by ward, project name, MB number, status and the
dates it was created between; Enter or a double click opens an MB in the MB editor."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.mb_views import MbSummary
from mukta_desktop.services.measurement_books import search_mbs

from ..context import UiContext
from ..widgets import (
    InlineMessage,
    configure_table,
    date_edit,
    debounce_timer,
    from_qdate,
    muted,
)
from ..widgets.table_model import Column, ColumnsTableModel
from .work_order_view import (
    MB_AMOUNT,
    MB_DATE,
    MB_NUMBER,
    MB_PERIOD,
    MB_PROJECT,
    MB_STATUS,
    MB_WORK_ORDER,
    open_mb,
    run_here,
)

SEARCH_DELAY_MS = 200
MAX_FIELD = 200
CREATED_DAYS_BACK = 30  # "created between" first proposes the last 30 days


class MbSearchTableModel(ColumnsTableModel[MbSummary]):
    columns = (
        MB_NUMBER,
        MB_WORK_ORDER,
        MB_PROJECT,
        Column[MbSummary]("Ward", lambda m: m.ward),
        MB_PERIOD,
        MB_DATE,
        MB_STATUS,
        MB_AMOUNT,
    )


class MbSearchSection(QWidget):
    """`searched(list[MbSummary])` after each search."""

    title = "Measurement Books"
    searched = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mbSearchSection")
        self.ctx = ctx
        self._generation = 0
        today = ctx.today()

        self.ward_edit = self._text("mbWard", "e.g. 5")
        self.project_edit = self._text("mbProjectName", "words of the project's name")
        self.number_edit = self._text("mbNumber", "e.g. MB/2026-27/000012 or 12")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("mbStatusFilter")
        self.status_combo.addItem("All statuses", None)
        for status in Status:
            self.status_combo.addItem(status.label, status.value)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.search_now())
        self.created_check = QCheckBox("Created between")
        self.created_check.setObjectName("mbCreatedFilter")
        self.created_from = date_edit(today - timedelta(days=CREATED_DAYS_BACK))
        self.created_from.setObjectName("mbCreatedFrom")
        self.created_to = date_edit(today)
        self.created_to.setObjectName("mbCreatedTo")
        for date_field in (self.created_from, self.created_to):
            date_field.setEnabled(False)
            date_field.dateChanged.connect(lambda _d: self._dates_changed())
        self.created_check.toggled.connect(self._created_toggled)
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("mbSearchButton")
        self.search_button.clicked.connect(self.search_now)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("mbClearButton")
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        for position, (text, field) in enumerate((
                ("&Ward", self.ward_edit), ("&Project name", self.project_edit),
                ("MB &number", self.number_edit), ("&Status", self.status_combo))):
            label = QLabel(text)
            label.setBuddy(field)
            row, column = divmod(position, 3)
            grid.addWidget(label, row, column * 2)
            grid.addWidget(field, row, column * 2 + 1)
        created = QHBoxLayout()
        created.setSpacing(6)
        created.addWidget(self.created_check)
        created.addWidget(self.created_from)
        created.addWidget(QLabel("and"))
        created.addWidget(self.created_to)
        created.addStretch(1)
        grid.addLayout(created, 1, 2, 1, 3)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.clear_button)
        grid.addLayout(buttons, 1, 5)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 3)
        grid.setColumnStretch(5, 2)

        self.count_label = muted(QLabel())
        self.count_label.setObjectName("mbCount")
        self.model = MbSearchTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("mbResults")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=2,
                        widths={0: 19, 1: 19, 3: 7, 4: 23, 5: 12, 6: 20, 7: 14})
        self.table.setAccessibleName("Measurement Books found")
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = muted(QLabel())
        self.empty.setObjectName("mbEmpty")
        self.empty.setWordWrap(True)
        self.message = InlineMessage()
        self.message.setObjectName("sectionMessage")

        self.open_action = QAction("Open MB", self)
        self.open_action.setToolTip("Open the chosen MB in the MB editor (Enter)")
        self.open_action.triggered.connect(self.open_selected)
        self.find_action = QAction("Find MB", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.setToolTip("Find MB (Ctrl+F)")
        self.find_action.triggered.connect(self.focus_filters)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.setToolTip("Refresh (F5)")
        self.refresh_action.triggered.connect(self.search_now)
        self.actions_for_menu: list[QAction] = [self.find_action, self.open_action,
                                                self.refresh_action]
        for action in self.actions_for_menu:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addActions(self.actions_for_menu)
        self.toolbar = QToolBar("Measurement Book actions")
        self.toolbar.setObjectName("mbSearchToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.open_action)
        self.toolbar.addAction(self.refresh_action)

        caption = QHBoxLayout()
        caption.addWidget(muted(QLabel("Enter or a double click opens an MB")))
        caption.addStretch(1)
        caption.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(grid)
        layout.addLayout(caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.message)
        self.search_timer = debounce_timer(self, self.search_now, SEARCH_DELAY_MS)
        for text_edit in (self.ward_edit, self.project_edit, self.number_edit):
            text_edit.textChanged.connect(lambda _t: self.search_timer.start())
            text_edit.returnPressed.connect(self.search_now)
        self.setFocusProxy(self.ward_edit)
        self._selection_changed()

    def _text(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setMaxLength(MAX_FIELD)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        return edit

    # ---------------------------------------------------------------- filters
    def _created_toggled(self, on: bool) -> None:
        self.created_from.setEnabled(on)
        self.created_to.setEnabled(on)
        self.search_now()

    def _dates_changed(self) -> None:
        if self.created_check.isChecked():
            self.search_timer.start()

    def created_between(self) -> tuple[date | None, date | None]:
        if not self.created_check.isChecked():
            return None, None
        return from_qdate(self.created_from.date()), from_qdate(self.created_to.date())

    def statuses(self) -> list[Status]:
        status = self.status_combo.currentData()
        return [] if status is None else [Status(status)]

    def clear_filters(self) -> None:
        for widget in (self.ward_edit, self.project_edit, self.number_edit, self.status_combo,
                       self.created_check):
            widget.blockSignals(True)
        self.ward_edit.clear()
        self.project_edit.clear()
        self.number_edit.clear()
        self.status_combo.setCurrentIndex(0)
        self.created_check.setChecked(False)
        self.created_from.setEnabled(False)
        self.created_to.setEnabled(False)
        for widget in (self.ward_edit, self.project_edit, self.number_edit, self.status_combo,
                       self.created_check):
            widget.blockSignals(False)
        self.search_now()

    def focus_filters(self) -> None:
        self.ward_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.ward_edit.selectAll()

    # ---------------------------------------------------------------- searching
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.search_now()

    def refresh(self) -> None:
        self.search_now()

    def search_now(self) -> None:
        self.search_timer.stop()
        created_from, created_to = self.created_between()
        if created_from is not None and created_to is not None and created_to < created_from:
            self.message.show_error("Created between: the second date is before the first.")
            return
        self._generation += 1
        generation = self._generation
        db, tenant = self.ctx.db, self.ctx.actor.tenant
        ward, project = self.ward_edit.text(), self.project_edit.text()
        number, statuses = self.number_edit.text(), self.statuses()

        def done(found: list[MbSummary]) -> None:
            if generation == self._generation:
                self._show(found)

        run_here(self, self.ctx, self.message, lambda: search_mbs(
            db, tenant=tenant, ward=ward, project_name=project, number=number,
            statuses=statuses, created_from=created_from, created_to=created_to), done)

    def _show(self, found: list[MbSummary]) -> None:
        if self.message.kind == "error":
            self.message.clear_message()
        selected = self.selected_number()
        self.model.set_rows(found)
        count = len(found)
        self.count_label.setText(f"{count} MB{'' if count == 1 else 's'}")
        filtered = any((self.ward_edit.text().strip(), self.project_edit.text().strip(),
                        self.number_edit.text().strip(), self.statuses(),
                        self.created_check.isChecked()))
        self.empty.setText("" if found else "No MB matches these filters." if filtered
                           else "No Measurement Books yet. Make one from a work order "
                                "(Work orders).")
        self.empty.setVisible(not found)
        if selected is not None:
            for row, mb in enumerate(found):
                if mb.number == selected:
                    self.table.selectRow(row)
        self._selection_changed()
        self.searched.emit(found)

    # ---------------------------------------------------------------- opening
    def selected_number(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        return None if row is None else row.number

    def _selection_changed(self, *_: QItemSelection) -> None:
        self.open_action.setEnabled(self.selected_number() is not None)

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_mb(row.number)

    def open_selected(self) -> None:
        number = self.selected_number()
        if number is not None:
            self.open_mb(number)

    def open_mb(self, number: str) -> bool:
        return open_mb(self.ctx, number, self, self.message, self.search_now)
