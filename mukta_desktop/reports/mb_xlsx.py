"""The Measurement Book as an Excel workbook with live formulas.

Sheets: "MB" (the entries at commencement, the status, the content hash of an approved MB),
"Measurement" (each row's contents =ROUND(PRODUCT(No., L, B, D/H), 4) — PRODUCT skips blank
cells, which is the app's "a blank factor counts as 1"; an item's quantity = its rows not
marked "Deduct" − its rows marked "Deduct"), "Abstract" (this MB's quantity taken from the
measurement sheet, its amount =ROUND(qty × rate ÷ per, 2), the previous quantity and amount
as the approved MBs left them, up to date = previous + this MB, totals =SUM, whole rupees and
the amounts in words, signatures), "Utilization" (material, labour and machinery of this
MB's quantity from each SOR item's rate heads), "Photos" (captions and thumbnails) and
"History" (the workflow timeline).

Rounding matches the app: Excel's and LibreOffice's ROUND go half away from zero, which for
these non-negative figures is the app's half-up. Words are text: no formula makes them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Font

from mukta_desktop.domain.measurements import RowKind
from mukta_desktop.services.mb_views import MbView, PhotoView

from ._cost_sheet import CostItem, write_cost_items
from ._mb_common import (
    DEDUCT,
    NOT_MEASURED,
    TITLE,
    code_of,
    commencement,
    footer,
    gps_text,
    has_utilization,
    is_approved,
    mb_line,
    mb_signatories,
    picture_text,
    sentence,
    stamp,
    status_text,
    taken_text,
    timeline,
    up_to_date_words,
    work_line,
)
from ._output import Cancelled, Progress, Steps, atomic_target
from .xlsx_base import (
    BOLD,
    CENTRE,
    FACTORS,
    MONEY,
    NUMBER,
    QTY,
    RUPEES,
    TEXT,
    WRAP,
    Sheet,
    SheetColumn,
    new_workbook,
    number,
    save_workbook,
)

DATE_FORMAT = "DD/MM/YYYY"
STAMP_COLOUR = "BE1414"
THUMBNAIL_PX = 150  # long side of a thumbnail on the Photos sheet
PHOTO_ROW_POINTS = 120.0

MB_COLUMNS = (SheetColumn("Particulars", 34), SheetColumn("Entry", 110))
MEASUREMENT_COLUMNS = (
    SheetColumn("Sl.", 6),
    SheetColumn("SOR code", 13),
    SheetColumn("Measured on", 11),
    SheetColumn("Description of item and particulars of measurement", 50),
    SheetColumn("Deduct", 8),
    SheetColumn("No.", 8),
    SheetColumn("L", 9),
    SheetColumn("B", 9),
    SheetColumn("D/H", 9),
    SheetColumn("Contents / quantity", 13),
    SheetColumn("Unit", 7),
    SheetColumn("Remarks", 28),
)
ABSTRACT_COLUMNS = (
    SheetColumn("Sl.", 6),
    SheetColumn("SOR code", 13),
    SheetColumn("Description of item", 44),
    SheetColumn("Unit", 7),
    SheetColumn("Rate (₹)", 12),
    SheetColumn("Per", 6),
    SheetColumn("Estimate quantity", 12),
    SheetColumn("Up to date: quantity", 12),
    SheetColumn("Up to date: amount (₹)", 14),
    SheetColumn("Deduct previous: quantity", 15),
    SheetColumn("Deduct previous: amount (₹)", 15),
    SheetColumn("This MB: quantity", 12),
    SheetColumn("This MB: amount (₹)", 14),
    SheetColumn("Remarks", 24),
)
UTILIZATION_COLUMNS = (
    SheetColumn("Sl.", 6),
    SheetColumn("SOR code", 13),
    SheetColumn("Description of item", 40),
    SheetColumn("Quantity (this MB)", 13),
    SheetColumn("Unit", 7),
    SheetColumn("Per", 6),
    SheetColumn("Material rate (₹)", 12),
    SheetColumn("Labour rate (₹)", 12),
    SheetColumn("Machinery rate (₹)", 12),
    SheetColumn("Material (₹)", 14),
    SheetColumn("Labour (₹)", 14),
    SheetColumn("Machinery (₹)", 14),
    SheetColumn("Total (₹)", 14),
)
PHOTO_COLUMNS = (
    SheetColumn("No.", 5),
    SheetColumn("Original file name", 24),
    SheetColumn("Capture time (India)", 30),
    SheetColumn("GPS", 28),
    SheetColumn("Stored picture", 26),
    SheetColumn("SHA-256 of the stored picture", 68),
    SheetColumn("Thumbnail", 30),
)
HISTORY_COLUMNS = (
    SheetColumn("Date and time (India)", 18),
    SheetColumn("Action", 20),
    SheetColumn("By", 30),
    SheetColumn("Status after", 24),
    SheetColumn("Comment", 60),
)


@dataclass(frozen=True, slots=True)
class AbstractCells:
    """Where the Abstract put each item, for the Utilization sheet's references."""

    item_rows: tuple[int, ...]


