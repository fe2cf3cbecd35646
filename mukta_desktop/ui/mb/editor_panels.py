"""The totals of the MB editor with its utilization statement.

The estimate editor's totals panel over the MB document (an estimate document without
overheads): its SOR and non-SOR amounts, total, whole rupees, words and cost analysis are this
MB's amounts and utilization statement; the MB adds what was measured up to the previous MB and
up to date.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from mukta_desktop.domain.numbers import format_money

from ..estimates.document import EstimateDocument
from ..estimates.editor_panels import TotalsPanel
from .document import MbDocument

# The estimate panel's rows and what the MB calls them; the SOR / non-SOR split and the
# overheads (an MB has none) are not shown.
_CAPTIONS = {3: "This MB", 6: "Utilization statement (this MB)"}
_HIDDEN_ROWS = (0, 1, 2)


class MbTotalsPanel(TotalsPanel):
    """This MB's amounts (exact, in whole rupees and words), the material, labour and machinery
    it consumed (each SOR rate's heads × this MB's quantity), and the amounts up to the
    previous MB and up to date. All live."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mbTotals")
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        for row, caption in _CAPTIONS.items():
            item = grid.itemAtPosition(row, 0)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel):
                label.setText(caption)
        for row in _HIDDEN_ROWS:
            for column in (0, 1):
                item = grid.itemAtPosition(row, column)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
        self.this_mb = self.grand_total
        self.previous = self._value("previousTotal")
        self.cumulative = self._value("cumulativeTotal", bold=True)
        self.utilization_caption = self.findChild(QLabel, "analysisCaption")
        row = grid.rowCount()
        for offset, (caption, value) in enumerate(
            (("Up to the previous MB", self.previous), ("Up to date", self.cumulative))
        ):
            grid.addWidget(QLabel(caption), row + offset, 0)
            grid.addWidget(value, row + offset, 1)

    def show_figures(self, document: EstimateDocument) -> None:
        super().show_figures(document)
        if isinstance(document, MbDocument):
            self.previous.setText(f"₹ {format_money(document.previous_total)}")
            self.cumulative.setText(f"₹ {format_money(document.cumulative_total)}")
