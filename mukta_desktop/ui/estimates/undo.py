"""Every change to the estimate being edited is an undoable command (QUndoStack).

`EstimateEditing` is the one way in: the models' edit requests, the grid's add/delete/paste,
adding lines and overheads, the header. Each becomes a command whose redo/undo change the
document (document.py) through the `apply_*` methods here, which also tell the Qt models
exactly what changed — one row, one line, the overhead amounts — so nothing is recomputed or
repainted that did not change.

`RowEditing`, its base, holds what any editor of lines with measurement rows shares (the rows
model, the row commands, the undo stack); the MB editor builds on it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from mukta_desktop.domain.measurements import MeasurementRow
from mukta_desktop.services.estimate_views import OverheadDraft

from .document import DocLine, EstimateDocument
from .editor_models import LinesTableModel, MeasurementsTableModel, OverheadsTableModel

NO_COLUMN = -1


class RowEditing(QObject):
    """A document's measurement rows, their table model and the undo stack: what every editor
    of lines with measurement rows shares (the estimate editor, the MB editor). Subclasses
    say what else shows a line's figures (`_line_figures_changed`) and may give their own
    rows model (`_rows_model`)."""

    changed = Signal()  # the document changed (autosave listens)
    figures_changed = Signal()  # totals or the analysis may show new figures
    # Undo and redo show where they changed something: the line (None: none), a row of its
    # grid (-1: none) and a column.
    focus_requested = Signal(object, int, int)

    def __init__(self, document: EstimateDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.editable = True
        self.measurements_model = self._rows_model()
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(1000)
        self.measurements_model.row_edit_requested.connect(self._row_edit_requested)

    def _rows_model(self) -> MeasurementsTableModel:
        return MeasurementsTableModel(self.document, self)

    def _push(self, command: QUndoCommand) -> None:
        if self.editable:
            self.stack.push(command)

    # ---------------------------------------------------------------- what users do
    def _row_edit_requested(
        self, line: DocLine, row: int, new: MeasurementRow, column: int
    ) -> None:
        self.set_row(line, row, new, column)

    def set_row(
        self, line: DocLine, row: int, new: MeasurementRow, column: int = NO_COLUMN
    ) -> None:
        """Change one row; a row just past the last one is added."""
        if row == len(line.rows):
            self._push(_InsertRows(self, line, row, [new], "Add a measurement row", column))
        else:
            self._push(_SetRow(self, line, row, new, column))

    def add_rows(self, line: DocLine, at: int, rows: Sequence[MeasurementRow], text: str) -> None:
        if rows:
            self._push(_InsertRows(self, line, at, list(rows), text, NO_COLUMN))

    def remove_rows(self, line: DocLine, positions: Sequence[int]) -> None:
        valid = sorted({p for p in positions if 0 <= p < len(line.rows)})
        if valid:
            count = len(valid)
            text = "Delete a measurement row" if count == 1 else f"Delete {count} rows"
            self._push(_RemoveRows(self, line, valid, text))

    # ---------------------------------------------------------------- applying (commands)
    def _line_figures_changed(self, line: DocLine) -> None:
        """The figures of `line` (and so the totals) changed: tell what shows them."""
        raise NotImplementedError

    def apply_set_row(self, line: DocLine, row: int, new: MeasurementRow) -> MeasurementRow:
        old = self.document.set_row(line, row, new)
        if self.measurements_model.shows(line):
            self.measurements_model.rows_changed(row, row)
        self._line_figures_changed(line)
        return old

    def apply_insert_rows(self, line: DocLine, at: int, rows: Sequence[MeasurementRow]) -> None:
        model = self.measurements_model
        if model.shows(line):
            with model.inserting(at, len(rows)):
                self.document.insert_rows(line, at, rows)
        else:
            self.document.insert_rows(line, at, rows)
        self._line_figures_changed(line)

    def apply_remove_rows(
        self, line: DocLine, positions: Sequence[int]
    ) -> list[tuple[int, MeasurementRow]]:
        removed: list[tuple[int, MeasurementRow]] = []
        model = self.measurements_model
        for first, last in reversed(_blocks(positions)):
            block = range(first, last + 1)
            if model.shows(line):
                with model.removing(first, last):
                    removed[:0] = self.document.remove_rows(line, block)
            else:
                removed[:0] = self.document.remove_rows(line, block)
        self._line_figures_changed(line)
        return removed

    def apply_restore_rows(
        self, line: DocLine, removed: Sequence[tuple[int, MeasurementRow]]
    ) -> None:
        model = self.measurements_model
        positions = [p for p, _ in removed]
        rows = dict(removed)
        for first, last in _blocks(positions):
            block = [(p, rows[p]) for p in range(first, last + 1)]
            if model.shows(line):
                with model.inserting(first, len(block)):
                    self.document.restore_rows(line, block)
            else:
                self.document.restore_rows(line, block)
        self._line_figures_changed(line)


class EstimateEditing(RowEditing):
    """The document, its three table models and the undo stack, kept in step."""

    line_added = Signal(object)  # DocLine: select it
    header_changed = Signal()

    def __init__(self, document: EstimateDocument, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.lines_model = LinesTableModel(document, self)
        self.overheads_model = OverheadsTableModel(document, self)
        self.lines_model.line_edit_requested.connect(self.edit_line)
        self.overheads_model.overhead_edit_requested.connect(self.edit_overhead)

    # ---------------------------------------------------------------- set-up
    def set_document(self, document: EstimateDocument) -> None:
        """Show another document (after loading); the undo history starts afresh."""
        self.stack.clear()
        self.document = document
        for model in (self.lines_model, self.measurements_model, self.overheads_model):
            model.set_document(document)
        self.figures_changed.emit()
        self.header_changed.emit()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for model in (self.lines_model, self.measurements_model, self.overheads_model):
            model.set_editable(editable)
        if not editable:
            self.stack.clear()

    # ---------------------------------------------------------------- what users do
    def add_line(self, line: DocLine, at: int | None = None) -> None:
        position = len(self.document.lines) if at is None else at
        self._push(_InsertLine(self, position, line))

    def remove_line(self, line: DocLine) -> None:
        self._push(_RemoveLine(self, self.document.index_of(line)))

    def edit_line(self, line: DocLine, changes: dict[str, object]) -> None:
        self._push(_EditLine(self, line, dict(changes)))

    def set_reason(self, line: DocLine, reason: str) -> None:
        """A revision line's reason for deviation, as typed: keystrokes typed in a row on
        the same line merge into one command (one Ctrl+Z takes the typing back)."""
        if reason != line.reason:
            self._push(_EditReason(self, line, reason))

    def finish_reason(self) -> None:
        """Typing the reason ended (Enter, focus elsewhere): the next keystroke is a new
        command."""
        index = self.stack.index()
        top = self.stack.command(index - 1) if index > 0 else None
        if isinstance(top, _EditReason):
            top.typing = False

    def add_overhead(self, overhead: OverheadDraft) -> None:
        """Refused (ValidationError) when the code is already on the estimate."""
        self.document.check_new_overhead(overhead)
        self._push(_InsertOverhead(self, len(self.document.overheads), overhead))

    def remove_overhead(self, position: int) -> None:
        if 0 <= position < len(self.document.overheads):
            self._push(_RemoveOverhead(self, position))

    def edit_overhead(self, position: int, overhead: OverheadDraft) -> None:
        self._push(_SetOverhead(self, position, overhead))

    def set_header(self, *, estimate_date: date, description: str) -> None:
        doc = self.document
        if (estimate_date, description) != (doc.estimate_date, doc.description):
            self._push(_SetHeader(self, estimate_date, description))

    # ---------------------------------------------------------------- applying (commands)
    def _line_figures_changed(self, line: DocLine) -> None:
        self.lines_model.line_changed(self.document.index_of(line))
        self._figures_changed()

    def _figures_changed(self) -> None:
        self.overheads_model.amounts_changed()
        self.figures_changed.emit()
        self.changed.emit()

    def apply_insert_line(self, at: int, line: DocLine) -> None:
        with self.lines_model.inserting(at):
            self.document.insert_line(at, line)
        self.measurements_model.renumbered()
        self._figures_changed()

    def apply_remove_line(self, at: int) -> DocLine:
        line = self.document.lines[at]
        if self.measurements_model.shows(line):
            self.measurements_model.set_line(None)
        with self.lines_model.removing(at):
            self.document.remove_line(at)
        self.measurements_model.renumbered()
        self._figures_changed()
        return line

    def apply_update_line(self, line: DocLine, changes: dict[str, object]) -> dict[str, object]:
        old = self.document.update_line(line, changes)
        self._line_figures_changed(line)
        return old

    def apply_insert_overhead(self, at: int, overhead: OverheadDraft) -> None:
        with self.overheads_model.inserting(at):
            self.document.insert_overhead(at, overhead)
        self._figures_changed()

    def apply_remove_overhead(self, at: int) -> OverheadDraft:
        with self.overheads_model.removing(at):
            overhead = self.document.remove_overhead(at)
        self._figures_changed()
        return overhead

    def apply_set_overhead(self, at: int, overhead: OverheadDraft) -> OverheadDraft:
        old = self.document.set_overhead(at, overhead)
        self.overheads_model.row_changed(at)
        self._figures_changed()
        return old

    def apply_header(self, estimate_date: date, description: str) -> tuple[date, str]:
        old = self.document.set_header(estimate_date=estimate_date, description=description)
        self.lines_model.rates_changed()
        self.header_changed.emit()
        self.changed.emit()
        return old


def _blocks(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted positions as contiguous (first, last) blocks, ascending."""
    blocks: list[tuple[int, int]] = []
    for p in sorted(set(positions)):
        if blocks and p == blocks[-1][1] + 1:
            blocks[-1] = (blocks[-1][0], p)
        else:
            blocks.append((p, p))
    return blocks


