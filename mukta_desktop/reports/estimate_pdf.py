"""The detailed estimate as a PDF: particulars of the work, the measurement sheet, the
abstract of cost, the analysis statement and the signature blocks (DESIGN.md §2 "Estimate").

Every figure is the service's own (EstimateView); this module only lays them out, in Indian
digit grouping, quantities to 4 decimals and amounts to paise.
"""

from __future__ import annotations

from pathlib import Path

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.measurements import RowKind
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.services.estimate_views import EstimateView, LineView

from ._common import (
    code_of,
    document_title,
    estimate_line,
    factor,
    line_cost,
    money,
    overhead_label,
    plain,
    project_line,
    quantity,
    rupees,
    signatories,
)
from ._output import Cancelled, Progress, Steps, atomic_target
from .fonts import RUPEE, FontFiles
from .pdf_base import LINE_H, PAD, TOTAL_FILL, Column, PageHeading, ReportPdf, Span

MEASUREMENT_COLUMNS = (
    Column("Item", 10, "C"),
    Column("Particulars", 72, wrap=True),
    Column("+/-", 12, "C"),
    Column("No.", 15, "R"),
    Column("L", 17, "R"),
    Column("B", 17, "R"),
    Column("D", 17, "R"),
    Column("Quantity", 20, "R"),
    Column("Unit", 10, "C"),
)
ABSTRACT_COLUMNS = (
    Column("Sl.", 9, "C"),
    Column("SOR code", 22),
    Column("Description of item", 69, wrap=True),
    Column("Quantity", 20, "R"),
    Column("Unit", 10, "C"),
    Column(f"Rate ({RUPEE})", 20, "R"),
    Column("Per", 10, "R"),
    Column(f"Amount ({RUPEE})", 30, "R"),
)
ANALYSIS_COLUMNS = (
    Column("Sl.", 9, "C"),
    Column("SOR code", 22),
    Column("Description of item", 49),
    Column("Quantity", 20, "R"),
    Column("Unit", 10, "C"),
    Column(f"Material ({RUPEE})", 20, "R"),
    Column(f"Labour ({RUPEE})", 20, "R"),
    Column(f"Machinery ({RUPEE})", 20, "R"),
    Column(f"Total ({RUPEE})", 20, "R"),
)
ROW_H = LINE_H + 2 * PAD


def heading_of(view: EstimateView, title: str) -> PageHeading:
    return PageHeading(
        organisation=view.tenant_name,
        title=title,
        lines=(project_line(view), estimate_line(view)),
        footer=f"{view.number}  ·  {view.project.number}  ·  MUKTA Desktop",
    )


def write_estimate_pdf(
    view: EstimateView,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    fonts: FontFiles | None = None,
) -> None:
    """Write the detailed estimate PDF to `path`; nothing is left there if cancelled."""
    steps = Steps(3 * len(view.lines) + 2, progress, cancelled)
    pdf = ReportPdf(heading_of(view, document_title(view)), fonts=fonts)
    pdf.add_page()
    _particulars(pdf, view)
    _measurement_sheet(pdf, view, steps)
    _abstract(pdf, view, steps)
    _analysis(pdf, view, steps)
    pdf.signatures(signatories(view.history))
    steps.tick()
    with atomic_target(path) as temporary:
        pdf.save(temporary)
        steps.check()
    steps.finish()


def _particulars(pdf: ReportPdf, view: EstimateView) -> None:
    facts = [
        ("Name of work", view.project.name),
        ("Project No.", view.project.number),
        ("ULB", view.tenant_name),
        ("Estimate No.", view.number),
        ("Estimate date", format_date(view.estimate_date)),
        ("Status", view.status.label),
    ]
    if view.revision_of:
        facts.append(("Revision of", f"{view.revision_of} (revision {view.revision_no})"))
    if view.description:
        facts.append(("Description", view.description))
    facts.append(("Estimated cost", f"{RUPEE} {money(view.total)} ({view.total_in_words})"))
    pdf.key_values(facts)


