"""One work order: its header, its items (estimate quantity against what approved MBs
measured), its MB history, and what may be done from here: a new MB for the next period,
the muster roll and purchase bill checks, complete, cancel (with a reason), close the project.

The view is a panel of the Work orders section and, opened from elsewhere (the Projects
section after a work order is made), a window of its own. MBs open in the MB editor window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.mb import Period
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.domain.roles import Role
from mukta_desktop.services.mb_views import (
    MbSummary,
    MbView,
    WorkOrderLine,
    WorkOrderStatus,
    WorkOrderView,
)
from mukta_desktop.services.measurement_books import create_mb
from mukta_desktop.services.work_orders import (
    WORK_ORDER_ROLES,
    cancel_work_order,
    close_project,
    complete_work_order,
    get_work_order,
)

from ..context import UiContext
from ..estimates.models import quantity_text, rupees
from ..estimates.templates_dialog import ServiceDialog
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, muted
from ..widgets.table_model import Column, ColumnsTableModel

T = TypeVar("T")
EDITOR_MISSING = "The MB editor is not part of this version yet."
MAX_REASON = 2000
WORK_ORDER_COLOURS = {
    WorkOrderStatus.ACTIVE: "#1565c0",
    WorkOrderStatus.COMPLETED: "#2e7d32",
    WorkOrderStatus.CANCELLED: "#b00020",
}
_BADGE = ("QLabel {{ background: {bg}; color: white; border-radius: 3px; padding: 2px 8px;"
          " font-weight: bold; }}")


# ---------------------------------------------------------------- shared pieces


def period_text(period: Period) -> str:
    """'01/11/2026 – 07/11/2026'."""
    return f"{format_date(period.start)} – {format_date(period.end)}"


def set_badge(label: QLabel, text: str, colour: str) -> None:
    label.setText(text)
    label.setStyleSheet(_BADGE.format(bg=colour))


def bold_label(text: str = "", scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def row_of(*items: QWidget | str) -> QHBoxLayout:
    """Widgets (and words between them) side by side at their own width, left-aligned."""
    row = QHBoxLayout()
    row.setSpacing(6)
    for item in items:
        row.addWidget(QLabel(item) if isinstance(item, str) else item)
    row.addStretch(1)
    return row


def add_row(form: QFormLayout, text: str, buddy: QWidget, *items: QWidget | str) -> None:
    """A form row whose label's shortcut (&) goes to `buddy`, the first of `items`."""
    label = QLabel(text)
    label.setBuddy(buddy)
    form.addRow(label, row_of(buddy, *items))


def may_manage_work_orders(ctx: UiContext) -> bool:
    """Create, cancel, complete work orders and close projects (the service checks again)."""
    return bool(ctx.actor.roles & WORK_ORDER_ROLES)


def open_mb(
    ctx: UiContext, number: str, host: QWidget, message: InlineMessage,
    on_changed: Callable[[], None] | None = None,
) -> bool:
    """Open MB `number` in the MB editor window, a window of `host`'s window (the main
    window); `message` says so when this build has no MB editor. `on_changed` runs after the
    editor changed the MB (an action, a photo) and when its window goes away: lists refresh."""
    try:
        from .editor_window import open_mb_editor
    except ImportError:
        message.show_error(EDITOR_MISSING)
        return False
    window: object = open_mb_editor(ctx, number, host.window())
    if on_changed is not None and isinstance(window, QObject):

        def refresh(*_: object) -> None:
            if alive(host):
                on_changed()

        window.destroyed.connect(refresh)
        changed = getattr(window, "changed", None)
        if isinstance(changed, SignalInstance):
            changed.connect(refresh)
    return True


def run_here(widget: QWidget, ctx: UiContext, message: InlineMessage, work: Callable[[], T],
             on_done: Callable[[T], None], on_failed: Callable[[], None] | None = None) -> None:
    """Run `work` on the runner; its refusal is said in `message` (then `on_failed` runs);
    results are dropped once `widget` is gone."""

    def done(result: T) -> None:
        if alive(widget):
            on_done(result)

    def failed(exc: Exception) -> None:
        report(exc)
        if alive(widget):
            message.show_error(describe(exc))
            if on_failed is not None:
                on_failed()

    ctx.runner.submit(work, done, failed)


