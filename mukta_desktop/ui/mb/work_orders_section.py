"""The Work orders section: the ULB's work orders (filtered by words and status) above the work
order chosen, with its items, its MBs and what may be done with it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.services.mb_views import WorkOrderStatus, WorkOrderSummary, WorkOrderView
from mukta_desktop.services.work_orders import list_work_orders

from ..context import UiContext
from ..widgets import InlineMessage, configure_table, muted
from ..widgets.table_model import Column, ColumnsTableModel
from .work_order_dialog import WorkOrderDialog, open_work_order_dialog
from .work_order_view import WorkOrderPanel, may_manage_work_orders, run_here


def _tooltip(w: WorkOrderSummary) -> str:
    return (f"{w.number} · {w.status.label}\n{w.project_number} — {w.project_name}\n"
            f"Estimate {w.estimate_number} · {w.organisation}\nMade by {w.created_by}")


class WorkOrdersTableModel(ColumnsTableModel[WorkOrderSummary]):
    columns = (
        Column[WorkOrderSummary]("Number", lambda w: w.number, tooltip=_tooltip),
        Column[WorkOrderSummary]("Project", lambda w: f"{w.project_number} — {w.project_name}",
                                 tooltip=lambda w: w.project_name),
        Column[WorkOrderSummary]("Estimate", lambda w: w.estimate_number),
        Column[WorkOrderSummary]("Organisation", lambda w: w.organisation,
                                 tooltip=lambda w: w.organisation),
        Column[WorkOrderSummary]("Start", lambda w: format_date(w.start_date)),
        Column[WorkOrderSummary]("End", lambda w: format_date(w.end_date)),
        Column[WorkOrderSummary]("Status", lambda w: w.status.label),
    )


def matches(order: WorkOrderSummary, text: str) -> bool:
    """Every word of `text` in the number, project, estimate or organisation (any case)."""
    haystack = " ".join((order.number, order.project_number, order.project_name,
                         order.estimate_number, order.organisation)).lower()
    return all(word in haystack for word in text.lower().split())


class WorkOrdersSection(QWidget):
    """`listed(list[WorkOrderSummary])` after each load of the list (before the word filter)."""

    title = "Work orders"
    listed = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workOrdersSection")
        self.ctx = ctx
        self._generation = 0
        self._all: list[WorkOrderSummary] = []
        self._select_after_load: str | None = None
        self.loaded_once = False
        self.manager = may_manage_work_orders(ctx)
        self.dialog: WorkOrderDialog | None = None

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("workOrderFilter")
        self.filter_edit.setPlaceholderText("Filter: number, project, estimate or organisation")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(lambda _t: self._apply_filter())
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("workOrderStatusFilter")
        self.status_combo.addItem("All statuses", None)
        for status in WorkOrderStatus:
            self.status_combo.addItem(status.label, status.value)
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count_label = muted(QLabel())
        self.count_label.setObjectName("workOrderCount")
        self.model = WorkOrdersTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("workOrders")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=1,
                        widths={0: 19, 2: 19, 3: 30, 4: 11, 5: 11, 6: 11})
        self.table.setAccessibleName("Work orders")
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.empty = muted(QLabel())
        self.empty.setObjectName("workOrdersEmpty")
        self.empty.setWordWrap(True)
        self.message = InlineMessage()
        self.message.setObjectName("sectionMessage")

        self.panel = WorkOrderPanel(ctx)
        self.panel.changed.connect(lambda _number: self.refresh())

        self.new_action = QAction("New work order…", self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_action.setToolTip("Award an approved estimate to an organisation "
                                   f"({self.new_action.shortcut().toString()})")
        self.new_action.triggered.connect(lambda _checked=False: self.new_work_order())
        self.new_action.setVisible(self.manager)
        self.new_action.setEnabled(self.manager)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.setToolTip("Refresh (F5)")
        self.refresh_action.triggered.connect(self.refresh)
        for action in (self.new_action, self.refresh_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.actions_for_menu: list[QAction] = [
            a for a in (self.new_action, self.refresh_action) if a.isVisible()]
        self.addActions(self.actions_for_menu)
        self.toolbar = QToolBar("Work order actions")
        self.toolbar.setObjectName("workOrdersToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions(self.actions_for_menu)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.count_label)
        top_layout.addLayout(filters)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([170, 610])
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self.setFocusProxy(self.filter_edit)

    # ---------------------------------------------------------------- loading
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def statuses(self) -> list[WorkOrderStatus]:
        status = self.status_combo.currentData()
        return [] if status is None else [WorkOrderStatus(status)]

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        db, tenant, statuses = self.ctx.db, self.ctx.actor.tenant, self.statuses()

        def done(orders: list[WorkOrderSummary]) -> None:
            if generation == self._generation:
                self._show_orders(orders)

        run_here(self, self.ctx, self.message,
                 lambda: list_work_orders(db, tenant=tenant, statuses=statuses), done)

    def _show_orders(self, orders: list[WorkOrderSummary]) -> None:
        if self.message.kind == "error":
            self.message.clear_message()
        self.loaded_once = True
        self._all = orders
        self._apply_filter()
        self.listed.emit(orders)

    def _apply_filter(self) -> None:
        wanted = self._select_after_load or self.selected_number()
        self._select_after_load = None
        text = self.filter_edit.text()
        shown = [o for o in self._all if matches(o, text)]
        self.model.set_rows(shown)
        self._say_count(shown, self._all)
        if wanted is None or not self.select_number(wanted):
            if shown and text.strip():
                self.table.selectRow(0)
            else:
                self._selected()

    def _say_count(self, shown: Sequence[WorkOrderSummary],
                   every: Sequence[WorkOrderSummary]) -> None:
        count = len(shown)
        of = f" of {len(every)}" if count != len(every) else ""
        self.count_label.setText(f"{count}{of} work order{'' if len(every) == 1 else 's'}")
        if every:
            self.empty.setText("" if shown else "No work order matches the filter.")
        elif self.statuses():
            self.empty.setText(f"No {self.statuses()[0].label.lower()} work orders.")
        else:
            self.empty.setText("No work orders yet. Award an approved estimate with "
                               "\u201cNew work order…\u201d (or from the estimate in "
                               "Projects)." if self.manager else "No work orders yet.")
        self.empty.setVisible(not shown)

    # ---------------------------------------------------------------- selection
    def selected_number(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        return None if row is None else row.number

    def select_number(self, number: str) -> bool:
        for row, order in enumerate(self.model.rows):
            if order.number == number:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                self._selected()  # reload it even when it was selected already
                return True
        return False

    def _selected(self, *_: QItemSelection) -> None:
        self.panel.load(self.selected_number())

    # ---------------------------------------------------------------- new
    def new_work_order(self, estimate_number: str | None = None) -> WorkOrderDialog | None:
        if not self.manager:
            return None
        self.dialog = open_work_order_dialog(self.ctx, estimate_number, self, self._created)
        return self.dialog

    def _created(self, view: WorkOrderView) -> None:
        self.filter_edit.blockSignals(True)
        self.filter_edit.clear()
        self.filter_edit.blockSignals(False)
        self._select_after_load = view.number
        self.message.show_info(f"Created {view.number} for {view.estimate_number}, awarded to "
                               f"{view.organisation}.")
        if self.status_combo.currentIndex() != 0:
            self.status_combo.setCurrentIndex(0)  # refreshes
        else:
            self.refresh()
