"""Qt table models of the MB editor, over the MB document (document.py) and the MB's view.

- `LinesTableModel`: every work-order item with estimate quantity, quantity up to the previous
  MB, this MB, up to date, rate, amount and up-to-date amount. Read-only (rows are typed in the
  grid below it); the up-to-date cell turns red while the item's ceiling is crossed.
- `RowsTableModel`: this MB's measurement rows of the selected line — the estimate editor's
  measurement model (the same parsing, refusals, new row and undoable edits).
- `MbHistoryTableModel`: every MB of the work order; `PhotosTableModel`: the site photos with
  their thumbnails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPixmap

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.mb import Period
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.services.mb_views import MbSummary, PhotoView
from mukta_desktop.services.sor_store import quantity_text

from ..estimates.editor_models import (
    BACKGROUND,
    DISPLAY,
    FONT,
    FOREGROUND,
    TOOLTIP,
    Index,
    MeasurementsTableModel,
    _bold,
    quantity_display,
    rate_display,
)
from ..estimates.models import india_time
from ..widgets.table_model import Column, ColumnsTableModel
from .document import MbDocLine, MbDocument

DECORATION = Qt.ItemDataRole.DecorationRole

OVER_CEILING_BRUSH = QBrush(QColor("#f4c7c3"))
OVER_CEILING_TEXT = QBrush(QColor("#9b1c1c"))
MEASURED_BRUSH = QBrush(QColor("#e8f1fb"))


def period_text(period: Period) -> str:
    """'01/07/2026 to 07/07/2026'."""
    return f"{format_date(period.start)} to {format_date(period.end)}"


def _small() -> QFont:
    font = QFont()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    return font


# --- Lines -----------------------------------------------------------------------------


def _line_tooltip(line: MbDocLine) -> str:
    per = line.unit
    if line.rate_quantity != 1:
        per = f"{quantity_text(line.rate_quantity)} {line.unit}"
    return f"{line.label}\nRate ₹ {format_money(line.rate)} per {per}"


C = Column[MbDocLine]


class LinesTableModel(ColumnsTableModel[MbDocLine]):
    """The MB's items with every figure, live. Nothing is typed here: `setData` refuses."""

    (NUMBER, CODE, DESCRIPTION, UNIT, ESTIMATE, PREVIOUS, THIS_MB, UP_TO_DATE, RATE, AMOUNT,
     UP_TO_DATE_AMOUNT) = range(11)
    columns = (
        C("#", lambda line: str(line.position), right=True),
        C("Code", lambda line: line.sor_code or "Non-SOR"),
        C("Description", lambda line: line.description, tooltip=_line_tooltip),
        C("Unit", lambda line: line.unit),
        C("Estimate qty", lambda line: quantity_display(line.estimate_quantity), right=True,
          tooltip=lambda line: "Quantity of the estimate in force"),
        C("Up to prev. MB", lambda line: quantity_display(line.previous_quantity), right=True,
          tooltip=lambda line: "Measured in the approved MBs before this one"),
        C("This MB", lambda line: quantity_display(line.quantity), right=True,
          tooltip=lambda line: "Σ plus rows − Σ minus rows of this MB"),
        C("Up to date", lambda line: quantity_display(line.cumulative_quantity), right=True),
        C("Rate (₹)", lambda line: rate_display(line), right=True, tooltip=_line_tooltip),
        C("Amount (₹)", lambda line: format_money(line.amount), right=True,
          tooltip=lambda line: "This MB's quantity × rate"),
        C("Up-to-date amt (₹)", lambda line: format_money(line.cumulative_amount), right=True,
          tooltip=lambda line: f"Up to the previous MB ₹ {format_money(line.previous_amount)} "
                               f"+ this MB ₹ {format_money(line.amount)}"),
    )

    def __init__(self, document: MbDocument, parent: QObject | None = None) -> None:
        super().__init__(document.items, parent)
        self.document = document

    def set_document(self, document: MbDocument) -> None:
        self.document = document
        self.set_rows(document.items)

    def line_at(self, row: int) -> MbDocLine | None:
        return self.row_at(row)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role == TOOLTIP and index.column() == self.UP_TO_DATE:
            line = self.row_at(index.row())
            if line is not None:
                problem = self.document.ceiling_problem(line)
                return problem or (f"Up to date {quantity_display(line.cumulative_quantity)} of "
                                   f"{quantity_display(line.estimate_quantity)} {line.unit} "
                                   "estimated")
        return super().data(index, role)

    def extra_data(self, row: MbDocLine, column: int, role: int) -> Any:
        if column == self.UP_TO_DATE and self.document.ceiling_problem(row) is not None:
            if role == BACKGROUND:
                return OVER_CEILING_BRUSH
            if role == FOREGROUND:
                return OVER_CEILING_TEXT
            if role == FONT:
                return _bold()
        if role == BACKGROUND and column == self.THIS_MB and row.rows:
            return MEASURED_BRUSH
        return None

    def line_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))


