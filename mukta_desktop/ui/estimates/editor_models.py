"""Qt table models of the estimate editor, over the document (document.py).

The models only read the document. A cell typed by the user is parsed here (text → Decimal,
never a float) and handed on as an edit request; undo.EstimateEditing turns the request into
an undoable command, changes the document and tells the models what changed, wrapped in the
begin/end calls Qt needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LUMP_SUM_CODE, OverheadKind
from mukta_desktop.domain.measurements import FACTOR_LABELS, MeasurementRow, RowKind
from mukta_desktop.domain.numbers import ZERO, format_indian, format_money, parse_decimal
from mukta_desktop.services.estimate_views import OverheadDraft
from mukta_desktop.services.estimates import MAX_RATE
from mukta_desktop.services.sor_store import quantity_text

from ..widgets import ALIGN_LEFT, ALIGN_RIGHT
from .document import DocLine, EstimateDocument, row_problem
from .measure_text import factor_plain, factor_text, parse_factor, parse_kind, parse_name

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FONT = Qt.ItemDataRole.FontRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter

REFUSED_BRUSH = QBrush(QColor("#f9d6d5"))
ERROR_ROW_BRUSH = QBrush(QColor("#fdebd0"))
WARNING_ROW_BRUSH = QBrush(QColor("#fff8d6"))
MINUS_BRUSH = QBrush(QColor("#9b1c1c"))
HINT_BRUSH = QBrush(QColor("#6b6b6b"))
MAX_DESCRIPTION = 2000
MAX_UNIT = 20


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def quantity_display(value: Decimal) -> str:
    return format_indian(value, 4)


def rate_display(line: DocLine, rate: Decimal | None = None) -> str:
    """The line's rate (or `rate`, per the same quantity), e.g. '1,234.50' or '850.00 / 10'."""
    text = format_money(line.rate if rate is None else rate)
    if line.rate_quantity != 1:
        text += f" / {quantity_text(line.rate_quantity)}"
    return text


