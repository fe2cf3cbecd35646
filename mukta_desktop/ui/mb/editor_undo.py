"""Every change to the MB being edited is an undoable command, as in the estimate editor.

`MbEditing` is the estimate editor's row editing (ui/estimates/undo.RowEditing: the rows model,
the row commands, the undo stack) over an MB document, with the MB's lines model; it adds
copying the estimate's rows into lines (one undoable step, for one line or for all) and the
period end and date of measurement (undoable too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from mukta_desktop.domain.mb import Period

from ..estimates.document import DocLine
from ..estimates.undo import RowEditing
from .document import MbDocLine, MbDocument
from .editor_models import LinesTableModel, RowsTableModel


class MbEditing(RowEditing):
    """The MB document, its lines and rows models and the undo stack, kept in step."""

    header_changed = Signal()  # the period or the date of measurement changed
    document: MbDocument
    measurements_model: RowsTableModel

    def __init__(self, document: MbDocument, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.lines_model = LinesTableModel(document, self)

    def _rows_model(self) -> RowsTableModel:
        return RowsTableModel(self.document, self)

    # ---------------------------------------------------------------- set-up
    def set_document(self, document: MbDocument) -> None:
        """Show another MB document (after loading); the undo history starts afresh."""
        self.stack.clear()
        self.document = document
        self.lines_model.set_document(document)
        self.measurements_model.set_document(document)
        self.figures_changed.emit()
        self.header_changed.emit()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.measurements_model.set_editable(editable)
        if not editable:
            self.stack.clear()

    # ---------------------------------------------------------------- what users do
    def copy_estimate_rows(self, lines: Sequence[MbDocLine], *, replace: bool) -> int:
        """Copy each line's estimate rows into this MB as one undoable step: `replace` puts
        them in place of the line's rows, else lines already measured are left as they are.
        Returns how many lines changed."""
        chosen = [line for line in lines
                  if line.estimate_rows and (replace or not line.rows)
                  and list(line.estimate_rows) != line.rows]
        if not chosen or not self.editable:
            return 0
        if len(chosen) == 1:
            text = f"Copy the estimate's rows into line {chosen[0].position}"
        else:
            text = f"Copy the estimate's rows into {len(chosen)} lines"
        self.stack.beginMacro(text)
        for line in chosen:
            self.remove_rows(line, range(len(line.rows)))
            self.add_rows(line, 0, line.estimate_rows, text)
        self.stack.endMacro()
        return len(chosen)

    def set_period(self, period: Period, measurement_date: date) -> None:
        document = self.document
        if (period, measurement_date) != (document.period, document.measurement_date):
            self._push(_SetPeriod(self, period, measurement_date))

    # ---------------------------------------------------------------- applying (commands)
    def _line_figures_changed(self, line: DocLine) -> None:
        document = self.document
        group = document.group_of(line) if isinstance(line, MbDocLine) else [line]
        for member in group:  # the ceiling's colour may change on every line of the SOR
            self.lines_model.line_changed(document.index_of(member))
        self.figures_changed.emit()
        self.changed.emit()

    def apply_period(self, period: Period, measurement_date: date) -> tuple[Period, date]:
        old = self.document.set_period(period, measurement_date)
        self.header_changed.emit()
        self.changed.emit()
        return old


class _SetPeriod(QUndoCommand):
    def __init__(self, editing: MbEditing, period: Period, measurement_date: date) -> None:
        super().__init__("Change the period or the date of measurement")
        self.editing = editing
        self.new = (period, measurement_date)
        self.old: tuple[Period, date] | None = None

    def redo(self) -> None:
        self.old = self.editing.apply_period(*self.new)

    def undo(self) -> None:
        assert self.old is not None
        self.editing.apply_period(*self.old)
