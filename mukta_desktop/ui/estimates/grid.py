"""The measurement grid of the selected line: typed like a spreadsheet, from the keyboard.

- Typing on a cell starts editing it (F2 or a double click too); Tab or Enter commits the cell
  and moves on: +/− → name → No. → L → B → D → the next row (its name if this row was named,
  else its No.). Past the last row is the new row: typing there adds a row. Shift+Tab goes
  back. A cell typed wrong keeps its old value and the cursor stays on it.
- Delete removes the selected rows; Ctrl+C copies them as tab-separated text (Excel);
  Ctrl+V pastes rows from Excel below the current row (or one value into the current cell).
Each of these is one undoable command (undo.RowEditing: the estimate's or the MB's).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeyEvent, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from mukta_desktop.domain.errors import ValidationError

from ..widgets import InlineMessage
from .editor_models import MeasurementsTableModel
from .measure_text import is_single_cell, rows_from_tsv, rows_to_tsv
from .undo import RowEditing

M = MeasurementsTableModel
_ORDER = (M.KIND, M.NAME, M.NUMBER, M.LENGTH, M.BREADTH, M.DEPTH)
_Hint = QAbstractItemDelegate.EndEditHint
_Move = QAbstractItemView.CursorAction
REFUSED_FRAME = QColor("#b00020")
DONE_PREFIXES = ("Deleted", "Copied", "Pasted")  # what `message` says when it did something


AnyIndex = QModelIndex | QPersistentModelIndex


class FramingDelegate(QStyledItemDelegate):
    """Frames in red the cells `framed(index)` names: the frame shows also while the cell is
    selected (whose highlight would hide a red background)."""

    def __init__(self, framed: Callable[[AnyIndex], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.framed = framed

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().paint(painter, option, index)
        if self.framed(index):
            painter.save()
            painter.setPen(QPen(REFUSED_FRAME, 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
            painter.restore()


def _refused(index: AnyIndex) -> bool:
    model = index.model()
    return isinstance(model, MeasurementsTableModel) and model.refused_at(
        index.row(), index.column())


class _CellDelegate(FramingDelegate):
    """A plain line edit for every cell; numbers right-aligned; a refused cell framed in red."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_refused, parent)

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        editor.setMaxLength(500 if index.column() == M.NAME else 24)
        alignment = index.data(Qt.ItemDataRole.TextAlignmentRole)
        if alignment is not None:
            editor.setAlignment(Qt.AlignmentFlag(alignment))
        editor.setObjectName("cellEditor")
        return editor


