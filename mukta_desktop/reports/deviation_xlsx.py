"""The deviation statement as an Excel sheet "Deviation" with live formulas.

The item amounts are the statement's whole rupees (a revised amount may mix the original rate
for the used quantity with the new rate for the rest, so it is not rate × quantity of one
row); everything derived from them is a formula: the quantity change =revised − original,
Less =MAX(original − revised, 0), Excess =MAX(revised − original, 0), the deviation %
=ROUND((revised − original) × 100 ÷ original, 2), Less / Excess / Nil, and the totals.
"""

from __future__ import annotations

from pathlib import Path

from mukta_desktop.domain.deviation import Statement
from mukta_desktop.services.estimate_views import EstimateView

from ._common import signatories
from ._deviation_common import TITLE, heading_lines, remark
from ._output import Cancelled, Progress, Steps, atomic_target
from .xlsx_base import (
    BOLD,
    CENTRE,
    MONEY,
    NUMBER,
    QTY,
    RUPEES,
    SIGNED_PCT,
    SIGNED_QTY,
    TEXT,
    WRAP,
    Sheet,
    SheetColumn,
    new_workbook,
    number,
    save_workbook,
)

COLUMNS = (
    SheetColumn("Sl.", 5),
    SheetColumn("SOR code", 13),
    SheetColumn("Description of item", 42),
    SheetColumn("Unit", 7),
    SheetColumn("Rate (₹)", 11),
    SheetColumn("Original quantity", 12),
    SheetColumn("Original amount (₹)", 12),
    SheetColumn("Revised quantity", 12),
    SheetColumn("Revised amount (₹)", 12),
    SheetColumn("Quantity excess (+) / saving (−)", 12),
    SheetColumn("Less (₹)", 11),
    SheetColumn("Excess (₹)", 11),
    SheetColumn("Deviation %", 9),
    SheetColumn("Less / Excess / Nil", 9),
    SheetColumn("Remarks", 12),
    SheetColumn("Reason for the deviation", 34),
)


def _verdict(r: int) -> str:
    return f'=IF(I{r}<G{r},"Less",IF(I{r}>G{r},"Excess","Nil"))'


def _percent(r: int) -> str:
    return f'=IF(G{r}=0,"",ROUND((I{r}-G{r})*100/G{r},2))'


def write_deviation_xlsx(
    before: EstimateView,
    after: EstimateView,
    statement: Statement,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> None:
    """Write the deviation statement of `after` against `before` to `path`."""
    steps = Steps(len(statement.rows) + 1, progress, cancelled)
    book = new_workbook()
    sheet = Sheet(book, "Deviation", COLUMNS, landscape=True)
    sheet.heading(after.tenant_name, TITLE, heading_lines(before, after))
    rows: list[int] = []
    for item in statement.rows:
        r = sheet.next_row()
        rows.append(r)
        sheet.put(r, 1, item.number, CENTRE)
        sheet.text(r, 2, item.code or "Non-SOR")
        sheet.text(r, 3, item.description, WRAP)
        sheet.text(r, 4, item.unit, CENTRE)
        sheet.put(r, 5, number(item.rate), MONEY)
        if not item.extra:
            sheet.put(r, 6, number(item.original_quantity), QTY)
        sheet.put(r, 7, number(item.original_amount), RUPEES)
        if not item.removed:
            sheet.put(r, 8, number(item.revised_quantity), QTY)
        sheet.put(r, 9, number(item.revised_amount), RUPEES)
        sheet.put(r, 10, f"=H{r}-F{r}", SIGNED_QTY)
        sheet.put(r, 11, f"=MAX(G{r}-I{r},0)", RUPEES)
        sheet.put(r, 12, f"=MAX(I{r}-G{r},0)", RUPEES)
        if not item.extra:  # an extra item has nothing to compare with
            sheet.put(r, 13, _percent(r), SIGNED_PCT)
        sheet.put(r, 14, _verdict(r), CENTRE)
        sheet.text(r, 15, remark(item))
        sheet.text(r, 16, item.reason, WRAP)
        steps.tick()
    first, last = (rows[0], rows[-1]) if rows else (sheet.row, sheet.row)

    items = sheet.next_row()
    sheet.text(items, 3, "Total of items", NUMBER + BOLD)
    for letter, col in (("G", 7), ("I", 9), ("K", 11), ("L", 12)):
        formula = f"=SUM({letter}{first}:{letter}{last})" if rows else 0
        sheet.put(items, col, formula, RUPEES + BOLD)
    sheet.top_rule(items)
    overhead_rows: list[int] = []
    for overhead in statement.overheads:
        r = sheet.next_row()
        overhead_rows.append(r)
        sheet.text(r, 3, overhead.description, NUMBER)
        sheet.put(r, 7, number(overhead.original_amount), RUPEES)
        sheet.put(r, 9, number(overhead.revised_amount), RUPEES)
        sheet.put(r, 11, f"=MAX(G{r}-I{r},0)", RUPEES)
        sheet.put(r, 12, f"=MAX(I{r}-G{r},0)", RUPEES)
    grand = sheet.next_row()
    sheet.text(grand, 3, "Grand total", NUMBER + BOLD)
    for letter, col in (("G", 7), ("I", 9)):
        formula = f"={letter}{items}"
        if overhead_rows:
            formula += f"+SUM({letter}{overhead_rows[0]}:{letter}{overhead_rows[-1]})"
        sheet.put(grand, col, formula, RUPEES + BOLD)
    sheet.put(grand, 11, f"=MAX(G{grand}-I{grand},0)", RUPEES + BOLD)
    sheet.put(grand, 12, f"=MAX(I{grand}-G{grand},0)", RUPEES + BOLD)
    sheet.put(grand, 13, _percent(grand), SIGNED_PCT + BOLD)
    sheet.put(grand, 14, _verdict(grand), CENTRE + BOLD)
    sheet.top_rule(grand)
    r = sheet.next_row()
    sheet.text(r, 3, "Amounts in whole rupees, as in the statement.", TEXT)
    sheet.next_row()
    for who in signatories(after.history):
        r = sheet.next_row()
        sheet.ws.row_dimensions[r].height = 30  # room to sign
        sheet.text(r, 3, f"{who.act} ({who.officer})", TEXT + BOLD)
        sheet.text(r, 6, f"Name: {who.name}" if who.name else "Name:")
        sheet.text(r, 10, f"Date: {who.on}" if who.on else "Date:")
    sheet.print_setup(f"{after.number} against {before.number}")
    steps.tick()
    with atomic_target(path) as temporary:
        save_workbook(book, temporary)
        steps.check()
    steps.finish()