def write_mb_xlsx(
    view: MbView,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> None:
    """Write the MB workbook to `path`; nothing is left there if cancelled or failed."""
    steps = Steps(2 * len(view.lines) + len(view.photos) + 2, progress, cancelled)
    book = new_workbook()
    _mb_sheet(book, view)
    item_totals = _measurement(book, view, steps)
    abstract = _abstract(book, view, item_totals, steps)
    _utilization(book, view, abstract)
    _photos(book, view, steps)
    _history(book, view)
    steps.tick()
    with atomic_target(path) as temporary:
        save_workbook(book, temporary)
        steps.check()
    steps.finish()


def _new_sheet(
    book: Workbook,
    view: MbView,
    name: str,
    title: str,
    columns: tuple[SheetColumn, ...],
    *,
    landscape: bool = True,
) -> Sheet:
    """A sheet with the MB's heading; while the MB is not approved, a red stamp line."""
    sheet = Sheet(book, name, columns, landscape=landscape)
    first, second = stamp(view)
    lines = [mb_line(view), work_line(view)]
    if first:
        lines.append(f"{first}. {second}.")
    sheet.heading(view.tenant_name, f"{TITLE} — {title}" if title else TITLE, lines)
    if first:  # rows: organisation, title, then the lines; the stamp is the last of them
        cell = sheet.ws.cell(2 + len(lines), 1)
        cell.font = Font(name="Calibri", size=11, bold=True, color=STAMP_COLOUR)
    return sheet


def _mb_sheet(book: Workbook, view: MbView) -> None:
    sheet = _new_sheet(book, view, "MB", "", MB_COLUMNS, landscape=False)
    entries = commencement(view)
    if is_approved(view) and view.content_hash:
        entries.append(("Content hash (SHA-256)", view.content_hash))
        if view.previous_hash:
            entries.append(("Hash of the previous MB", view.previous_hash))
    else:
        entries.append(
            (
                "Approval",
                f"Not approved ({view.status.label}): no content hash yet; not to be paid from.",
            )
        )
    for key, value in entries:
        r = sheet.next_row()
        sheet.text(r, 1, key, TEXT + BOLD)
        sheet.text(r, 2, value, WRAP)
    sheet.print_setup(footer(view))


# ---------------------------------------------------------------- measurement


def _measurement(book: Workbook, view: MbView, steps: Steps) -> list[int]:
    """The measurement rows; returns the row of each item's quantity."""
    sheet = _new_sheet(book, view, "Measurement", "DETAILED MEASUREMENTS", MEASUREMENT_COLUMNS)
    totals: list[int] = []
    for line in view.lines:
        item = line.item
        r = sheet.next_row()
        sheet.put(r, 1, line.position, CENTRE + BOLD)
        sheet.text(r, 2, code_of(line), TEXT + BOLD)
        sheet.put(r, 3, view.measurement_date, CENTRE)
        sheet.ws.cell(r, 3).number_format = DATE_FORMAT
        sheet.text(r, 4, item.description, WRAP + BOLD)
        sheet.text(r, 11, item.unit, CENTRE + BOLD)
        if line.remarks:
            sheet.text(r, 12, line.remarks, WRAP)
        first = r + 1
        for row in item.rows:
            r = sheet.next_row()
            sheet.text(r, 4, row.name, WRAP)
            if row.kind is RowKind.MINUS:  # additions stay unmarked, as on a paper MB
                sheet.text(r, 5, DEDUCT, CENTRE)
            for col, value in enumerate(row.factors(), start=6):
                if value is not None:
                    sheet.put(r, col, number(value), FACTORS)
            sheet.put(r, 10, f"=ROUND(PRODUCT(F{r}:I{r}),4)", QTY)
        last = r
        r = sheet.next_row()
        if last >= first:
            kinds, contents = f"E{first}:E{last}", f"J{first}:J{last}"
            formula: object = (
                f'=ROUND(SUMIF({kinds},"<>{DEDUCT}",{contents})'
                f'-SUMIF({kinds},"{DEDUCT}",{contents}),4)'
            )
            sheet.text(r, 4, f"Quantity of item {line.position} in this MB", NUMBER + BOLD)
        else:
            formula = 0
            sheet.text(r, 4, f"Item {line.position} {NOT_MEASURED}", NUMBER + BOLD)
        sheet.put(r, 10, formula, QTY + BOLD)
        sheet.text(r, 11, item.unit, CENTRE + BOLD)
        # No fill or rule per item: each costs twelve style look-ups, a second in all for a
        # 300-item MB; bold headings and totals mark the items, as in the estimate sheet.
        totals.append(r)
        steps.tick()
    sheet.print_setup(footer(view))
    return totals


# ---------------------------------------------------------------- abstract


def _abstract(book: Workbook, view: MbView, item_totals: list[int], steps: Steps) -> AbstractCells:
    sheet = _new_sheet(book, view, "Abstract", "ABSTRACT OF THE MB", ABSTRACT_COLUMNS)
    rows: list[int] = []
    for line, total_row in zip(view.lines, item_totals, strict=True):
        item = line.item
        r = sheet.next_row()
        rows.append(r)
        sheet.put(r, 1, line.position, CENTRE)
        sheet.text(r, 2, code_of(line))
        sheet.text(r, 3, item.description, WRAP)
        sheet.text(r, 4, item.unit, CENTRE)
        sheet.put(r, 5, number(item.rate), MONEY)
        sheet.put(r, 6, number(item.rate_quantity), NUMBER)
        sheet.put(r, 7, number(item.estimate_quantity), QTY)
        sheet.put(r, 8, f"=ROUND(J{r}+L{r},4)", QTY)
        sheet.put(r, 9, f"=K{r}+M{r}", MONEY)
        sheet.put(r, 10, number(item.previous_quantity), QTY)
        sheet.put(r, 11, number(item.previous_amount), MONEY)
        sheet.put(r, 12, f"=Measurement!J{total_row}", QTY)
        sheet.put(r, 13, f"=ROUND(L{r}*E{r}/F{r},2)", MONEY)
        if line.remarks:
            sheet.text(r, 14, line.remarks, WRAP)
        steps.tick()
    total = sheet.next_row()
    sheet.text(total, 3, "Total (₹)", NUMBER + BOLD)
    for col, letter in ((9, "I"), (11, "K"), (13, "M")):
        formula = f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})" if rows else 0
        sheet.put(total, col, formula, MONEY + BOLD)
    sheet.top_rule(total)
    whole = sheet.next_row()
    sheet.text(whole, 3, "Total in whole rupees (₹)", NUMBER + BOLD)
    for col, letter in ((9, "I"), (11, "K"), (13, "M")):
        sheet.put(whole, col, f"=ROUND({letter}{total},0)", RUPEES + BOLD)
    for label, words in (
        ("Value of this MB in words", view.total_in_words),
        ("Value up to date in words", up_to_date_words(view)),
    ):
        r = sheet.next_row()
        sheet.text(r, 3, f"{label}: {words}", TEXT + BOLD)  # runs on over the empty cells
    r = sheet.next_row()
    sheet.text(r, 3, f"Status: {status_text(view)}", TEXT + BOLD)
    _signature_rows(sheet, view)
    sheet.print_setup(footer(view))
    return AbstractCells(tuple(rows))


