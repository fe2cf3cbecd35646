"""The material / labour / machinery statement as a worksheet, shared by the estimate's
analysis statement and the MB's utilization statement: for each SOR item its quantity (a
formula on the abstract), its rate heads and ROUND(quantity × head ÷ per, 2), then totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.domain.sor import MATERIAL_COST_HEADS, RateHeads

from .xlsx_base import BOLD, CENTRE, MONEY, NUMBER, QTY, WRAP, Sheet, number


@dataclass(frozen=True, slots=True)
class CostItem:
    position: int
    code: str
    description: str
    quantity_formula: str  # e.g. "=Abstract!E12"
    unit: str
    rate_quantity: Decimal
    heads: RateHeads


def material_of(heads: RateHeads | None) -> Decimal:
    """The part of a rate counted as material (material and the charges on it), by the rule
    of domain.estimate.line_analysis."""
    if heads is None:
        return ZERO
    values = heads.as_dict()
    return sum((values[h] for h in MATERIAL_COST_HEADS), ZERO)


def write_cost_items(sheet: Sheet, items: Iterable[CostItem], *, total_items: int) -> None:
    """The item rows, their totals, and a note on the items left out (non-SOR items have no
    rate heads)."""
    rows: list[int] = []
    for item in items:
        r = sheet.next_row()
        rows.append(r)
        sheet.put(r, 1, item.position, CENTRE)
        sheet.text(r, 2, item.code)
        sheet.text(r, 3, item.description, WRAP)
        sheet.put(r, 4, item.quantity_formula, QTY)
        sheet.text(r, 5, item.unit, CENTRE)
        sheet.put(r, 6, number(item.rate_quantity), NUMBER)
        sheet.put(r, 7, number(material_of(item.heads)), MONEY)
        sheet.put(r, 8, number(item.heads.labour), MONEY)
        sheet.put(r, 9, number(item.heads.machinery), MONEY)
        for col, rate_col in ((10, "G"), (11, "H"), (12, "I")):
            sheet.put(r, col, f"=ROUND(D{r}*{rate_col}{r}/F{r},2)", MONEY)
        sheet.put(r, 13, f"=J{r}+K{r}+L{r}", MONEY)
    r = sheet.next_row()
    sheet.text(r, 3, "Total", NUMBER + BOLD)
    for col, letter in ((10, "J"), (11, "K"), (12, "L"), (13, "M")):
        formula = f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})" if rows else 0
        sheet.put(r, col, formula, MONEY + BOLD)
    sheet.top_rule(r)
    skipped = total_items - len(rows)
    if skipped:
        r = sheet.next_row()
        sheet.text(
            r, 3, f"{skipped} non-SOR item(s) have no rate analysis and are not in this statement."
        )