def confirm(parent: QWidget, title: str, text: str, yes: str,
            on_yes: Callable[[], None]) -> QMessageBox:
    """Ask before an action that cannot be undone (the box is shown, not waited for)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("confirmBox")
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    yes_button.setObjectName("confirmYes")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: on_yes() if box.clickedButton() is yes_button else None)
    box.open()
    return box


# ---------------------------------------------------------------- table models

MB_NUMBER = Column[MbSummary]("Number", lambda m: m.number,
                              tooltip=lambda m: f"{m.number} · {m.status.label}\n"
                                                f"{m.work_order_number} · {m.project_number} — "
                                                f"{m.project_name}\nMade by {m.created_by}")
MB_WORK_ORDER = Column[MbSummary]("Work order", lambda m: m.work_order_number)
MB_PROJECT = Column[MbSummary]("Project", lambda m: f"{m.project_number} — {m.project_name}",
                               tooltip=lambda m: m.project_name)
MB_PERIOD = Column[MbSummary]("Period", lambda m: period_text(m.period))
MB_DATE = Column[MbSummary]("Measured on", lambda m: format_date(m.measurement_date),
                            tooltip=lambda _m: "Date of measurement")
MB_STATUS = Column[MbSummary]("Status", lambda m: m.status.label)
MB_AMOUNT = Column[MbSummary](
    "Amount (₹)", lambda m: format_money(m.total), right=True,
    tooltip=lambda m: f"Up to date with this MB: {rupees(m.cumulative_total)}")


class MbHistoryTableModel(ColumnsTableModel[MbSummary]):
    """The MBs of a work order, oldest period first."""

    columns = (MB_NUMBER, MB_DATE, MB_PERIOD, MB_AMOUNT, MB_STATUS)


def _code(line: WorkOrderLine) -> str:
    return line.sor_code or ("Non-SOR" if line.category is LineCategory.NON_SOR else "")


def _balance(line: WorkOrderLine) -> str:
    return quantity_text(line.estimate_quantity - line.measured_quantity)


class WorkOrderLinesTableModel(ColumnsTableModel[WorkOrderLine]):
    """The items of a work order: the estimate in force against approved MBs."""

    columns = (
        Column[WorkOrderLine]("No.", lambda w: str(w.position), right=True),
        Column[WorkOrderLine]("Code", _code),
        Column[WorkOrderLine]("Description", lambda w: w.description,
                              tooltip=lambda w: w.description),
        Column[WorkOrderLine]("Unit", lambda w: w.unit),
        Column[WorkOrderLine]("Estimate qty", lambda w: quantity_text(w.estimate_quantity),
                              right=True, tooltip=lambda _w: "Quantity of the estimate in force"),
        Column[WorkOrderLine]("Measured qty", lambda w: quantity_text(w.measured_quantity),
                              right=True, tooltip=lambda _w: "Measured in approved MBs"),
        Column[WorkOrderLine]("Balance qty", _balance, right=True,
                              tooltip=lambda _w: "Estimate quantity not measured yet"),
        Column[WorkOrderLine]("Measured (₹)", lambda w: format_money(w.measured_amount),
                              right=True),
    )


# ---------------------------------------------------------------- cancel


class CancelWorkOrderDialog(ServiceDialog):
    """Cancel a work order, saying why; the service's refusal is shown here."""

    cancelled = Signal(object)  # WorkOrderView

    def __init__(self, ctx: UiContext, number: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Cancel work order {number}", parent)
        self.setObjectName("cancelWorkOrderDialog")
        self.number = number
        self.ok_button.setText("Cancel work order")
        self.buttons.button(self.buttons.StandardButton.Cancel).setText("Keep it")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("cancelReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Why is the work order cancelled? Kept in its history "
                                       "with your name.")
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.reason.textChanged.connect(self._typed)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(QLabel(
            f"A cancelled work order takes no more MBs. {number} can be cancelled only while "
            "none of its MBs is approved; its estimate may then be awarded again.")))
        reason_label = QLabel("&Reason *")
        reason_label.setBuddy(self.reason)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        for label in self.findChildren(QLabel):
            label.setWordWrap(True)
        self.resize(520, self.sizeHint().height())

    def _typed(self) -> None:
        if self.message.kind == "error":
            self.message.clear_message()

    def submit(self) -> None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            self.message.show_error("Reason: say why the work order is cancelled.")
            self.reason.setFocus()
            return
        if len(reason) > MAX_REASON:
            self.message.show_error(f"Reason: at most {MAX_REASON} characters ({len(reason)} "
                                    "now).")
            return
        db, actor, number = self.ctx.db, self.ctx.actor, self.number

        def done(view: WorkOrderView) -> None:
            self.cancelled.emit(view)
            self.accept()

        self.run(lambda: cancel_work_order(db, actor, number, reason=reason), done)