def _signature_rows(sheet: Sheet, view: MbView) -> None:
    sheet.next_row()
    for who in mb_signatories(view):
        r = sheet.next_row()
        sheet.ws.row_dimensions[r].height = 30  # room to sign
        sheet.text(r, 3, f"{who.act} ({who.officer})", TEXT + BOLD)
        sheet.text(r, 5, f"Name: {who.name}" if who.name else "Name:")  # runs on over F:J
        sheet.text(r, 11, f"Date: {who.on}" if who.on else "Date:")


# ---------------------------------------------------------------- utilization


def _utilization(book: Workbook, view: MbView, abstract: AbstractCells) -> None:
    sheet = _new_sheet(book, view, "Utilization", "UTILIZATION STATEMENT", UTILIZATION_COLUMNS)
    items = [
        CostItem(
            line.position,
            code_of(line),
            line.item.description,
            f"=Abstract!L{abstract_row}",
            line.item.unit,
            line.item.rate_quantity,
            line.item.heads,
        )
        for line, abstract_row in zip(view.lines, abstract.item_rows, strict=True)
        if has_utilization(line) and line.item.heads is not None
    ]
    write_cost_items(sheet, items, total_items=len(view.lines))
    sheet.print_setup(footer(view))


# ---------------------------------------------------------------- photos and history