def _measurement_sheet(pdf: ReportPdf, view: EstimateView, steps: Steps) -> None:
    pdf.begin_section("MEASUREMENT SHEET", MEASUREMENT_COLUMNS)
    for number, line in enumerate(view.lines, start=1):
        d = line.draft
        pdf.row(
            [str(number), Span(f"{code_of(line)} — {d.description}", 7), d.unit],
            fill=TOTAL_FILL,
            keep_with_next=2 * ROW_H,
        )
        for row in d.rows:
            pdf.row(
                [
                    "",
                    row.name,
                    "Deduct" if row.kind is RowKind.MINUS else "",
                    factor(row.number),
                    factor(row.length),
                    factor(row.breadth),
                    factor(row.depth),
                    quantity(row.quantity),
                    "",
                ]
            )
        pdf.row(
            [
                "",
                Span(f"Total quantity of item {number}", 6, align="R", wrap=False),
                quantity(line.quantity),
                d.unit,
            ],
            bold=True,
            rule=True,
        )
        steps.tick()
    pdf.end_section()


def _abstract_description(line: LineView) -> str:
    d = line.draft
    text = d.description
    if d.used_quantity is not None and d.used_rate is not None and d.used_quantity != ZERO:
        text += (
            f"\n(Used {quantity(d.used_quantity)} {d.unit} at the original rate "
            f"{RUPEE} {money(d.used_rate)}; the rest at {RUPEE} {money(d.rate)})"
        )
    if d.reason:
        text += f"\nReason: {d.reason}"
    return text


def _abstract(pdf: ReportPdf, view: EstimateView, steps: Steps) -> None:
    pdf.begin_section("ABSTRACT OF COST", ABSTRACT_COLUMNS)
    for number, line in enumerate(view.lines, start=1):
        d = line.draft
        pdf.row(
            [
                str(number),
                code_of(line),
                _abstract_description(line),
                quantity(line.quantity),
                d.unit,
                money(d.rate),
                plain(d.rate_quantity),
                money(line.amount),
            ],
            rule=True,
        )
        steps.tick()

    def total(label: str, amount: str, *, bold: bool = True) -> None:
        pdf.row(
            [Span(label, 7, align="R", wrap=False), amount],
            bold=bold,
            fill=TOTAL_FILL if bold else None,
            rule=True,
        )

    total("Total of SOR items (A)", money(view.sor_total))
    total("Total of non-SOR items (B)", money(view.non_sor_total))
    total("Total (A + B)", money(view.sor_total + view.non_sor_total))
    for overhead in view.overheads:
        o = overhead.draft
        total(overhead_label(o.description, o.percent), money(overhead.amount), bold=False)
    total("Total of overheads (C)", money(view.overhead_total))
    total("Grand total (A + B + C)", f"{RUPEE} {money(view.total)}")
    total("Grand total in whole rupees", f"{RUPEE} {rupees(view.total_rupees)}")
    pdf.end_section()
    pdf.ln(2)
    pdf.paragraph(f"Amount in words: {view.total_in_words}", bold=True)


def _analysis(pdf: ReportPdf, view: EstimateView, steps: Steps) -> None:
    pdf.begin_section("ANALYSIS STATEMENT (material, labour and machinery)", ANALYSIS_COLUMNS)
    skipped = 0
    for number, line in enumerate(view.lines, start=1):
        cost = line_cost(line)
        steps.tick()
        if cost is None:
            skipped += 1
            continue
        pdf.row(
            [
                str(number),
                code_of(line),
                line.draft.description,
                quantity(line.quantity),
                line.draft.unit,
                money(cost.material),
                money(cost.labour),
                money(cost.machinery),
                money(cost.material + cost.labour + cost.machinery),
            ],
            rule=True,
        )
    pdf.cost_totals(view.analysis, skipped)
