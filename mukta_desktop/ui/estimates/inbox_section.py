"""The Inbox, the home screen: the estimates waiting for the signed-in user's roles and the
user's own drafts, then the Measurement Books waiting for the user (and their MB drafts).
Enter or a double click opens an estimate in the estimate viewer, an MB in the MB editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QAbstractItemModel, QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QTableView, QToolBar, QVBoxLayout, QWidget

from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.estimate_views import EstimateSummary
from mukta_desktop.services.estimates import inbox
from mukta_desktop.services.mb_views import MbSummary
from mukta_desktop.services.measurement_books import mb_inbox

from ..context import UiContext
from ..mb.work_order_view import (
    MB_AMOUNT,
    MB_NUMBER,
    MB_PERIOD,
    MB_PROJECT,
    MB_STATUS,
    MB_WORK_ORDER,
    open_mb,
)
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, muted
from ..widgets.table_model import Column, ColumnsTableModel
from .estimate_view import EstimateViewer, open_estimate
from .models import InboxTableModel, india_time

ESTIMATE_ROLES = frozenset({Role.ESTIMATE_CREATOR, Role.ESTIMATE_VERIFIER,
                            Role.TECHNICAL_SANCTIONER, Role.ESTIMATE_APPROVER})
MB_ROLES = frozenset({Role.MB_CREATOR, Role.MB_VERIFIER, Role.MB_APPROVER})


class _Owned(Protocol):
    @property
    def created_by(self) -> str: ...

    @property
    def status(self) -> Status: ...


R = TypeVar("R", bound=_Owned)
AnyRowsModel = ColumnsTableModel[Any]  # the estimate lists and the MB list


def split_inbox(items: Sequence[R], login: str) -> tuple[list[R], list[R]]:
    """(waiting for the user, the user's own drafts). A record sent back to its creator
    (Pending correction) waits for them; a Drafted one is still their draft."""
    waiting: list[R] = []
    drafts: list[R] = []
    for item in items:
        own_draft = item.created_by == login and item.status is Status.DRAFTED
        (drafts if own_draft else waiting).append(item)
    return waiting, drafts


class MbInboxTableModel(ColumnsTableModel[MbSummary]):
    """MBs waiting for the user, then the user's MB drafts."""

    columns = (
        MB_NUMBER,
        MB_WORK_ORDER,
        MB_PROJECT,
        MB_PERIOD,
        MB_STATUS,
        MB_AMOUNT,
        Column[MbSummary]("Updated", lambda m: india_time(m.updated_at)),
    )


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
                                     "opens an estimate or an MB"))
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
        self.mbs_caption = _caption("Measurement Books for you")
        self.mbs_caption.setObjectName("mbsCaption")
        self.mbs_model = MbInboxTableModel(parent=self)
        self.mbs_table = self._table(self.mbs_model, "mbsTable", "Measurement Books for you")
        configure_table(self.mbs_table, stretch_column=2,
                        widths={0: 19, 1: 19, 3: 22, 4: 19, 5: 13, 6: 16})
        self.mbs_empty = muted(QLabel())
        self.mbs_empty.setObjectName("mbsEmpty")
        self.mbs_empty.setWordWrap(True)
        self.mb_items: list[MbSummary] = []
        self.message = InlineMessage()
        self.message.setObjectName("sectionMessage")

        self.open_action = QAction("Open", self)
        self.open_action.setToolTip("Open the chosen estimate or MB (Enter)")
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
        layout.addSpacing(8)
        layout.addWidget(self.mbs_caption)
        layout.addWidget(self.mbs_table, 2)
        layout.addWidget(self.mbs_empty)
        layout.addWidget(self.message)
        self.drafts_caption.setVisible(ctx.has(Role.ESTIMATE_CREATOR))
        self.drafts_table.setVisible(ctx.has(Role.ESTIMATE_CREATOR))
        self.mb_roles = bool(ctx.actor.roles & MB_ROLES)
        self.mbs_caption.setVisible(self.mb_roles)
        self.mbs_table.setVisible(self.mb_roles)
        self.setFocusProxy(self.waiting_table)
        self._update_actions()

    def _table(self, model: QAbstractItemModel, name: str, accessible: str) -> QTableView:
        table = QTableView()
        table.setObjectName(name)
        table.setModel(model)
        configure_table(table, stretch_column=1, widths={0: 19, 2: 25, 3: 15, 4: 19})
        table.setAccessibleName(accessible)
        table.activated.connect(lambda index, t=table: self._activated(t, index))
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

        def done(found: tuple[list[EstimateSummary], list[MbSummary]]) -> None:
            if alive(self) and generation == self._generation:
                self.show_mbs(found[1])
                self.show_items(found[0])

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self) and generation == self._generation:
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: (inbox(db, actor), mb_inbox(db, actor)), done, failed)

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

    def show_mbs(self, items: list[MbSummary]) -> None:
        """The MBs waiting for the user first, then the user's own MB drafts."""
        waiting, drafts = split_inbox(items, self.ctx.actor.login)
        self.mb_items = waiting + drafts
        selected = self._selected(self.mbs_table, self.mbs_model)
        self.mbs_model.set_rows(self.mb_items)
        if selected is not None:
            self._select(self.mbs_table, self.mbs_model, selected)
        count = f"{len(waiting)} waiting" + (f", {len(drafts)} your draft"
                                            f"{'' if len(drafts) == 1 else 's'}"
                                            if drafts else "")
        self.mbs_caption.setText(f"Measurement Books for you ({count})")
        self.mbs_empty.setText("" if self.mb_items else "No MB waits for you.")
        self.mbs_empty.setVisible(self.mb_roles and not self.mb_items)

    # ---------------------------------------------------------------- selection, opening
    def _lists(self) -> tuple[tuple[QTableView, AnyRowsModel], ...]:
        return ((self.waiting_table, self.waiting_model), (self.drafts_table, self.drafts_model),
                (self.mbs_table, self.mbs_model))

    @staticmethod
    def _selected(table: QTableView, model: AnyRowsModel) -> str | None:
        index = table.currentIndex()
        row = model.row_at(index.row()) if index.isValid() else None
        return None if row is None else row.number

    @staticmethod
    def _select(table: QTableView, model: AnyRowsModel, number: str) -> None:
        for row, item in enumerate(model.rows):
            if item.number == number:
                table.selectRow(row)
                return

    def _selection_changed(self, table: QTableView, selected: QItemSelection) -> None:
        # One selection across the lists: what Open opens.
        if selected.isEmpty():
            self._update_actions()
            return
        for other, _model in self._lists():
            if other is not table and other.selectionModel() is not None:
                other.selectionModel().clearSelection()
        self._update_actions()

    def _selected_in(self) -> tuple[QTableView, str] | None:
        for table, model in self._lists():
            rows = table.selectionModel().selectedRows()
            row = model.row_at(rows[0].row()) if rows else None
            if row is not None:
                return table, row.number
        return None

    def selected_number(self) -> str | None:
        found = self._selected_in()
        return None if found is None else found[1]

    def _update_actions(self) -> None:
        self.open_action.setEnabled(self.selected_number() is not None)

    def _activated(self, table: QTableView, index: QModelIndex) -> None:
        for candidate, model in self._lists():
            row = model.row_at(index.row()) if candidate is table else None
            if row is not None and table is self.mbs_table:
                self.open_mb(row.number)
            elif row is not None:
                self.open_estimate(row.number)

    def open_selected(self) -> EstimateViewer | None:
        found = self._selected_in()
        if found is None:
            return None
        table, number = found
        if table is self.mbs_table:
            self.open_mb(number)
            return None
        return self.open_estimate(number)

    def open_estimate(self, number: str) -> EstimateViewer:
        return open_estimate(self.ctx, number, self, on_changed=self.refresh)

    def open_mb(self, number: str) -> bool:
        """Open an MB in the MB editor window (a window of the main window)."""
        return open_mb(self.ctx, number, self, self.message, self.refresh)
