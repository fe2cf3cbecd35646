"""The detailed estimate as an Excel workbook with live formulas.

Sheets: "Measurement" (each row's quantity =ROUND(PRODUCT(No., L, B, D), 4) — PRODUCT skips
blank cells, which is the app's "a blank factor counts as 1"; an item's total = its rows not
marked "Deduct" − its rows marked "Deduct"), "Abstract" (quantities taken from the measurement
sheet, amounts =ROUND(qty × rate ÷ per, 2), sub-totals, overheads =ROUND(base × % ÷ 100, 2),
grand total), "Analysis" (material, labour and machinery per SOR item from its rate heads).
Rounding matches the app: Excel's and LibreOffice's ROUND go half away from zero, which for
these non-negative figures is the app's half-up. The amount in words is text: no formula
makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.measurements import RowKind
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.services.estimate_views import EstimateView, LineView

from ._common import (
    NON_SOR,
    document_title,
    estimate_line,
    line_cost,
    overhead_label,
    project_line,
    signatories,
)
from ._cost_sheet import CostItem, write_cost_items
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

DEDUCT = "Deduct"
SOR, NON_SOR_TYPE = "SOR", NON_SOR

MEASUREMENT_COLUMNS = (
    SheetColumn("Item", 6),
    SheetColumn("SOR code", 13),
    SheetColumn("Particulars", 48),
    SheetColumn("Deduct", 8),
    SheetColumn("No.", 8),
    SheetColumn("L", 10),
    SheetColumn("B", 10),
    SheetColumn("D", 10),
    SheetColumn("Quantity", 13),
    SheetColumn("Unit", 7),
)
ABSTRACT_COLUMNS = (
    SheetColumn("Sl.", 6),
    SheetColumn("Type", 8),
    SheetColumn("SOR code", 13),
    SheetColumn("Description of item", 50),
    SheetColumn("Quantity", 13),
    SheetColumn("Unit", 7),
    SheetColumn("Rate (₹)", 12),
    SheetColumn("Per", 6),
    SheetColumn("Amount (₹)", 15),
)
USED_COLUMNS = (
    SheetColumn("Used quantity (at original rate)", 13),
    SheetColumn("Original rate (₹)", 12),
)
ANALYSIS_COLUMNS = (
    SheetColumn("Sl.", 6),
    SheetColumn("SOR code", 13),
    SheetColumn("Description of item", 40),
    SheetColumn("Quantity", 13),
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


@dataclass(frozen=True, slots=True)
class AbstractCells:
    """Where the figures other sheets refer to were written."""

    quantity_rows: tuple[int, ...]  # Abstract row of each line
    total_row: int


def write_estimate_xlsx(
    view: EstimateView,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> None:
    """Write the estimate workbook to `path`; nothing is left there if cancelled."""
    steps = Steps(3 * len(view.lines) + 1, progress, cancelled)
    book = new_workbook()
    lines = [project_line(view), estimate_line(view)]
    title = document_title(view)
    footer = f"{view.number}  {view.project.number}"
    item_totals = _measurement(book, view, title, lines, footer, steps)
    abstract = _abstract(book, view, title, lines, footer, item_totals, steps)
    _analysis(book, view, title, lines, footer, abstract, steps)
    with atomic_target(path) as temporary:
        save_workbook(book, temporary)
        steps.check()
    steps.finish()


def _measurement(
    book: Workbook,
    view: EstimateView,
    title: str,
    lines: list[str],
    footer: str,
    steps: Steps,
) -> list[int]:
    sheet = Sheet(book, "Measurement", MEASUREMENT_COLUMNS)
    sheet.heading(view.tenant_name, f"{title} — MEASUREMENT SHEET", lines)
    totals: list[int] = []
    for item, line in enumerate(view.lines, start=1):
        d = line.draft
        r = sheet.next_row()
        sheet.put(r, 1, item, CENTRE + BOLD)
        sheet.text(r, 2, d.sor_code or NON_SOR, TEXT + BOLD)
        sheet.text(r, 3, d.description, WRAP + BOLD)
        sheet.text(r, 10, d.unit, CENTRE + BOLD)
        first = r + 1
        for row in d.rows:
            r = sheet.next_row()
            sheet.text(r, 3, row.name, WRAP)
            if row.kind is RowKind.MINUS:  # additions stay unmarked, as on a paper sheet
                sheet.text(r, 4, DEDUCT, CENTRE)
            for col, value in enumerate(row.factors(), start=5):
                if value is not None:
                    sheet.put(r, col, number(value), FACTORS)
            sheet.put(r, 9, f"=ROUND(PRODUCT(E{r}:H{r}),4)", QTY)
        last = r
        r = sheet.next_row()
        sheet.text(r, 3, f"Total quantity of item {item}", NUMBER + BOLD)
        if last >= first:
            kinds, quantities = f"D{first}:D{last}", f"I{first}:I{last}"
            formula = (
                f'=ROUND(SUMIF({kinds},"<>{DEDUCT}",{quantities})'
                f'-SUMIF({kinds},"{DEDUCT}",{quantities}),4)'
            )
            sheet.put(r, 9, formula, QTY + BOLD)
        else:
            sheet.put(r, 9, 0, QTY + BOLD)  # a line with no measurements yet
        sheet.text(r, 10, d.unit, CENTRE + BOLD)
        totals.append(r)
        steps.tick()
    sheet.print_setup(footer)
    return totals


def _amount_formula(r: int, line: LineView, used: bool) -> str:
    d = line.draft
    has_used = d.used_quantity is not None and d.used_rate is not None
    if used and has_used and d.used_quantity != ZERO:
        # The used part keeps the original rate; the rest takes the revision's rate.
        return f"=ROUND(J{r}*K{r}/H{r},2)+ROUND((E{r}-J{r})*G{r}/H{r},2)"
    return f"=ROUND(E{r}*G{r}/H{r},2)"


def _abstract(
    book: Workbook,
    view: EstimateView,
    title: str,
    lines: list[str],
    footer: str,
    item_totals: list[int],
    steps: Steps,
) -> AbstractCells:
    used = any(
        line.draft.used_quantity is not None and line.draft.used_rate is not None
        for line in view.lines
    )
    columns = ABSTRACT_COLUMNS + (USED_COLUMNS if used else ())
    sheet = Sheet(book, "Abstract", columns)
    sheet.heading(view.tenant_name, f"{title} — ABSTRACT OF COST", lines)
    rows: list[int] = []
    for item, (line, total_row) in enumerate(zip(view.lines, item_totals, strict=True), 1):
        d = line.draft
        r = sheet.next_row()
        rows.append(r)
        sheet.put(r, 1, item, CENTRE)
        sheet.text(r, 2, SOR if d.category is LineCategory.SOR else NON_SOR_TYPE)
        sheet.text(r, 3, d.sor_code or "")
        description = d.description + (f"\nReason: {d.reason}" if d.reason else "")
        sheet.text(r, 4, description, WRAP)
        sheet.put(r, 5, f"=Measurement!I{total_row}", QTY)
        sheet.text(r, 6, d.unit, CENTRE)
        sheet.put(r, 7, number(d.rate), MONEY)
        sheet.put(r, 8, number(d.rate_quantity), NUMBER)
        sheet.put(r, 9, _amount_formula(r, line, used), MONEY)
        if used and d.used_quantity is not None and d.used_rate is not None:
            sheet.put(r, 10, number(d.used_quantity), QTY)
            sheet.put(r, 11, number(d.used_rate), MONEY)
        steps.tick()
    first, last = (rows[0], rows[-1]) if rows else (sheet.row + 1, sheet.row + 1)

    def total(label: str, formula: object, *, bold: bool = True, style: str = MONEY) -> int:
        r = sheet.next_row()
        sheet.text(r, 4, label, NUMBER + (BOLD if bold else ""))
        sheet.put(r, 9, formula, style + (BOLD if bold else ""))
        if bold:
            sheet.top_rule(r)
        return r

    a = total("Total of SOR items (A)", f'=SUMIF(B{first}:B{last},"{SOR}",I{first}:I{last})')
    b = total(
        "Total of non-SOR items (B)",
        f'=SUMIF(B{first}:B{last},"{NON_SOR_TYPE}",I{first}:I{last})',
    )
    base = total("Total (A + B)", f"=I{a}+I{b}")
    overhead_rows: list[int] = []
    for overhead in view.overheads:
        o = overhead.draft
        label = overhead_label(o.description, o.percent)
        if o.percent is not None:
            r = total(label, None, bold=False)
            sheet.put(r, 7, number(o.percent), NUMBER)
            sheet.text(r, 8, "%")
            sheet.put(r, 9, f"=ROUND(I{base}*G{r}/100,2)", MONEY)
        else:
            r = total(label, number(overhead.amount), bold=False)
        overhead_rows.append(r)
    c = total(
        "Total of overheads (C)",
        f"=SUM(I{overhead_rows[0]}:I{overhead_rows[-1]})" if overhead_rows else 0,
    )
    grand = total("Grand total (A + B + C) (₹)", f"=I{base}+I{c}")
    total("Grand total in whole rupees (₹)", f"=ROUND(I{grand},0)", style=RUPEES)
    r = sheet.next_row()
    sheet.text(r, 4, f"Amount in words: {view.total_in_words}", WRAP + BOLD)
    _signature_rows(sheet, view)
    sheet.print_setup(footer)
    return AbstractCells(tuple(rows), grand)


def _signature_rows(sheet: Sheet, view: EstimateView) -> None:
    sheet.next_row()
    for who in signatories(view.history):
        r = sheet.next_row()
        sheet.ws.row_dimensions[r].height = 30  # room to sign
        sheet.text(r, 4, f"{who.act} ({who.officer})", TEXT + BOLD)
        sheet.text(r, 5, f"Name: {who.name}" if who.name else "Name:")  # runs on over F:H
        sheet.text(r, 9, f"Date: {who.on}" if who.on else "Date:")


def _analysis(
    book: Workbook,
    view: EstimateView,
    title: str,
    lines: list[str],
    footer: str,
    abstract: AbstractCells,
    steps: Steps,
) -> None:
    sheet = Sheet(book, "Analysis", ANALYSIS_COLUMNS, landscape=True)
    sheet.heading(view.tenant_name, f"{title} — ANALYSIS STATEMENT", lines)
    items: list[CostItem] = []
    for item, (line, abstract_row) in enumerate(
        zip(view.lines, abstract.quantity_rows, strict=True), 1
    ):
        steps.tick()
        heads = line.draft.heads
        if line_cost(line) is None or heads is None:
            continue
        items.append(
            CostItem(
                item,
                line.draft.sor_code or "",
                line.draft.description,
                f"=Abstract!E{abstract_row}",
                line.draft.unit,
                line.draft.rate_quantity,
                heads,
            )
        )
    write_cost_items(sheet, items, total_items=len(view.lines))
    sheet.print_setup(footer)
