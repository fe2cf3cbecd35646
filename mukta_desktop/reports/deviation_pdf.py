"""The deviation statement of a revised estimate as a PDF (A4 landscape: fourteen columns).

Per item: SOR code, description (with the engineer's reason and an extra/removed mark), unit,
rate, original and revised quantity and amount, the excess (+) or saving (−) in quantity, the
less and excess in rupees, the deviation % and Less / Excess / Nil; then the items' totals,
the overheads and the grand total. Amounts are whole rupees, as the statement computes them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from mukta_desktop.domain.deviation import DeviationRow, Statement, Verdict
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.services.estimate_views import EstimateView

from ._common import money, quantity, rupees, signatories
from ._deviation_common import TITLE, heading_lines, remark, signed_percent, signed_quantity
from ._output import Cancelled, Progress, Steps, atomic_target
from .fonts import RUPEE, FontFiles
from .pdf_base import TOTAL_FILL, Column, PageHeading, ReportPdf, Span

COLUMNS = (
    Column("Sl.", 7, "C"),
    Column("SOR code", 19),
    Column("Description of item and reason for the deviation", 63, wrap=True),
    Column("Unit", 10, "C"),
    Column(f"Rate ({RUPEE})", 17, "R"),
    Column("Original quantity", 20, "R"),
    Column(f"Original amount ({RUPEE})", 18, "R"),
    Column("Revised quantity", 20, "R"),
    Column(f"Revised amount ({RUPEE})", 18, "R"),
    Column("Quantity excess (+) / saving (-)", 20, "R", wrap=True),
    Column(f"Less ({RUPEE})", 17, "R"),
    Column(f"Excess ({RUPEE})", 17, "R"),
    Column("Deviation %", 16, "R"),
    Column("Less / Excess / Nil", 15, "C"),
)


def _rupees_or_blank(value: Decimal) -> str:
    return rupees(value) if value != ZERO else ""


def write_deviation_pdf(
    before: EstimateView,
    after: EstimateView,
    statement: Statement,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    fonts: FontFiles | None = None,
) -> None:
    """Write the deviation statement of `after` against `before` to `path`."""
    steps = Steps(len(statement.rows) + 2, progress, cancelled)
    heading = PageHeading(
        organisation=after.tenant_name,
        title=TITLE,
        lines=heading_lines(before, after),
        footer=f"{after.number} against {before.number}  ·  MUKTA Desktop",
    )
    pdf = ReportPdf(heading, orientation="L", fonts=fonts)
    pdf.add_page()
    pdf.key_values(
        [
            ("Name of work", after.project.name),
            (
                "Estimate",
                f"{before.number} ({before.status.label}), total {RUPEE} {money(before.total)}",
            ),
            (
                "Revised estimate",
                f"{after.number} ({after.status.label}), total {RUPEE} {money(after.total)}",
            ),
        ],
        key_width=32,
    )
    pdf.begin_section("DEVIATION STATEMENT (amounts in whole rupees)", COLUMNS)
    for row in statement.rows:
        pdf.row(_item_cells(row), rule=True)
        steps.tick()
    _totals(pdf, statement)
    pdf.end_section()
    pdf.ln(2)
    pdf.paragraph(_summary(statement), bold=True)
    pdf.signatures(signatories(after.history))
    steps.tick()
    with atomic_target(path) as temporary:
        pdf.save(temporary)
        steps.check()
    steps.finish()


def _item_cells(row: DeviationRow) -> list[str | Span]:
    description = row.description
    mark = remark(row)
    if mark:
        description += f"\n[{mark}]"
    if row.reason:
        description += f"\nReason: {row.reason}"
    return [
        str(row.number),
        row.code or "Non-SOR",
        description,
        row.unit,
        money(row.rate),
        "" if row.extra else quantity(row.original_quantity),
        "" if row.extra else rupees(row.original_amount),
        "" if row.removed else quantity(row.revised_quantity),
        "" if row.removed else rupees(row.revised_amount),
        signed_quantity(row.quantity_change),
        _rupees_or_blank(row.less),
        _rupees_or_blank(row.excess),
        signed_percent(row.percent),
        row.verdict.value,
    ]


def _totals(pdf: ReportPdf, statement: Statement) -> None:
    items_original = sum((r.original_amount for r in statement.rows), ZERO)
    items_revised = sum((r.revised_amount for r in statement.rows), ZERO)
    pdf.row(
        [
            Span("Total of items", 6, align="R", wrap=False),
            rupees(items_original),
            "",
            rupees(items_revised),
            "",
            rupees(statement.total_less),
            rupees(statement.total_excess),
            "",
            "",
        ],
        bold=True,
        fill=TOTAL_FILL,
        rule=True,
    )
    for overhead in statement.overheads:
        change = overhead.amount_change
        pdf.row(
            [
                Span(overhead.description, 6, align="R", wrap=False),
                rupees(overhead.original_amount),
                "",
                rupees(overhead.revised_amount),
                "",
                _rupees_or_blank(-change if change < ZERO else ZERO),
                _rupees_or_blank(change if change > ZERO else ZERO),
                "",
                "",
            ],
            rule=True,
        )
    change = statement.total_change
    verdict = Verdict.NIL if change == ZERO else (Verdict.LESS if change < 0 else Verdict.EXCESS)
    pdf.row(
        [
            Span("Grand total", 6, align="R", wrap=False),
            f"{RUPEE} {rupees(statement.original_total)}",
            "",
            f"{RUPEE} {rupees(statement.revised_total)}",
            "",
            _rupees_or_blank(-change if change < ZERO else ZERO),
            _rupees_or_blank(change if change > ZERO else ZERO),
            signed_percent(statement.percent),
            verdict.value,
        ],
        bold=True,
        fill=TOTAL_FILL,
        rule=True,
    )


def _summary(statement: Statement) -> str:
    change = statement.total_change
    if change == ZERO:
        return "The revised estimate costs the same as the estimate it revises."
    word = "more" if change > ZERO else "less"
    percent = "" if statement.percent is None else f" ({signed_percent(statement.percent)} %)"
    return (
        f"The revised estimate is {RUPEE} {rupees(abs(change))}{percent} {word} than the "
        f"estimate it revises: {RUPEE} {rupees(statement.revised_total)} against {RUPEE} "
        f"{rupees(statement.original_total)}."
    )
