"""Helpers shared by the table screens."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView
from shiboken6 import isValid

ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def alive(obj: QObject) -> bool:
    """False once Qt has deleted the object (a result may arrive after a dialog closed)."""
    return isValid(obj)


def configure_table(
    view: QTableView,
    *,
    stretch_column: int | None = None,
    widths: dict[int, int] | None = None,
) -> None:
    """Row selection, alternating colours; one column takes the spare width.

    Call after `setModel` (widths are in average characters)."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch_column is None)
    em = view.fontMetrics().averageCharWidth()
    for column, chars in (widths or {}).items():
        view.setColumnWidth(column, chars * em)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