class _EditorTableModel(QAbstractTableModel):
    headers: tuple[str, ...] = ()
    right_columns: frozenset[int] = frozenset()

    def __init__(self, document: EstimateDocument, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.editable = True

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == DISPLAY:
            return self.headers[section]
        if role == ALIGN:
            return ALIGN_RIGHT if section in self.right_columns else ALIGN_LEFT
        return None

    def set_document(self, document: EstimateDocument) -> None:
        self.beginResetModel()
        self.document = document
        self._document_set()
        self.endResetModel()

    def _document_set(self) -> None:
        """Subclasses forget what belonged to the old document."""

    def set_editable(self, editable: bool) -> None:
        self.beginResetModel()
        self.editable = editable
        self.endResetModel()

    def _valid(self, index: Index) -> bool:
        return (
            index.isValid()
            and 0 <= index.row() < self.rowCount()
            and 0 <= index.column() < len(self.headers)
        )


# --- Lines -----------------------------------------------------------------------------


class LinesTableModel(_EditorTableModel):
    """The estimate's lines: #, code, description, unit, quantity, rate, amount. A non-SOR
    line's description, unit and rate are edited here; a SOR line's are frozen."""

    NUMBER, CODE, DESCRIPTION, UNIT, QUANTITY, RATE, AMOUNT = range(7)
    headers = ("#", "Code", "Description", "Unit", "Quantity", "Rate (₹)", "Amount (₹)")
    right_columns = frozenset({NUMBER, QUANTITY, RATE, AMOUNT})
    line_edit_requested = Signal(object, object)  # DocLine, {field: value}
    input_error = Signal(str)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.document.lines)

    def line_at(self, row: int) -> DocLine | None:
        lines = self.document.lines
        return lines[row] if 0 <= row < len(lines) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not self._valid(index):
            return flags
        line = self.document.lines[index.row()]
        if (
            self.editable
            and not line.is_sor
            and index.column() in (self.DESCRIPTION, self.UNIT, self.RATE)
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not self._valid(index):
            return None
        line = self.document.lines[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._text(index.row(), line, column)
        if role == EDIT:
            if column == self.RATE:
                return f"{line.rate:.2f}"
            return self._text(index.row(), line, column)
        if role == ALIGN:
            return ALIGN_RIGHT if column in self.right_columns else ALIGN_LEFT
        if role == TOOLTIP:
            return self._tooltip(line, column)
        if role == FONT and column == self.CODE and not line.is_sor:
            return _italic()
        if role == FOREGROUND and column == self.QUANTITY and line.quantity < ZERO:
            return MINUS_BRUSH
        return None

    def _text(self, row: int, line: DocLine, column: int) -> str:
        if column == self.NUMBER:
            return str(row + 1)
        if column == self.CODE:
            return line.sor_code or "Non-SOR"
        if column == self.DESCRIPTION:
            return line.description
        if column == self.UNIT:
            return line.unit
        if column == self.QUANTITY:
            return quantity_display(line.quantity)
        if column == self.RATE:
            return rate_display(line)
        if column == self.AMOUNT:
            return format_money(line.amount)
        return ""

    def _tooltip(self, line: DocLine, column: int) -> str | None:
        if column == self.DESCRIPTION:
            return line.description or None
        if column == self.RATE:
            per = line.unit if line.rate_quantity == 1 else (
                f"{quantity_text(line.rate_quantity)} {line.unit}")
            if line.is_sor:
                return (f"₹ {format_money(line.rate)} per {per}: the SOR rate in force on "
                        f"{format_date(self.document.estimate_date)}, frozen into the line")
            return f"₹ {format_money(line.rate)} per {per}, typed (non-SOR item)"
        if column == self.QUANTITY:
            return "Σ plus rows − Σ minus rows of the line's measurements"
        if column == self.AMOUNT and line.used_quantity is not None:
            return (f"{quantity_display(line.used_quantity)} {line.unit} measured in approved "
                    f"MBs at ₹ {rate_display(line, line.used_rate)}, the rest at "
                    f"₹ {rate_display(line)}")
        return None

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not self._valid(index) or not self.editable:
            return False
        line = self.document.lines[index.row()]
        if line.is_sor:
            return False
        text = "" if value is None else str(value)
        where = f"Line {index.row() + 1}"
        try:
            if index.column() == self.DESCRIPTION:
                changes: dict[str, object] = {"description": _description(text, where)}
            elif index.column() == self.UNIT:
                changes = {"unit": _unit(text, where)}
            elif index.column() == self.RATE:
                changes = {"rate": parse_rate(text, where)}
            else:
                return False
        except ValidationError as exc:
            self.input_error.emit(exc.message)
            return False
        if all(getattr(line, k) == v for k, v in changes.items()):
            return True
        self.line_edit_requested.emit(line, changes)
        return True

    # notifications from EstimateEditing ----------------------------------------------------
    def line_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.headers) - 1))

    @contextmanager
    def inserting(self, at: int) -> Iterator[None]:
        self.beginInsertRows(_ROOT, at, at)
        yield
        self.endInsertRows()
        self._renumbered(at + 1)

    @contextmanager
    def removing(self, at: int) -> Iterator[None]:
        self.beginRemoveRows(_ROOT, at, at)
        yield
        self.endRemoveRows()
        self._renumbered(at)

    def _renumbered(self, first: int) -> None:
        last = self.rowCount() - 1
        if first <= last:
            self.dataChanged.emit(self.index(first, self.NUMBER), self.index(last, self.NUMBER))

    def rates_changed(self) -> None:
        """The estimate date changed: the rate tooltips name it."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, self.RATE),
                                  self.index(self.rowCount() - 1, self.RATE))


def _description(text: str, where: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_DESCRIPTION:
        raise ValidationError(f"{where}, description: at most {MAX_DESCRIPTION} characters.")
    return cleaned


def _unit(text: str, where: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_UNIT:
        raise ValidationError(f"{where}, unit: at most {MAX_UNIT} characters.")
    return cleaned


def parse_rate(text: str, where: str) -> Decimal:
    """A non-SOR rate typed as text: 0 to 9,99,99,999.99, two decimals."""
    return parse_decimal(text, field=f"{where}, rate", places=2, maximum=MAX_RATE)


# --- Measurements ----------------------------------------------------------------------


class MeasurementsTableModel(_EditorTableModel):
    """The measurement rows of one line: +/−, name, No., L, B, D and the row's quantity.

    While the estimate is editable, the last row is a new, empty row: typing in it adds a
    row (so no blank row ever counts — a row whose four factors are all blank counts as 1).
    A cell typed wrong keeps its old value; the cell turns red and `input_error` names the
    line, row and column with the range allowed.
    """

    KIND, NAME, NUMBER, LENGTH, BREADTH, DEPTH, QUANTITY = range(7)
    headers = ("+/−", "Name / description", "No.", "L", "B", "D", "Quantity")
    right_columns = frozenset({NUMBER, LENGTH, BREADTH, DEPTH, QUANTITY})
    FACTORS: ClassVar[dict[int, str]] = {
        NUMBER: "number", LENGTH: "length", BREADTH: "breadth", DEPTH: "depth"}
    EDITABLE_COLUMNS = (KIND, NAME, NUMBER, LENGTH, BREADTH, DEPTH)
    row_edit_requested = Signal(object, int, object, int)  # DocLine, row, MeasurementRow, column
    input_error = Signal(str)
    input_accepted = Signal()

    def __init__(self, document: EstimateDocument, parent: Any = None) -> None:
        super().__init__(document, parent)
        self.line: DocLine | None = None
        self._refused: tuple[int, int, str] | None = None

    def _document_set(self) -> None:
        self.line = None
        self._refused = None

    def set_line(self, line: DocLine | None) -> None:
        if line is self.line:
            return
        self.beginResetModel()
        self.line = line
        self._refused = None
        self.endResetModel()

    def line_number(self) -> int:
        if self.line is None:
            return 0
        try:
            return self.document.index_of(self.line) + 1
        except ValueError:
            return 0

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() or self.line is None:
            return 0
        return len(self.line.rows) + (1 if self.editable else 0)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < self.rowCount():
                return None
            if role == DISPLAY:
                return "*" if self.is_new_row(section) else str(section + 1)
            if role == TOOLTIP and self.is_new_row(section):
                return "Type in this row to add a measurement row"
            return None
        return super().headerData(section, orientation, role)

    def is_new_row(self, row: int) -> bool:
        return self.line is not None and self.editable and row == len(self.line.rows)

    def row_at(self, row: int) -> MeasurementRow | None:
        if self.line is None or not 0 <= row < len(self.line.rows):
            return None
        return self.line.rows[row]

    def refused_at(self, row: int, column: int) -> bool:
        return self._refused is not None and self._refused[:2] == (row, column)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self._valid(index) and self.editable and index.column() in self.EDITABLE_COLUMNS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not self._valid(index) or self.line is None:
            return None
        row_number, column = index.row(), index.column()
        row = self.row_at(row_number)
        if role == ALIGN:
            if column == self.KIND:
                return ALIGN_CENTER
            return ALIGN_RIGHT if column in self.right_columns else ALIGN_LEFT
        if row is None:  # the new row
            if role == DISPLAY and column == self.NAME:
                return "type here to add a row"
            if role == EDIT:
                return ""
            if role == FOREGROUND:
                return HINT_BRUSH
            if role == FONT and column == self.NAME:
                return _italic()
            if role == BACKGROUND and self.refused_at(row_number, column):
                return REFUSED_BRUSH
            if role == TOOLTIP and self.refused_at(row_number, column):
                return self._refused[2] if self._refused else None
            return None
        if role == DISPLAY:
            return self._text(row, column)
        if role == EDIT:
            if column == self.KIND:
                return "-" if row.kind is RowKind.MINUS else "+"
            if column == self.NAME:
                return row.name
            if column in self.FACTORS:
                return factor_plain(getattr(row, self.FACTORS[column]))
            return self._text(row, column)
        if role == BACKGROUND:
            if self.refused_at(row_number, column):
                return REFUSED_BRUSH
            problem = self._problem(row_number, row)
            if problem is not None:
                return ERROR_ROW_BRUSH if problem[0] == "error" else WARNING_ROW_BRUSH
            return None
        if role == TOOLTIP:
            if self.refused_at(row_number, column):
                return self._refused[2] if self._refused else None
            problem = self._problem(row_number, row)
            if problem is not None:
                return problem[1]
            if column == self.QUANTITY:
                return "No. × L × B × D (a blank factor counts as 1), 4 decimals"
            return None
        if role == FOREGROUND and row.kind is RowKind.MINUS and column in (
            self.KIND, self.QUANTITY):
            return MINUS_BRUSH
        if role == FONT and column == self.KIND:
            return _bold()
        return None

    def _text(self, row: MeasurementRow, column: int) -> str:
        if column == self.KIND:
            return "−" if row.kind is RowKind.MINUS else "+"
        if column == self.NAME:
            return row.name
        if column in self.FACTORS:
            return factor_text(getattr(row, self.FACTORS[column]))
        if column == self.QUANTITY:
            return quantity_display(row.signed_quantity)
        return ""

    def _where(self, row_number: int) -> str:
        return f"Line {self.line_number()}, row {row_number + 1}"

    def _problem(self, row_number: int, row: MeasurementRow) -> tuple[str, str] | None:
        # Cheap first (painting asks for every cell): all factors blank, or a typed 0.
        factors = row.factors()
        if all(f is None for f in factors) or any(f is not None and f == ZERO for f in factors):
            return row_problem(row, where=self._where(row_number))
        return None

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not self._valid(index) or not self.editable or self.line is None:
            return False
        row_number, column = index.row(), index.column()
        if column not in self.EDITABLE_COLUMNS:
            return False
        text = "" if value is None else str(value)
        old = self.row_at(row_number)
        is_new = old is None
        if is_new and not text.strip():
            return False  # nothing typed in the new row: no row
        base = old or MeasurementRow()
        where = self._where(row_number)
        try:
            if column == self.KIND:
                new = _replace_row(base, kind=parse_kind(text, field=f"{where}, +/−"))
            elif column == self.NAME:
                new = _replace_row(base, name=parse_name(text, field=f"{where}, name"))
            else:
                factor = self.FACTORS[column]
                label = FACTOR_LABELS[factor]
                new = _replace_row(base, **{factor: parse_factor(text, field=f"{where}, {label}")})
        except ValidationError as exc:
            self._set_refused((row_number, column, exc.message))
            self.input_error.emit(exc.message)
            return False
        self._set_refused(None)
        self.input_accepted.emit()
        if new == old:
            return True
        self.row_edit_requested.emit(self.line, row_number, new, column)
        return True

    def _set_refused(self, refused: tuple[int, int, str] | None) -> None:
        before, self._refused = self._refused, refused
        for cell in (before, refused):
            if cell is not None and cell[0] < self.rowCount():
                index = self.index(cell[0], cell[1])
                self.dataChanged.emit(index, index)

    # notifications from EstimateEditing ----------------------------------------------------
    def shows(self, line: DocLine) -> bool:
        return line is self.line

    def rows_changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.headers) - 1))

    @contextmanager
    def inserting(self, at: int, count: int) -> Iterator[None]:
        """Rows inserted at `at`. Appended rows take the new row's place (it becomes the
        first of them, so the cursor stays on what was typed) and a new row follows."""
        assert self.line is not None
        appending = self.editable and at == len(self.line.rows)
        if appending:
            self.beginInsertRows(_ROOT, at + 1, at + count)
        else:
            self.beginInsertRows(_ROOT, at, at + count - 1)
        yield
        self.endInsertRows()
        if appending:
            self.rows_changed(at, at)

    @contextmanager
    def removing(self, first: int, last: int) -> Iterator[None]:
        if self._refused is not None and self._refused[0] >= first:
            self._refused = None
        self.beginRemoveRows(_ROOT, first, last)
        yield
        self.endRemoveRows()

    def renumbered(self) -> None:
        """The line moved (lines added or removed above it): messages name the new number."""
        if self.rowCount():
            self.rows_changed(0, self.rowCount() - 1)


def _replace_row(row: MeasurementRow, **changes: Any) -> MeasurementRow:
    return replace(row, **changes)


# --- Overheads -------------------------------------------------------------------------


class OverheadsTableModel(_EditorTableModel):
    """The estimate's overheads: percentages of the SOR + non-SOR total from the overheads
    master, and lump sums (typed in the amount column)."""

    CODE, DESCRIPTION, RATE, AMOUNT = range(4)
    headers = ("Code", "Overhead", "Rate", "Amount (₹)")
    right_columns = frozenset({RATE, AMOUNT})
    overhead_edit_requested = Signal(int, object)  # position, OverheadDraft
    input_error = Signal(str)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.document.overheads)

    def overhead_at(self, row: int) -> OverheadDraft | None:
        overheads = self.document.overheads
        return overheads[row] if 0 <= row < len(overheads) else None

    def _is_editable(self, overhead: OverheadDraft, column: int) -> bool:
        if not self.editable:
            return False
        if column == self.AMOUNT:
            return overhead.kind is OverheadKind.LUMPSUM
        if column == self.DESCRIPTION:
            return overhead.code == LUMP_SUM_CODE
        return False

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self._valid(index) and self._is_editable(
            self.document.overheads[index.row()], index.column()
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not self._valid(index):
            return None
        overhead = self.document.overheads[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == self.CODE:
                return overhead.code
            if column == self.DESCRIPTION:
                return overhead.description
            if column == self.RATE:
                if overhead.kind is OverheadKind.PERCENT and overhead.percent is not None:
                    return f"{quantity_text(overhead.percent)} %"
                return "Lump sum"
            if column == self.AMOUNT:
                return format_money(self.document.overhead_amounts[index.row()])
        if role == EDIT:
            if column == self.AMOUNT and overhead.kind is OverheadKind.LUMPSUM:
                return f"{overhead.lump_sum or ZERO:.2f}"
            return self.data(index, DISPLAY)
        if role == ALIGN:
            return ALIGN_RIGHT if column in self.right_columns else ALIGN_LEFT
        if role == TOOLTIP:
            if overhead.kind is OverheadKind.PERCENT:
                return (f"{quantity_text(overhead.percent or ZERO)} % of the SOR + non-SOR "
                        "total")
            return "A lump sum: type the amount" if self.editable else "A lump sum"
        return None

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not self._valid(index):
            return False
        overhead = self.document.overheads[index.row()]
        if not self._is_editable(overhead, index.column()):
            return False
        text = "" if value is None else str(value)
        try:
            if index.column() == self.AMOUNT:
                amount = parse_decimal(text, field=f"Overhead '{overhead.description}', amount")
                new = OverheadDraft(overhead.code, overhead.description, overhead.kind,
                                    overhead.percent, amount)
            else:
                description = _description(text, f"Overhead {index.row() + 1}")
                if not description:
                    raise ValidationError(
                        f"Overhead {index.row() + 1}: describe the lump sum.")
                new = OverheadDraft(overhead.code, description, overhead.kind,
                                    overhead.percent, overhead.lump_sum)
        except ValidationError as exc:
            self.input_error.emit(exc.message)
            return False
        if new != overhead:
            self.overhead_edit_requested.emit(index.row(), new)
        return True

    # notifications from EstimateEditing ----------------------------------------------------
    def amounts_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, self.AMOUNT),
                                  self.index(self.rowCount() - 1, self.AMOUNT))

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.headers) - 1))

    @contextmanager
    def inserting(self, at: int) -> Iterator[None]:
        self.beginInsertRows(_ROOT, at, at)
        yield
        self.endInsertRows()

    @contextmanager
    def removing(self, at: int) -> Iterator[None]:
        self.beginRemoveRows(_ROOT, at, at)
        yield
        self.endRemoveRows()