# ---------------------------------------------------------------- the commands


class _Command(QUndoCommand):
    """Redo on push changes the document; later redos and undos also show where."""

    def __init__(self, editing: RowEditing, text: str) -> None:
        super().__init__(text)
        self.editing = editing
        self._pushed = False

    def redo(self) -> None:
        self.do()
        if self._pushed:
            self.show_where()
        self._pushed = True

    def undo(self) -> None:
        self.undo_it()
        self.show_where()

    def do(self) -> None:
        raise NotImplementedError

    def undo_it(self) -> None:
        raise NotImplementedError

    def show_where(self) -> None:
        pass

    def _focus(self, line: Any, row: int = -1, column: int = NO_COLUMN) -> None:
        self.editing.focus_requested.emit(line, row, column)


class _SetRow(_Command):
    def __init__(self, editing: RowEditing, line: DocLine, row: int,
                 new: MeasurementRow, column: int) -> None:
        super().__init__(editing, f"Change row {row + 1}")
        self.line, self.row, self.new, self.column = line, row, new, column
        self.old: MeasurementRow | None = None

    def do(self) -> None:
        self.old = self.editing.apply_set_row(self.line, self.row, self.new)

    def undo_it(self) -> None:
        assert self.old is not None
        self.editing.apply_set_row(self.line, self.row, self.old)

    def show_where(self) -> None:
        self._focus(self.line, self.row, self.column)