# ---------------------------------------------------------------- the view


class WorkOrderPanel(QWidget):
    """Work order `number` (or none yet). `loaded(WorkOrderView)` after each load;
    `changed(number)` after anything that changed it (an MB made, cancelled, completed, the
    project closed), so lists refresh."""

    loaded = Signal(object)
    changed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workOrderPanel")
        self.ctx = ctx
        self.number: str | None = None
        self.view: WorkOrderView | None = None
        self.dialog: QDialog | None = None
        self._generation = 0
        self.manager = may_manage_work_orders(ctx)
        self.mb_creator = ctx.has(Role.MB_CREATOR)
        self._build()
        self.show_view(None)

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        self.title = bold_label("Choose a work order", 1.2)
        self.title.setObjectName("workOrderTitle")
        self.badge = QLabel()
        self.badge.setObjectName("workOrderBadge")
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addWidget(self.badge)
        title_row.addStretch(1)
        self.subtitle = muted(QLabel())
        self.subtitle.setObjectName("workOrderSubtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.checks_action = self._action(
            "Bill checks…", self.show_bill_checks, "Muster roll and purchase bill checks "
            "against the approved MBs")
        self.complete_action = self._action(
            "Complete", self.complete, "Mark the work order completed (its last MB approved)")
        self.cancel_action = self._action(
            "Cancel work order…", self.cancel, "Cancel, with a reason, while no MB is approved")
        self.close_project_action = self._action(
            "Close project", self.close_project, "Close the project: every work order "
            "completed or cancelled")
        # F5 is the section's (it reloads this view too); a window of its own takes it.
        self.refresh_action = self._action("Refresh", self.reload, "Read the work order again")
        self.toolbar = QToolBar("Work order actions")
        self.toolbar.setObjectName("workOrderToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.checks_action, self.complete_action, self.cancel_action,
                       self.close_project_action, self.refresh_action):
            self.toolbar.addAction(action)
            self.addAction(action)
        for action in (self.complete_action, self.cancel_action, self.close_project_action):
            action.setVisible(self.manager)
        self.message = InlineMessage()
        self.message.setObjectName("workOrderMessage")

        self.details = QGridLayout()
        self.details.setContentsMargins(0, 0, 0, 0)
        self.details.setHorizontalSpacing(12)
        self.detail_labels: dict[str, QLabel] = {}
        fields = (("organisation", "Organisation (CBO)"), ("dates", "Work from – to"),
                  ("estimate", "Estimate"), ("issued", "Work order date"),
                  ("period", "MB period"), ("totals", "Measured"))
        for position, (key, caption) in enumerate(fields):
            value = QLabel()
            value.setObjectName(f"detail-{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            row, column = position % 3, (position // 3) * 2
            self.details.addWidget(muted(QLabel(caption)), row, column)
            self.details.addWidget(value, row, column + 1)
            self.detail_labels[key] = value
        self.details.setColumnStretch(1, 3)
        self.details.setColumnStretch(3, 2)
        self.reason = QLabel()
        self.reason.setObjectName("workOrderReason")
        self.reason.setWordWrap(True)

        self.lines_model = WorkOrderLinesTableModel(parent=self)
        self.lines_table = QTableView()
        self.lines_table.setObjectName("workOrderLines")
        self.lines_table.setModel(self.lines_model)
        configure_table(self.lines_table, stretch_column=2,
                        widths={0: 4, 1: 12, 3: 5, 4: 13, 5: 13, 6: 12, 7: 12})
        self.lines_table.setAccessibleName("Work order items")
        self.lines_caption = bold_label("Items")
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.addWidget(self.lines_caption)
        lines_layout.addWidget(self.lines_table, 1)

        self.mbs_model = MbHistoryTableModel(parent=self)
        self.mbs_table = QTableView()
        self.mbs_table.setObjectName("workOrderMbs")
        self.mbs_table.setModel(self.mbs_model)
        configure_table(self.mbs_table, stretch_column=4, widths={0: 18, 1: 12, 2: 21, 3: 12})
        self.mbs_table.setAccessibleName("Measurement Books of the work order")
        self.mbs_table.activated.connect(self._mb_activated)
        self.mbs_caption = bold_label("Measurement Books")
        self.new_mb_button = QPushButton("New MB")
        self.new_mb_button.setObjectName("newMb")
        self.new_mb_button.clicked.connect(self.new_mb)
        self.open_mb_button = QPushButton("Open MB")
        self.open_mb_button.setObjectName("openMb")
        self.open_mb_button.clicked.connect(self.open_selected_mb)
        self.mbs_table.selectionModel().selectionChanged.connect(
            lambda *_: self._update_actions())
        self.refusal = muted(QLabel())
        self.refusal.setObjectName("newMbRefusal")
        self.refusal.setWordWrap(True)
        mb_buttons = QHBoxLayout()
        mb_buttons.addWidget(self.mbs_caption)
        mb_buttons.addStretch(1)
        mb_buttons.addWidget(self.new_mb_button)
        mb_buttons.addWidget(self.open_mb_button)
        mbs_box = QWidget()
        mbs_layout = QVBoxLayout(mbs_box)
        mbs_layout.setContentsMargins(0, 0, 0, 0)
        mbs_layout.addLayout(mb_buttons)
        mbs_layout.addWidget(self.refusal)
        mbs_layout.addWidget(self.mbs_table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(lines_box)
        self.splitter.addWidget(mbs_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([700, 560])

        layout = self.main_layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(title_row)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.message)
        layout.addLayout(self.details)
        layout.addWidget(self.reason)
        layout.addWidget(self.splitter, 1)

    def _action(self, text: str, slot: Callable[[], object], tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(text.rstrip("…").lower().replace(" ", "-"))
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        return action

    # ---------------------------------------------------------------- loading and showing
    def load(self, number: str | None) -> None:
        """Show work order `number` (None: none)."""
        self.number = number
        if number is None:
            self._generation += 1
            self.show_view(None)
            return
        self.reload()

    def reload(self) -> None:
        number = self.number
        if number is None:
            return
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor

        def done(view: WorkOrderView) -> None:
            if generation == self._generation:
                self.show_view(view)

        run_here(self, self.ctx, self.message, lambda: get_work_order(db, number, viewer=actor),
                 done)

    def show_view(self, view: WorkOrderView | None) -> None:
        self.view = view
        if view is None:
            self.title.setText("Choose a work order")
            self.badge.clear()
            self.badge.setStyleSheet("")
            self.subtitle.setText("Its items, its Measurement Books and what may be done "
                                  "with it are shown here.")
            for label in self.detail_labels.values():
                label.clear()
            self.reason.hide()
            self.lines_model.set_rows([])
            self.mbs_model.set_rows([])
            self.refusal.clear()
            self.refusal.hide()
            self.new_mb_button.setText("New MB")
            self._update_actions()
            return
        selected = self.selected_mb()
        self.number = view.number
        self.title.setText(f"Work order {view.number}")
        set_badge(self.badge, view.status.label, WORK_ORDER_COLOURS[view.status])
        # The ward is often in the project's name already.
        place = (f" · {view.location}" if view.location
                 and view.location.lower() not in view.project.name.lower() else "")
        self.subtitle.setText(f"{view.project.number} — {view.project.name}{place} · "
                              f"{view.tenant_name} · made by {view.created_by}")
        in_force = ("" if view.estimate_in_force == view.estimate_number
                    else f" (in force: {view.estimate_in_force})")
        labels = self.detail_labels
        labels["organisation"].setText(view.organisation)
        labels["dates"].setText(f"{format_date(view.start_date)} – {format_date(view.end_date)}")
        labels["estimate"].setText(f"{view.estimate_number}{in_force} · "
                                   f"{rupees(view.estimate_total)}")
        labels["issued"].setText(format_date(view.work_order_date))
        labels["period"].setText(f"{view.period_days} day{'' if view.period_days == 1 else 's'}")
        labels["totals"].setText(f"{rupees(view.measured_total)} in approved MBs")
        if view.status_reason:
            self.reason.setText(f"{view.status.label}: {view.status_reason}")
            self.reason.show()
        else:
            self.reason.hide()
        self.lines_model.set_rows(view.lines)
        self.lines_caption.setText(f"Items ({len(view.lines)})")
        self.mbs_model.set_rows(view.mbs)
        self.mbs_caption.setText(f"Measurement Books ({len(view.mbs)})")
        if selected is not None:
            self._select_mb(selected)
        if view.next_period is not None:
            self.new_mb_button.setText(f"New MB for {period_text(view.next_period)}")
            self.refusal.clear()
            self.refusal.hide()
        else:
            self.new_mb_button.setText("New MB")
            self.refusal.setText(view.new_mb_refusal)
            self.refusal.show()
        self._update_actions()
        self.loaded.emit(view)

    def _update_actions(self) -> None:
        view = self.view
        active = view is not None and view.status is WorkOrderStatus.ACTIVE
        self.new_mb_button.setEnabled(
            view is not None and view.next_period is not None and self.mb_creator)
        if view is not None and view.next_period is not None and not self.mb_creator:
            self.new_mb_button.setToolTip("Making MBs needs the MB_CREATOR role.")
        else:
            self.new_mb_button.setToolTip(
                "" if view is None or view.next_period is None
                else f"A new MB (draft) for {period_text(view.next_period)}, opened in the "
                     "MB editor")
        self.open_mb_button.setEnabled(self.selected_mb() is not None)
        self.checks_action.setEnabled(view is not None)
        self.complete_action.setEnabled(active and self.manager)
        self.cancel_action.setEnabled(active and self.manager)
        self.close_project_action.setEnabled(view is not None and self.manager)
        self.refresh_action.setEnabled(view is not None)

    def visible_actions(self) -> list[str]:
        """The texts of the toolbar's actions shown and enabled now (tests read them)."""
        return [a.text() for a in self.toolbar.actions() if a.isVisible() and a.isEnabled()]

    # ---------------------------------------------------------------- MBs
    def selected_mb(self) -> str | None:
        rows = self.mbs_table.selectionModel().selectedRows()
        row = self.mbs_model.row_at(rows[0].row()) if rows else None
        return None if row is None else row.number

    def _select_mb(self, number: str) -> None:
        for row, mb in enumerate(self.mbs_model.rows):
            if mb.number == number:
                self.mbs_table.selectRow(row)
                return

    def _mb_activated(self, index: QModelIndex) -> None:
        row = self.mbs_model.row_at(index.row())
        if row is not None:
            self.open_mb(row.number)

    def open_selected_mb(self) -> None:
        number = self.selected_mb()
        if number is not None:
            self.open_mb(number)

    def open_mb(self, number: str) -> bool:
        return open_mb(self.ctx, number, self, self.message, self._editor_changed)

    def _editor_changed(self) -> None:
        self.reload()
        if self.number is not None:
            self.changed.emit(self.number)

    def new_mb(self) -> None:
        view = self.view
        if view is None or view.next_period is None or not self.mb_creator:
            return
        self.new_mb_button.setEnabled(False)
        db, actor, today = self.ctx.db, self.ctx.actor, self.ctx.today()
        number, period = view.number, view.next_period

        def done(mb: MbView) -> None:
            self.message.show_info(f"Made {mb.number} for {period_text(mb.period)} as a draft. "
                                   "Measure it in the MB editor, then submit it.")
            self.reload()
            self.changed.emit(number)
            self.open_mb(mb.number)

        run_here(self, self.ctx, self.message,
                 lambda: create_mb(db, actor, number, today=today, period=period), done,
                 self.reload)

    # ---------------------------------------------------------------- actions
    def show_bill_checks(self) -> QDialog | None:
        view = self.view
        if view is None:
            return None
        from .bills_dialog import BillsDialog

        dialog = BillsDialog(self.ctx, view, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def cancel(self) -> CancelWorkOrderDialog | None:
        view = self.view
        if view is None or not self.manager:
            return None
        dialog = CancelWorkOrderDialog(self.ctx, view.number, self)
        dialog.cancelled.connect(self._cancelled)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _cancelled(self, view: WorkOrderView) -> None:
        self.show_view(view)
        self.message.show_info(f"Cancelled {view.number}.")
        self.changed.emit(view.number)

    def complete(self) -> QMessageBox | None:
        view = self.view
        if view is None or not self.manager:
            return None
        number, db, actor = view.number, self.ctx.db, self.ctx.actor

        def done(result: WorkOrderView) -> None:
            self.show_view(result)
            self.message.show_info(f"{number} is completed.")
            self.changed.emit(number)

        box = confirm(self, "Complete work order",
                      f"Mark {number} completed? It then takes no more MBs.", "Complete",
                      lambda: run_here(self, self.ctx, self.message,
                                       lambda: complete_work_order(db, actor, number), done))
        self.dialog = box
        return box

    def close_project(self) -> QMessageBox | None:
        view = self.view
        if view is None or not self.manager:
            return None
        number = view.number

        def closed() -> None:
            self.reload()
            self.changed.emit(number)

        self.dialog = ask_close_project(self, self.ctx, self.message, view.project.number,
                                        view.project.name, closed)
        return self.dialog


def ask_close_project(widget: QWidget, ctx: UiContext, message: InlineMessage, number: str,
                      name: str, on_closed: Callable[[], None]) -> QMessageBox:
    """Ask, then close project `number`; `message` says what came of it."""

    def done(_: None) -> None:
        message.show_info(f"Project {number} is closed.")
        on_closed()

    db, actor = ctx.db, ctx.actor
    return confirm(widget, "Close project",
                   f"Close project {number} — {name}? Every work order of it must be completed "
                   "or cancelled. A closed project takes no new estimates, work orders or MBs.",
                   "Close project",
                   lambda: run_here(widget, ctx, message, lambda: close_project(db, actor, number),
                                    done))


class WorkOrderWindow(WorkOrderPanel):
    """A work order in a window of its own (opened from the Projects section)."""

    def __init__(self, ctx: UiContext, number: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle(f"Work order {number}")
        self.main_layout.setContentsMargins(9, 9, 9, 9)
        self.resize(1180, 720)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.loaded.connect(self._titled)
        self.load(number)

    def _titled(self, view: WorkOrderView) -> None:
        self.setWindowTitle(f"Work order {view.number} — {view.project.name}")


def open_work_order(ctx: UiContext, number: str, parent: QWidget) -> WorkOrderWindow:
    """Show work order `number` in a window (an open one is raised and reloaded)."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, WorkOrderWindow) and widget.number == number \
                and widget.isVisible():
            widget.reload()
            widget.raise_()
            widget.activateWindow()
            return widget
    window = WorkOrderWindow(ctx, number, parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.raise_()
    return window