# --- Rows ------------------------------------------------------------------------------


class RowsTableModel(MeasurementsTableModel):
    """This MB's measurement rows of the selected line: +/−, name, No., L, B, D, quantity.

    The estimate editor's model: a typed cell is parsed to Decimal (never a float), refused
    with the row and the range allowed, and handed on as an undoable edit; the last row is the
    new row while the MB is editable; nothing is editable once it is not."""


# --- MB history ------------------------------------------------------------------------


H = Column[MbSummary]


class MbHistoryTableModel(ColumnsTableModel[MbSummary]):
    """Every MB of the work order, oldest first; the one being edited in bold."""

    columns = (
        H("MB", lambda s: s.number),
        H("Measured on", lambda s: format_date(s.measurement_date)),
        H("Period", lambda s: period_text(s.period)),
        H("Amount (₹)", lambda s: format_money(s.total), right=True),
        H("Status", lambda s: s.status.label),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__((), parent)
        self.current = ""

    def set_history(self, rows: Sequence[MbSummary], current: str) -> None:
        self.current = current
        self.set_rows(rows)

    def extra_data(self, row: MbSummary, column: int, role: int) -> Any:
        if role == FONT and row.number == self.current:
            return _bold()
        return None


# --- Photos ----------------------------------------------------------------------------

THUMBNAIL = QSize(128, 96)


def gps_text(latitude: Decimal | None, longitude: Decimal | None) -> str:
    """'20.653210° N, 85.597412° E', or 'no GPS'."""
    if latitude is None or longitude is None:
        return "no GPS"
    north = "N" if latitude >= 0 else "S"
    east = "E" if longitude >= 0 else "W"
    return f"{abs(latitude)}° {north}, {abs(longitude)}° {east}"


def taken_text(taken_at: datetime | None) -> str:
    """The capture time in India time, dd/mm/yyyy HH:MM, or that the picture has none."""
    return "no capture time" if taken_at is None else f"{india_time(taken_at)} IST"


def photo_caption(photo: PhotoView) -> str:
    return f"{photo.original_name}\n{taken_text(photo.taken_at)}\n" \
           f"{gps_text(photo.latitude, photo.longitude)}"


class PhotosTableModel(ColumnsTableModel[PhotoView]):
    """The MB's site photos: the thumbnail (decoration) and a caption with the file name, the
    capture time (India) and the GPS position."""

    columns = (
        Column[PhotoView]("Photo", photo_caption,
                          tooltip=lambda p: f"{photo_caption(p)}\n{p.width} × {p.height} px, "
                                            f"added by {p.added_by}. Double-click to enlarge."),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__((), parent)
        self._pixmaps: dict[str, QPixmap] = {}

    def set_photos(self, photos: Sequence[PhotoView]) -> None:
        keep = {p.id for p in photos}
        self._pixmaps = {k: v for k, v in self._pixmaps.items() if k in keep}
        self.set_rows(photos)

    def pixmap(self, photo: PhotoView) -> QPixmap:
        """The thumbnail (a few kB of JPEG in the view: no disk), decoded once."""
        pixmap = self._pixmaps.get(photo.id)
        if pixmap is None:
            pixmap = QPixmap()
            pixmap.loadFromData(photo.thumbnail)
            if not pixmap.isNull():
                pixmap = pixmap.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self._pixmaps[photo.id] = pixmap
        return pixmap

    def extra_data(self, row: PhotoView, column: int, role: int) -> Any:
        if role == DECORATION:
            return self.pixmap(row)
        if role == FONT:
            return _small()
        return None