class _InsertRows(_Command):
    def __init__(self, editing: RowEditing, line: DocLine, at: int,
                 rows: list[MeasurementRow], text: str, column: int) -> None:
        super().__init__(editing, text)
        self.line, self.at, self.rows, self.column = line, at, rows, column

    def do(self) -> None:
        self.editing.apply_insert_rows(self.line, self.at, self.rows)

    def undo_it(self) -> None:
        self.editing.apply_remove_rows(self.line, range(self.at, self.at + len(self.rows)))

    def show_where(self) -> None:
        self._focus(self.line, self.at, self.column)


class _RemoveRows(_Command):
    def __init__(self, editing: RowEditing, line: DocLine, positions: list[int],
                 text: str) -> None:
        super().__init__(editing, text)
        self.line, self.positions = line, positions
        self.removed: list[tuple[int, MeasurementRow]] = []

    def do(self) -> None:
        self.removed = self.editing.apply_remove_rows(self.line, self.positions)

    def undo_it(self) -> None:
        self.editing.apply_restore_rows(self.line, self.removed)

    def show_where(self) -> None:
        self._focus(self.line, self.positions[0], NO_COLUMN)


class _EstimateCommand(_Command):
    """A command on what only an estimate has: lines added and removed, overheads, header."""

    editing: EstimateEditing