class MeasurementGrid(QTableView):
    """A QTableView over the MeasurementsTableModel of `editing` (an estimate's or an MB's)."""

    message = Signal(str)  # what the grid did or refused, for the inline message

    def __init__(self, editing: RowEditing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.measurements = editing.measurements_model
        self.setObjectName("measurementGrid")
        self.setModel(self.measurements)
        self.setItemDelegate(_CellDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(M.NAME, QHeaderView.ResizeMode.Stretch)
        em = self.fontMetrics().averageCharWidth()
        for column, chars in {M.KIND: 5, M.NUMBER: 9, M.LENGTH: 11, M.BREADTH: 11,
                              M.DEPTH: 11, M.QUANTITY: 14}.items():
            self.setColumnWidth(column, chars * em)
        self.setAccessibleName("Measurements of the selected line")

        self.copy_action = self._action("Copy rows", "Ctrl+C", self.copy_rows)
        self.paste_action = self._action("Paste rows from Excel", "Ctrl+V", self.paste)
        self.delete_action = self._action("Delete rows", "Del", self.delete_rows)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _action(self, text: str, keys: str, slot: object) -> QAction:
        # The keys are handled in keyPressEvent (they must not fire while a cell is edited);
        # the menu shows them after a tab.
        action = QAction(f"{text}\t{keys}", self)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def say_in(self, message: InlineMessage) -> None:
        """Show in `message` what the grid did (green), what it refused and why (red); a cell
        typed right clears a refusal."""
        self.message.connect(
            lambda text: (message.show_info if text.startswith(DONE_PREFIXES)
                          else message.show_error)(text))
        self.measurements.input_error.connect(message.show_error)
        self.measurements.input_accepted.connect(
            lambda: message.clear_message() if message.kind == "error" else None)

    def set_read_only(self, read_only: bool) -> None:
        self.paste_action.setEnabled(not read_only)
        self.delete_action.setEnabled(not read_only)

    # ---------------------------------------------------------------- moving
    def next_index(self, index: QModelIndex, step: int) -> QModelIndex:
        """The cell Tab (step 1) or Shift+Tab (-1) moves to from `index`."""
        model = self.measurements
        if not index.isValid():
            return model.index(0, M.NUMBER) if model.rowCount() else QModelIndex()
        row, column = index.row(), index.column()
        position = _ORDER.index(column) if column in _ORDER else len(_ORDER) - 1
        if step > 0:
            if position + 1 < len(_ORDER):
                return model.index(row, _ORDER[position + 1])
            if row + 1 >= model.rowCount():
                return index
            current = model.row_at(row)
            start = M.NAME if current is not None and current.name else M.NUMBER
            return model.index(row + 1, start)
        if position > 0:
            return model.index(row, _ORDER[position - 1])
        return model.index(row - 1, M.DEPTH) if row > 0 else index

    def moveCursor(self, action: _Move, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        if action == _Move.MoveNext:
            return self.next_index(self.currentIndex(), 1)
        if action == _Move.MovePrevious:
            return self.next_index(self.currentIndex(), -1)
        return super().moveCursor(action, modifiers)

    def go_to(self, row: int, column: int) -> None:
        index = self.measurements.index(row, column)
        if index.isValid():
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.scrollTo(index)

    def _advance(self, step: int) -> None:
        current = self.currentIndex()
        target = self.next_index(current, step)
        if target.isValid() and target != current:
            self.go_to(target.row(), target.column())

    def closeEditor(self, editor: QWidget, hint: _Hint) -> None:
        """Tab, Shift+Tab and Enter commit the cell and move (not when it was refused)."""
        current = self.currentIndex()
        step = {_Hint.EditNextItem: 1, _Hint.SubmitModelCache: 1, _Hint.EditPreviousItem: -1}
        move = step.get(hint, 0)
        super().closeEditor(editor, _Hint.NoHint)
        if move and not self.measurements.refused_at(current.row(), current.column()):
            # the model may have changed under the index (a new row added): move from the
            # same cell of the new model
            self.go_to(current.row(), current.column())
            self._advance(move)

    # ---------------------------------------------------------------- keys
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._advance(-1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
                event.accept()
                return
            if key == Qt.Key.Key_Delete and not event.modifiers():
                self.delete_rows()
                event.accept()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_rows()
                event.accept()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                event.accept()
                return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- rows
    def selected_rows(self) -> list[int]:
        """Rows touched by the selection (or the current row), without the new row."""
        model = self.measurements
        rows = {i.row() for i in self.selectionModel().selectedIndexes()}
        if not rows and self.currentIndex().isValid():
            rows = {self.currentIndex().row()}
        return sorted(r for r in rows if model.row_at(r) is not None)

    def delete_rows(self) -> None:
        line = self.measurements.line
        if line is None or not self.measurements.editable:
            return
        rows = self.selected_rows()
        if not rows:
            return
        column = max(self.currentIndex().column(), 0)
        self.editing.remove_rows(line, rows)
        self.go_to(min(rows[0], self.measurements.rowCount() - 1), column)
        count = len(rows)
        self.message.emit(f"Deleted {count} row{'s' if count != 1 else ''} (Ctrl+Z brings "
                          f"{'them' if count != 1 else 'it'} back).")

    def copy_rows(self) -> None:
        model = self.measurements
        rows = [r for r in (model.row_at(n) for n in self.selected_rows()) if r is not None]
        if not rows:
            return
        QGuiApplication.clipboard().setText(rows_to_tsv(rows))
        count = len(rows)
        self.message.emit(f"Copied {count} row{'s' if count != 1 else ''}: paste them in "
                          "Excel or in another line.")

    def paste(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Paste rows (below the current row) or one value (into the current cell)."""
        model = self.measurements
        line = model.line
        if line is None or not model.editable:
            return False
        current = self.currentIndex()
        if is_single_cell(text) and text.strip() and current.isValid():
            return model.setData(current, text.strip())
        try:
            rows = rows_from_tsv(text)
        except ValidationError as exc:
            self.message.emit(exc.message)
            return False
        at = len(line.rows)
        if current.isValid() and model.row_at(current.row()) is not None:
            at = current.row() + 1
        count = len(rows)
        self.editing.add_rows(line, at, rows, f"Paste {count} row{'s' if count != 1 else ''}")
        self.go_to(at, M.NUMBER)
        self.selectionModel().select(
            self._row_range(at, at + count - 1),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )
        self.message.emit(f"Pasted {count} row{'s' if count != 1 else ''}.")
        return True

    def _row_range(self, first: int, last: int) -> QItemSelection:
        model = self.measurements
        return QItemSelection(model.index(first, 0), model.index(last, model.columnCount() - 1))
