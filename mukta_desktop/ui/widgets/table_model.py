"""A read-only Qt table model over a list of plain rows, described column by column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from .tables import ALIGN_LEFT, ALIGN_RIGHT

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
T = TypeVar("T")
DISPLAY = Qt.ItemDataRole.DisplayRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


@dataclass(frozen=True)  # no slots: `Column[Row](...)` sets __orig_class__
class Column(Generic[T]):
    header: str
    text: Callable[[T], str]
    right: bool = False
    tooltip: Callable[[T], str] | None = None


class ColumnsTableModel(QAbstractTableModel, Generic[T]):
    """A read-only table over a list of plain rows, one `Column` per column."""

    columns: Sequence[Column[T]] = ()

    def __init__(self, rows: Sequence[T] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = list(rows)

    # Qt interface -----------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == DISPLAY:
            return column.text(row)
        if role == ALIGN:
            return ALIGN_RIGHT if column.right else ALIGN_LEFT
        if role == TOOLTIP:
            return column.tooltip(row) if column.tooltip is not None else None
        return self.extra_data(row, index.column(), role)

    def extra_data(self, row: T, column: int, role: int) -> Any:
        """Other roles (fonts, colours) of a cell; none by default."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == DISPLAY:
            return column.header
        if role == ALIGN:
            return ALIGN_RIGHT if column.right else ALIGN_LEFT
        return None

    # Python interface -------------------------------------------------------------------
    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def column_of(self, header: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.header == header)

    def texts(self, column: int | str) -> list[str]:
        """The shown text of one column, top to bottom (tests and screenshots read it)."""
        number = self.column_of(column) if isinstance(column, str) else column
        return [self.columns[number].text(r) for r in self._rows]
