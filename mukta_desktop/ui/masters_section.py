"""The Masters section: the master lists the Schedule of Rates is built on, read-only."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget

from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.domain.sor import HEAD_LABELS
from mukta_desktop.services.masters import Masters

from .context import UiContext
from .widgets.messages import muted
from .widgets.tables import ALIGN_LEFT, ALIGN_RIGHT, configure_table

_Index = QModelIndex | QPersistentModelIndex


class MastersTableModel(QAbstractTableModel):
    """Rows of text; columns listed in `right_aligned` are figures."""

    def __init__(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        right_aligned: frozenset[int] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows = [list(r) for r in rows]
        self._right = right_aligned

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_RIGHT if index.column() in self._right else ALIGN_LEFT
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


def master_tables(masters: Masters) -> list[tuple[str, MastersTableModel]]:
    """One (tab title, model) per master list, in the order offices know them."""
    type_names = {t.code: t.name for t in masters.sor_types}
    aliases: dict[str, list[str]] = {}
    for alias, unit in sorted(masters.unit_aliases.items()):
        aliases.setdefault(unit, []).append(alias)

    def overhead_value(kind: str, value: Decimal | None) -> str:
        if value is None:
            return "typed on the estimate"
        return format_indian(value, 2) if kind == "LUMPSUM" else f"{value} %"

    return [
        (
            "SOR types",
            MastersTableModel(["Code", "Type"], [(t.code, t.name) for t in masters.sor_types]),
        ),
        (
            "Sub types",
            MastersTableModel(
                ["Type", "Code", "Sub type"],
                [
                    (f"{s.parent} ({type_names.get(s.parent, '')})", s.code, s.name)
                    for s in masters.sub_types
                ],
            ),
        ),
        (
            "Variants",
            MastersTableModel(["Code", "Variant"], [(v.code, v.name) for v in masters.variants]),
        ),
        (
            "Units",
            MastersTableModel(
                ["Code", "Unit", "Also accepted on import"],
                [(u.code, u.name, ", ".join(aliases.get(u.code, []))) for u in masters.units],
            ),
        ),
        (
            "Rate heads",
            MastersTableModel(
                ["Head", "Note"],
                [
                    (
                        label,
                        "computed: 1 % of the other heads for works items; none for M/L/E"
                        if key == "labour_cess"
                        else "",
                    )
                    for key, label in HEAD_LABELS.items()
                ],
            ),
        ),
        (
            "Overheads",
            MastersTableModel(
                ["Code", "Overhead", "Kind", "Value", "Active"],
                [
                    (
                        o.code,
                        o.name,
                        "Percentage" if o.kind == "PERCENT" else "Lump sum",
                        overhead_value(o.kind, o.value),
                        "Yes" if o.active else "No",
                    )
                    for o in masters.overheads
                ],
                right_aligned=frozenset({3}),
            ),
        ),
        (
            "ULBs",
            MastersTableModel(
                ["Code", "Name", "District"], [(t.code, t.name, t.parent) for t in masters.tenants]
            ),
        ),
    ]


class MastersSection(QWidget):
    """Read-only tabs of the master lists (they change with an application update or sync)."""

    title = "Masters"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actions_for_menu: list[QAction] = []
        layout = QVBoxLayout(self)
        layout.addWidget(
            muted(
                QLabel(
                    "The master lists of the Odisha Schedule of Rates. They are read-only here: "
                    "they come with the application and, once sync is set up, from the head "
                    "office."
                )
            )
        )
        self.tabs = QTabWidget()
        self.models: dict[str, MastersTableModel] = {}
        for title, model in master_tables(ctx.masters):
            model.setParent(self)
            view = QTableView()
            view.setModel(model)
            configure_table(view, stretch_column=model.columnCount() - 1)
            view.resizeColumnsToContents()
            self.tabs.addTab(view, title)
            self.models[title] = model
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        """The lists are read once at sign-in; nothing to reload."""
