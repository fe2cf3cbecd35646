"""File → Sync conflicts…: every change the head office server did not take, with the
reasons, and this PC's copy beside the server's, field by field (differences highlighted).
The engineer revises a refused MB or estimate (back to draft here), or takes the server's copy
of a record changed or approved there. Nothing is deleted either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.services.sync_conflicts import (
    CONFLICT,
    LOCKED,
    FieldComparison,
    HeldOperation,
    Resolution,
    held_operations,
    revise,
    use_server_copy,
)

from ..context import UiContext
from ..estimates.models import action_label, india_time, status_label
from ..messages import describe, report
from ..style import heading, hint
from ..widgets import InlineMessage, alive, configure_table, muted
from ..widgets.table_model import Column, ColumnsTableModel

ANSWER_LABELS = {
    CONFLICT: "Changed on the server",
    LOCKED: "Approved on the server",
    "REJECTED": "Refused by the server",
}
DIFFERENCE_BACKGROUND = QColor("#fff3cd")


def answer_label(state: str) -> str:
    return ANSWER_LABELS.get(state, state.capitalize())


class ConflictsTableModel(ColumnsTableModel[HeldOperation]):
    columns = (
        Column[HeldOperation]("Record", lambda h: h.record_label),
        Column[HeldOperation]("Number", lambda h: h.number or h.record_id),
        Column[HeldOperation]("Server's answer", lambda h: answer_label(h.state),
                              tooltip=lambda h: "\n".join(h.reasons)),
        Column[HeldOperation]("Step sent", lambda h: action_label(h.action) if h.action else ""),
        Column[HeldOperation]("Status here", lambda h: status_label(h.local_status) or
                              "not on this PC"),
        Column[HeldOperation]("Differences", lambda h: str(h.differences) if h.fields and
                              h.server_status else "—", right=True),
        Column[HeldOperation]("Answered (India time)",
                              lambda h: india_time(h.answered_at) if h.answered_at else ""),
    )

    def row_of(self, seq: int) -> int:
        for index, held in enumerate(self.rows):
            if held.seq == seq:
                return index
        return -1


class ComparisonTableModel(ColumnsTableModel[FieldComparison]):
    """The two copies field by field; a differing row is tinted and bold."""

    columns = (
        Column[FieldComparison]("Field", lambda f: f.label),
        Column[FieldComparison]("This PC sent", lambda f: f.local, tooltip=lambda f: f.local),
        Column[FieldComparison]("The server holds", lambda f: f.server,
                                tooltip=lambda f: f.server),
    )

    def extra_data(self, row: FieldComparison, column: int, role: int) -> Any:
        if not row.differs:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(DIFFERENCE_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None


class ConflictsDialog(QDialog):
    """Emits `resolved(Resolution)` after a choice changed local records."""

    resolved = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsDialog")
        self.setWindowTitle("Sync conflicts")
        self.ctx = ctx
        self.loaded_once = False
        self.busy = False
        self._generation = 0
        self._wanted_seq: int | None = None
        self.held: HeldOperation | None = None
        # Asked before the server's copy replaces local work (tests answer it themselves).
        self.confirm: Callable[[str], bool] = self._ask

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Sync conflicts", self, size_delta=2))
        layout.addWidget(hint(
            "Changes the head office server did not take. Nothing is lost: each stays here "
            "until you choose. Revise a refused MB or estimate (it comes back to draft, to "
            "correct and submit again), or use the server's copy of a record that was changed "
            "or approved there.", self))

        self.model = ConflictsTableModel(parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("conflictsTable")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=1, widths={0: 18, 2: 22, 3: 18, 4: 20, 5: 11,
                                                              6: 20})
        self.table.setAccessibleName("Sync conflicts")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = muted(QLabel("No conflicts: the server took everything this PC sent.",
                                  self))
        self.empty.setObjectName("conflictsEmpty")
        self.empty.setVisible(False)

        details = QWidget(self)
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(details)
        self.title.setObjectName("conflictTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.reasons = QLabel(details)
        self.reasons.setObjectName("conflictReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reasons.setStyleSheet("color: #b00020;")
        self.note = muted(QLabel(details))
        self.note.setObjectName("conflictNote")
        self.note.setWordWrap(True)
        self.only_differences = QCheckBox("Show only the fields that differ", details)
        self.only_differences.setObjectName("onlyDifferences")
        self.only_differences.toggled.connect(lambda _on: self._show_fields())
        self.comparison_model = ComparisonTableModel(parent=self)
        self.comparison = QTableView(details)
        self.comparison.setObjectName("comparisonTable")
        self.comparison.setModel(self.comparison_model)
        configure_table(self.comparison, widths={0: 34, 1: 26})
        self.comparison.horizontalHeader().setStretchLastSection(True)
        self.comparison.setAccessibleName("This PC's copy and the server's, field by field")
        details_layout.addWidget(self.title)
        details_layout.addWidget(self.reasons)
        details_layout.addWidget(self.note)
        details_layout.addWidget(self.only_differences)
        details_layout.addWidget(self.comparison, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("conflictsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty)

        self.message = InlineMessage(self)
        self.message.setObjectName("conflictsMessage")
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        self.revise_button = QPushButton("&Revise (back to draft)", self)
        self.revise_button.setObjectName("reviseButton")
        self.revise_button.setToolTip("Bring the refused record back to draft on this PC, to "
                                      "correct it and submit it again")
        self.revise_button.clicked.connect(self.revise_selected)
        self.server_copy_button = QPushButton("Use the &server's copy", self)
        self.server_copy_button.setObjectName("serverCopyButton")
        self.server_copy_button.setToolTip("Replace this PC's copy of the record with the "
                                           "server's")
        self.server_copy_button.clicked.connect(self.use_server_copy_selected)
        self.refresh_button = QPushButton("Re&fresh", self)
        self.refresh_button.setObjectName("conflictsRefreshButton")
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("conflictsCloseButton")
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.revise_button)
        buttons.addWidget(self.server_copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(1100, 720)
        self._show_held(None)

    # -- loading --------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous() and not self.loaded_once:
            self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor

        def done(found: list[HeldOperation]) -> None:
            if alive(self) and generation == self._generation:
                self.show_items(found)

        def failed(exc: Exception) -> None:
            if alive(self):
                report(exc)
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: held_operations(db, actor), done, failed)

    def show_items(self, items: list[HeldOperation]) -> None:
        wanted = self._wanted_seq if self._wanted_seq is not None else (
            self.held.seq if self.held is not None else None)
        self.model.set_rows(items)
        self.loaded_once = True
        self.empty.setVisible(not items)
        self.splitter.setVisible(bool(items))
        row = self.model.row_of(wanted) if wanted is not None else -1
        if items:
            self.table.selectRow(row if row >= 0 else 0)
        else:
            self._show_held(None)

    def select_seq(self, seq: int) -> None:
        """Select an operation once the list has it (e.g. the one a notice pointed at)."""
        self._wanted_seq = seq
        row = self.model.row_of(seq)
        if row >= 0:
            self.table.selectRow(row)

    # -- the chosen operation -------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        rows = self.model.rows
        held = rows[indexes[0].row()] if indexes and indexes[0].row() < len(rows) else None
        self._show_held(held)

    def _show_held(self, held: HeldOperation | None) -> None:
        self.held = held
        if held is None:
            self.title.setText("")
            self.reasons.setText("")
            self.note.setText("")
            self.comparison_model.set_rows([])
        else:
            self.title.setText(f"{held.record_label} {held.number} — {answer_label(held.state)}"
                               f" (operation {held.seq})")
            self.reasons.setText("\n".join(f"• {reason}" for reason in held.reasons))
            self.note.setText(self._note_for(held))
            self._show_fields()
        self._update_buttons()

    @staticmethod
    def _note_for(held: HeldOperation) -> str:
        step = ""
        if held.action:
            step = f"Step sent: {action_label(held.action)}"
            step += f" — “{held.comment}”. " if held.comment else ". "
        return step + ConflictsDialog._comparison_note(held)

    @staticmethod
    def _comparison_note(held: HeldOperation) -> str:
        if not held.server_status:
            return ("The server refused this change and kept its own copy as it was; here is "
                    "what this PC sent. " + (held.revise_note or "Revise it, correct it and "
                                             "submit it again."))
        version = f"version {held.server_version}" if held.server_version else "its copy"
        text = (f"The server holds {version} ({status_label(held.server_status)}); this PC sent "
                f"{status_label(held.sent_status)}. Differences are highlighted.")
        if held.server_copy_note:
            text += f" {held.server_copy_note}"
        return text

    def _show_fields(self) -> None:
        held = self.held
        if held is None:
            self.comparison_model.set_rows([])
            return
        fields = [f for f in held.fields if f.differs or not self.only_differences.isChecked()]
        self.comparison_model.set_rows(fields)
        self.comparison.setColumnHidden(2, not held.server_status)

    def _update_buttons(self) -> None:
        held = self.held
        self.revise_button.setEnabled(held is not None and held.can_revise and not self.busy)
        self.revise_button.setToolTip(held.revise_note if held and held.revise_note else
                                      "Bring the refused record back to draft on this PC")
        self.server_copy_button.setEnabled(
            held is not None and held.can_use_server_copy and not self.busy)
        self.server_copy_button.setToolTip(
            held.server_copy_note if held and held.server_copy_note else
            "Replace this PC's copy of the record with the server's")

    # -- choices --------------------------------------------------------------------------

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(
            self, "Use the server's copy", text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def revise_selected(self) -> None:
        held = self.held
        if held is None or not held.can_revise or self.busy:
            return
        db, actor, seq = self.ctx.db, self.ctx.actor, held.seq
        self._run(lambda: revise(db, actor, seq),
                  lambda r: (f"{r.record_label} {r.number} is back in draft: open it, correct "
                             "it and submit it again."))

    def use_server_copy_selected(self) -> None:
        held = self.held
        if held is None or not held.can_use_server_copy or self.busy:
            return
        if not self.confirm(
                f"Replace this PC's copy of {held.record_label} {held.number} with the "
                f"server's ({status_label(held.server_status)})? The change this PC sent is "
                "set aside (kept in the sync log, not sent again)."):
            return
        db, actor, seq = self.ctx.db, self.ctx.actor, held.seq
        self._run(lambda: use_server_copy(db, actor, seq),
                  lambda r: (f"{r.record_label} {r.number} now is the server's copy "
                             f"({status_label(r.after)})."))

    def _run(self, work: Callable[[], Resolution], said: Callable[[Resolution], str]) -> None:
        self.busy = True
        self._update_buttons()
        self.message.clear_message()

        def done(resolution: Resolution) -> None:
            if not alive(self):
                return
            self.busy = False
            self.message.show_info(said(resolution))
            self.resolved.emit(resolution)
            self.refresh()

        def failed(exc: Exception) -> None:
            if not alive(self):
                return
            self.busy = False
            report(exc)
            self.message.show_error(describe(exc))
            self._update_buttons()

        self.ctx.runner.submit(work, done, failed)