def _photos(book: Workbook, view: MbView, steps: Steps) -> None:
    sheet = _new_sheet(book, view, "Photos", "SITE PHOTOS", PHOTO_COLUMNS)
    pictured: list[int] = []
    for count, photo in enumerate(view.photos, start=1):
        r = sheet.next_row()
        sheet.put(r, 1, count, CENTRE)
        sheet.text(r, 2, photo.original_name, WRAP)
        sheet.text(r, 3, taken_text(photo), WRAP)
        sheet.text(r, 4, sentence(gps_text(photo)), WRAP)
        sheet.text(r, 5, picture_text(photo), WRAP)
        sheet.text(r, 6, photo.sha256)
        if _add_thumbnail(sheet, photo, f"G{r}"):
            pictured.append(r)
        steps.tick()
    if not view.photos:
        sheet.text(sheet.next_row(), 2, "No site photos were added to this MB.")
    sheet.print_setup(footer(view))
    for r in pictured:  # after print_setup, which sizes rows for their wrapped text only
        sheet.ws.row_dimensions[r].height = PHOTO_ROW_POINTS


def _add_thumbnail(sheet: Sheet, photo: PhotoView, anchor: str) -> bool:
    """The photo's thumbnail in the cell (openpyxl embeds the JPEG bytes as they are)."""
    if not photo.thumbnail:
        return False
    try:
        image = SheetImage(io.BytesIO(photo.thumbnail))
    except (OSError, ValueError):  # an unreadable thumbnail: the captions still stand
        return False
    width, height = float(image.width), float(image.height)
    scale = THUMBNAIL_PX / max(width, height, 1.0)
    image.width, image.height = int(width * scale), int(height * scale)
    sheet.ws.add_image(image, anchor)
    return True


def _history(book: Workbook, view: MbView) -> None:
    sheet = _new_sheet(book, view, "History", "WORKFLOW TIMELINE", HISTORY_COLUMNS)
    for entry in timeline(view.history):
        r = sheet.next_row()
        sheet.text(r, 1, entry.at, CENTRE)
        sheet.text(r, 2, entry.action)
        sheet.text(r, 3, entry.by)
        sheet.text(r, 4, entry.status)
        sheet.text(r, 5, entry.comment, WRAP)
    if not view.history:
        sheet.text(sheet.next_row(), 2, "No workflow step recorded yet.")
    sheet.print_setup(footer(view))