class _InsertLine(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, at: int, line: DocLine) -> None:
        what = line.sor_code or "a non-SOR item"
        super().__init__(editing, f"Add {what}")
        self.at, self.line = at, line

    def do(self) -> None:
        self.editing.apply_insert_line(self.at, self.line)
        if not self._pushed:
            self.editing.line_added.emit(self.line)

    def undo_it(self) -> None:
        self.editing.apply_remove_line(self.at)

    def show_where(self) -> None:
        lines = self.editing.document.lines
        if self.at < len(lines) and lines[self.at] is self.line:
            self._focus(self.line)
        else:
            self._focus(lines[min(self.at, len(lines) - 1)] if lines else None)


class _RemoveLine(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, at: int) -> None:
        line = editing.document.lines[at]
        super().__init__(editing, f"Remove line {at + 1} ({line.sor_code or 'non-SOR'})")
        self.at = at
        self.line: DocLine = line

    def do(self) -> None:
        self.line = self.editing.apply_remove_line(self.at)

    def undo_it(self) -> None:
        self.editing.apply_insert_line(self.at, self.line)

    def show_where(self) -> None:
        lines = self.editing.document.lines
        if self.at < len(lines) and lines[self.at] is self.line:
            self._focus(self.line)
        else:
            self._focus(lines[min(self.at, len(lines) - 1)] if lines else None)


class _EditLine(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, line: DocLine,
                 changes: dict[str, object]) -> None:
        super().__init__(editing, f"Change the {', '.join(changes)} of a line")
        self.line, self.changes = line, changes
        self.old: dict[str, object] = {}

    def do(self) -> None:
        self.old = self.editing.apply_update_line(self.line, self.changes)

    def undo_it(self) -> None:
        self.editing.apply_update_line(self.line, self.old)

    def show_where(self) -> None:
        self._focus(self.line)


class _EditReason(_EditLine):
    """A reason for deviation typed on a revision line; merges with the keystrokes after it."""

    ID = 1

    def __init__(self, editing: EstimateEditing, line: DocLine, reason: str) -> None:
        super().__init__(editing, line, {"reason": reason})
        number = editing.document.index_of(line) + 1
        self.setText(f"Change the reason, line {number}")
        self.typing = True

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (isinstance(other, _EditReason) and self.typing and other.line is self.line):
            return False
        self.changes = dict(other.changes)
        if self.changes == self.old:
            self.setObsolete(True)  # typed back to what it was: nothing to undo
        return True

    def undo_it(self) -> None:
        super().undo_it()
        self.typing = False


class _InsertOverhead(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, at: int, overhead: OverheadDraft) -> None:
        super().__init__(editing, f"Add overhead {overhead.code}")
        self.at, self.overhead = at, overhead

    def do(self) -> None:
        self.editing.apply_insert_overhead(self.at, self.overhead)

    def undo_it(self) -> None:
        self.editing.apply_remove_overhead(self.at)


class _RemoveOverhead(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, at: int) -> None:
        overhead = editing.document.overheads[at]
        super().__init__(editing, f"Remove overhead {overhead.code}")
        self.at, self.overhead = at, overhead

    def do(self) -> None:
        self.overhead = self.editing.apply_remove_overhead(self.at)

    def undo_it(self) -> None:
        self.editing.apply_insert_overhead(self.at, self.overhead)


class _SetOverhead(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, at: int, overhead: OverheadDraft) -> None:
        super().__init__(editing, f"Change overhead {overhead.code}")
        self.at, self.new = at, overhead
        self.old: OverheadDraft | None = None

    def do(self) -> None:
        self.old = self.editing.apply_set_overhead(self.at, self.new)

    def undo_it(self) -> None:
        assert self.old is not None
        self.editing.apply_set_overhead(self.at, self.old)


class _SetHeader(_EstimateCommand):
    def __init__(self, editing: EstimateEditing, estimate_date: date, description: str) -> None:
        super().__init__(editing, "Change the estimate's date or description")
        self.new = (estimate_date, description)
        self.old: tuple[date, str] | None = None

    def do(self) -> None:
        self.old = self.editing.apply_header(*self.new)

    def undo_it(self) -> None:
        assert self.old is not None
        self.editing.apply_header(*self.old)
