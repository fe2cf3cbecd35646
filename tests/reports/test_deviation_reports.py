"""The deviation statement in PDF and Excel: a revision with a changed quantity, a removed
item, extra items (SOR and non-SOR) and the engineer's reasons."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_support import ink_fraction, page_count, pdf_text, render_page
from xlsx_eval import Evaluator

from mukta_desktop.domain.deviation import Statement, Verdict
from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.reports import ExportCancelled
from mukta_desktop.reports.deviation_pdf import write_deviation_pdf
from mukta_desktop.reports.deviation_xlsx import write_deviation_xlsx
from mukta_desktop.services.estimate_views import EstimateView

Revision = tuple[EstimateView, EstimateView, Statement]


def test_the_revision_has_every_kind_of_item(revision: Revision) -> None:
    _, _, statement = revision
    kinds = {(r.extra, r.removed, r.verdict) for r in statement.rows}
    assert (False, False, Verdict.EXCESS) in kinds  # changed quantity
    assert (False, False, Verdict.NIL) in kinds
    assert (False, True, Verdict.LESS) in kinds  # removed
    assert sum(r.extra for r in statement.rows) == 2


@pytest.fixture(scope="module")
def deviation_pdf(revision: Revision, tmp_path_factory: pytest.TempPathFactory) -> Path:
    before, after, statement = revision
    path = tmp_path_factory.mktemp("dev") / "deviation.pdf"
    write_deviation_pdf(before, after, statement, path)
    return path


def test_the_pdf_holds_the_statement(revision: Revision, deviation_pdf: Path) -> None:
    before, after, statement = revision
    text = pdf_text(deviation_pdf)
    assert "DEVIATION STATEMENT" in text
    assert before.number in text
    assert after.number in text
    assert after.project.name in text
    for row in statement.rows:
        if not row.extra:
            assert format_indian(row.original_quantity, 4) in text
            assert format_indian(row.original_amount, 0) in text
        if not row.removed:
            assert format_indian(row.revised_quantity, 4) in text
            assert format_indian(row.revised_amount, 0) in text
        if row.amount_change:
            assert format_indian(abs(row.amount_change), 0) in text
        if row.percent is not None:
            sign = "+" if row.percent > 0 else ""
            assert f"{sign}{format_indian(row.percent)}" in text
        if row.reason:
            assert row.reason.split()[0] in text
    assert text.count("[Extra item]") == 2
    assert text.count("[Item removed]") == 1
    assert "Reason: Drain extended to the outfall" in text
    for overhead in statement.overheads:
        assert format_indian(overhead.revised_amount, 0) in text
    assert f"₹ {format_indian(statement.original_total, 0)}" in text
    assert f"₹ {format_indian(statement.revised_total, 0)}" in text
    assert format_indian(statement.total_less, 0) in text
    assert format_indian(statement.total_excess, 0) in text
    pages = page_count(text)
    assert f"Page 1 of {pages}" in text
    for word in ("Less", "Excess", "Nil"):
        assert word in text


def test_the_pdf_page_is_not_blank(deviation_pdf: Path, tmp_path: Path) -> None:
    assert ink_fraction(render_page(deviation_pdf, 1, tmp_path)) > 0.01


def test_the_workbook_formulas_give_the_statement(revision: Revision, tmp_path: Path) -> None:
    before, after, statement = revision
    path = tmp_path / "deviation.xlsx"
    write_deviation_xlsx(before, after, statement, path)
    ev = Evaluator(path)
    ws = ev.book["Deviation"]
    assert ev.book.sheetnames == ["Deviation"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$5"
    for r, row in enumerate(statement.rows, start=6):
        assert ws.cell(r, 10).value == f"=H{r}-F{r}"
        assert ev.value("Deviation", f"J{r}") == row.quantity_change
        assert ev.value("Deviation", f"K{r}") == row.less
        assert ev.value("Deviation", f"L{r}") == row.excess
        expected_percent = row.percent if row.percent is not None else None
        assert ev.value("Deviation", f"M{r}") == expected_percent
        assert ev.value("Deviation", f"N{r}") == row.verdict.value
        assert ws.cell(r, 15).value == (
            "Extra item" if row.extra else "Item removed" if row.removed else None
        )
        assert (ws.cell(r, 16).value or "") == row.reason
    labels = {ws.cell(r, 3).value: r for r in range(1, ws.max_row + 1)}
    items, grand = labels["Total of items"], labels["Grand total"]
    assert ev.value("Deviation", f"K{items}") == statement.total_less
    assert ev.value("Deviation", f"L{items}") == statement.total_excess
    assert ev.value("Deviation", f"G{grand}") == statement.original_total
    assert ev.value("Deviation", f"I{grand}") == statement.revised_total
    change = statement.total_change
    assert ev.value("Deviation", f"L{grand}") == max(change, Decimal(0))
    assert ev.value("Deviation", f"K{grand}") == max(-change, Decimal(0))
    assert ev.value("Deviation", f"M{grand}") == statement.percent
    for overhead in statement.overheads:
        r = labels[overhead.description]
        assert ev.value("Deviation", f"I{r}") == overhead.revised_amount


def test_cancelled_deviation_exports_leave_no_file(revision: Revision, tmp_path: Path) -> None:
    before, after, statement = revision
    for writer, name in ((write_deviation_pdf, "d.pdf"), (write_deviation_xlsx, "d.xlsx")):
        with pytest.raises(ExportCancelled):
            writer(before, after, statement, tmp_path / name, cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_progress_reaches_the_end(revision: Revision, tmp_path: Path) -> None:
    before, after, statement = revision
    calls: list[tuple[int, int]] = []
    write_deviation_xlsx(
        before, after, statement, tmp_path / "d.xlsx", progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1][0] == calls[-1][1]
    assert len(calls) >= len(statement.rows)
    assert load_workbook(tmp_path / "d.xlsx")["Deviation"]["A1"].value == after.tenant_name
