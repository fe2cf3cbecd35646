"""The Inbox, the home screen: the estimates waiting for the signed-in user's roles, and the
user's own drafts. Enter or a double click opens one in the estimate viewer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QTableView, QToolBar, QVBoxLayout, QWidget

from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.estimate_views import EstimateSummary
from mukta_desktop.services.estimates import inbox

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, muted
from .estimate_view import EstimateViewer, open_estimate
from .models import InboxTableModel

ESTIMATE_ROLES = frozenset({Role.ESTIMATE_CREATOR, Role.ESTIMATE_VERIFIER,
                            Role.TECHNICAL_SANCTIONER, Role.ESTIMATE_APPROVER})


def split_inbox(
    items: Sequence[EstimateSummary], login: str
) -> tuple[list[EstimateSummary], list[EstimateSummary]]:
    """(waiting for the user, the user's own drafts). An estimate sent back to its creator
    (Pending correction) waits for them; a Drafted one is still their draft."""
    waiting: list[EstimateSummary] = []
    drafts: list[EstimateSummary] = []
    for item in items:
        own_draft = item.created_by == login and item.status is Status.DRAFTED
        (drafts if own_draft else waiting).append(item)
    return waiting, drafts


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


class InboxSection(QWidget):
    """What waits for the user. `loaded` carries the inbox after each refresh."""

    title = "Inbox"
    loaded = Signal(object)  # list[EstimateSummary]

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxSection")
        self.ctx = ctx
        self._generation = 0
        self.loaded_once = False
        tenant = ctx.masters.tenant_name(ctx.actor.tenant)

        self.greeting = muted(QLabel(f"{ctx.actor.name} · {tenant} — Enter or a double click "
                                     "opens an estimate"))
        self.greeting.setObjectName("inboxGreeting")
        self.waiting_caption = _caption("Waiting for you")
        self.waiting_caption.setObjectName("waitingCaption")
        self.waiting_model = InboxTableModel(parent=self)
        self.waiting_table = self._table(self.waiting_model, "waitingTable", "Waiting for you")
        self.waiting_empty = muted(QLabel())
        self.waiting_empty.setObjectName("waitingEmpty")
        self.waiting_empty.setWordWrap(True)
        self.drafts_caption = _caption("Your drafts")
        self.drafts_caption.setObjectName("draftsCaption")
        self.drafts_model = InboxTableModel(parent=self)
        self.drafts_table = self._table(self.drafts_model, "draftsTable", "Your drafts")
        self.drafts_empty = muted(QLabel())
        self.drafts_empty.setObjectName("draftsEmpty")
        self.drafts_empty.setWordWrap(True)
        self.message = InlineMessage()
        self.message.setObjectName("sectionMessage")

        self.open_action = QAction("Open estimate", self)
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.open_action.triggered.connect(self.open_selected)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.setToolTip("Refresh (F5)")
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh_action.triggered.connect(self.refresh)
        self.actions_for_menu: list[QAction] = [self.open_action, self.refresh_action]
        self.addActions(self.actions_for_menu)
        self.toolbar = QToolBar("Inbox actions")
        self.toolbar.setObjectName("inboxToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.open_action)
        self.toolbar.addAction(self.refresh_action)

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.greeting)
        layout.addWidget(self.waiting_caption)
        layout.addWidget(self.waiting_table, 3)
        layout.addWidget(self.waiting_empty)
        layout.addSpacing(8)
        layout.addWidget(self.drafts_caption)
        layout.addWidget(self.drafts_table, 2)
        layout.addWidget(self.drafts_empty)
        layout.addWidget(self.message)
        self.drafts_caption.setVisible(ctx.has(Role.ESTIMATE_CREATOR))
        self.drafts_table.setVisible(ctx.has(Role.ESTIMATE_CREATOR))
        self.setFocusProxy(self.waiting_table)
        self._update_actions()

    def _table(self, model: InboxTableModel, name: str, accessible: str) -> QTableView:
        table = QTableView()
        table.setObjectName(name)
        table.setModel(model)
        configure_table(table, stretch_column=1, widths={0: 19, 2: 25, 3: 15, 4: 19})
        table.setAccessibleName(accessible)
        table.activated.connect(lambda index, m=model: self._activated(m, index))
        table.selectionModel().selectionChanged.connect(
            lambda selected, _deselected, t=table: self._selection_changed(t, selected))
        return table

    # ---------------------------------------------------------------- loading
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def refresh(self, *_: object) -> None:
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor

        def done(items: list[EstimateSummary]) -> None:
            if alive(self) and generation == self._generation:
                self.show_items(items)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self) and generation == self._generation:
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: inbox(db, actor), done, failed)

    def show_items(self, items: list[EstimateSummary]) -> None:
        self.message.clear_message()
        self.loaded_once = True
        waiting, drafts = split_inbox(items, self.ctx.actor.login)
        for table, model, rows in ((self.waiting_table, self.waiting_model, waiting),
                                   (self.drafts_table, self.drafts_model, drafts)):
            selected = self._selected(table, model)
            model.set_rows(rows)
            if selected is not None:
                self._select(table, model, selected)
        self.waiting_caption.setText(f"Waiting for you ({len(waiting)})")
        self.drafts_caption.setText(f"Your drafts ({len(drafts)})")
        if not self.ctx.actor.roles & ESTIMATE_ROLES:
            self.waiting_empty.setText("Your roles take no part in the estimate workflow, so "
                                       "nothing waits for you here.")
        else:
            self.waiting_empty.setText("Nothing waits for you." if not waiting else "")
        self.waiting_empty.setVisible(not waiting)
        creator = self.ctx.has(Role.ESTIMATE_CREATOR)
        self.drafts_empty.setText("No drafts. Start an estimate from a project (Projects)."
                                  if creator and not drafts else "")
        self.drafts_empty.setVisible(creator and not drafts)
        self._update_actions()
        self.loaded.emit(items)

    # ---------------------------------------------------------------- selection, opening
    @staticmethod
    def _selected(table: QTableView, model: InboxTableModel) -> str | None:
        index = table.currentIndex()
        row = model.row_at(index.row()) if index.isValid() else None
        return None if row is None else row.number

    @staticmethod
    def _select(table: QTableView, model: InboxTableModel, number: str) -> None:
        for row, item in enumerate(model.rows):
            if item.number == number:
                table.selectRow(row)
                return

    def _selection_changed(self, table: QTableView, selected: QItemSelection) -> None:
        # One selection across the two lists: what Open opens.
        other = self.drafts_table if table is self.waiting_table else self.waiting_table
        if not selected.isEmpty() and other.selectionModel() is not None:
            other.selectionModel().clearSelection()
        self._update_actions()

    def selected_number(self) -> str | None:
        for table, model in ((self.waiting_table, self.waiting_model),
                             (self.drafts_table, self.drafts_model)):
            rows = table.selectionModel().selectedRows()
            row = model.row_at(rows[0].row()) if rows else None
            if row is not None:
                return row.number
        return None

    def _update_actions(self) -> None:
        self.open_action.setEnabled(self.selected_number() is not None)

    def _activated(self, model: InboxTableModel, index: QModelIndex) -> None:
        row = model.row_at(index.row())
        if row is not None:
            self.open_estimate(row.number)

    def open_selected(self) -> EstimateViewer | None:
        number = self.selected_number()
        return None if number is None else self.open_estimate(number)

    def open_estimate(self, number: str) -> EstimateViewer:
        return open_estimate(self.ctx, number, self, on_changed=self.refresh)
