"""The estimate workbook: live formulas whose values (evaluated here in Decimal, and by
LibreOffice when it is installed) are the app's figures; Indian formats; A4 print set-up."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from xlsx_eval import Evaluator

from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.reports import ExportCancelled
from mukta_desktop.reports.estimate_xlsx import write_estimate_xlsx
from mukta_desktop.reports.xlsx_base import INDIAN_MONEY, INDIAN_QUANTITY
from mukta_desktop.services.estimate_views import EstimateView, LineView


@pytest.fixture(scope="module")
def workbook_path(
    approved_estimate: EstimateView, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "estimate.xlsx"
    write_estimate_xlsx(approved_estimate, path)
    return path


def _rows_with(ws: Worksheet, col: int, predicate: Callable[[object], bool]) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if predicate(ws.cell(r, col).value)]


def _label_row(ws: Worksheet, col: int, label: str) -> int:
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == label]
    assert len(rows) == 1, (label, rows)
    return rows[0]


def test_sheets_and_print_setup(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    assert book.sheetnames == ["Measurement", "Abstract", "Analysis"]
    for ws in book.worksheets:
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$5"  # heading and column headings on every page
        assert ws.freeze_panes == "A6"
        assert ws.oddFooter.right.text == "Page &P of &N"
    assert book["Analysis"].page_setup.orientation == "landscape"


def test_measurement_rows_are_formulas_with_blank_factors_left_blank(
    approved_estimate: EstimateView, workbook_path: Path
) -> None:
    ws = load_workbook(workbook_path)["Measurement"]
    formulas = _rows_with(ws, 9, lambda v: isinstance(v, str) and v.startswith("=ROUND(PRODUCT("))
    all_rows = [row for line in approved_estimate.lines for row in line.draft.rows]
    assert len(formulas) == len(all_rows)
    for r, row in zip(formulas, all_rows, strict=True):
        assert ws.cell(r, 9).value == f"=ROUND(PRODUCT(E{r}:H{r}),4)"
        assert ws.cell(r, 4).value == ("Deduct" if row.kind.value == "minus" else None)
        for col, factor in enumerate(row.factors(), start=5):
            value = ws.cell(r, col).value
            if factor is None:
                assert value is None  # blank, so PRODUCT counts it as 1
            else:
                assert Decimal(repr(value)) == factor
        assert ws.cell(r, 9).number_format == INDIAN_QUANTITY
    totals = _rows_with(ws, 9, lambda v: isinstance(v, str) and v.startswith("=ROUND(SUMIF("))
    assert len(totals) == len(approved_estimate.lines)


def test_formulas_give_the_app_figures(
    approved_estimate: EstimateView, workbook_path: Path
) -> None:
    view = approved_estimate
    ev = Evaluator(workbook_path)
    ws = ev.book["Measurement"]
    rows = [r for line in view.lines for r in line.draft.rows]
    row_cells = _rows_with(ws, 9, lambda v: isinstance(v, str) and "PRODUCT" in v)
    for r, row in zip(row_cells, rows, strict=True):
        assert ev.value("Measurement", f"I{r}") == row.quantity
    total_cells = _rows_with(ws, 9, lambda v: isinstance(v, str) and "SUMIF" in v)
    for r, line in zip(total_cells, view.lines, strict=True):
        assert ev.value("Measurement", f"I{r}") == line.quantity

    abstract = ev.book["Abstract"]
    line_rows = [r for r in range(6, 6 + len(view.lines))]
    for r, line in zip(line_rows, view.lines, strict=True):
        assert abstract.cell(r, 5).value.startswith("=Measurement!I")
        assert abstract.cell(r, 9).value == f"=ROUND(E{r}*G{r}/H{r},2)"
        assert ev.value("Abstract", f"E{r}") == line.quantity
        assert ev.value("Abstract", f"I{r}") == line.amount
        assert abstract.cell(r, 9).number_format == INDIAN_MONEY

    def total(label: str) -> Decimal:
        value = ev.value("Abstract", f"I{_label_row(abstract, 4, label)}")
        assert isinstance(value, Decimal)
        return value

    assert total("Total of SOR items (A)") == view.sor_total
    assert total("Total of non-SOR items (B)") == view.non_sor_total
    assert total("Total (A + B)") == view.sor_total + view.non_sor_total
    for overhead in view.overheads:
        o = overhead.draft
        label = next(
            abstract.cell(r, 4).value
            for r in range(1, abstract.max_row + 1)
            if str(abstract.cell(r, 4).value).startswith(o.description)
        )
        assert total(label) == overhead.amount
        if o.percent is not None:
            r = _label_row(abstract, 4, label)
            assert abstract.cell(r, 9).value.startswith("=ROUND(I")
    assert total("Total of overheads (C)") == view.overhead_total
    assert total("Grand total (A + B + C) (₹)") == view.total
    assert total("Grand total in whole rupees (₹)") == view.total_rupees
    words = [c.value for row in abstract.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"Amount in words: {view.total_in_words}" in words

    analysis = ev.book["Analysis"]
    r = _label_row(analysis, 3, "Total")
    assert ev.value("Analysis", f"J{r}") == view.analysis.material
    assert ev.value("Analysis", f"K{r}") == view.analysis.labour
    assert ev.value("Analysis", f"L{r}") == view.analysis.machinery
    assert analysis.cell(r, 10).value.startswith("=SUM(")


def test_a_revision_prices_the_used_quantity_at_the_original_rate(
    approved_estimate: EstimateView, tmp_path: Path
) -> None:
    line = approved_estimate.lines[0]
    used = replace(line.draft, used_quantity=Decimal("10.0000"), used_rate=Decimal("150.00"))
    from mukta_desktop.domain.estimate import line_amount_with_used

    amount = line_amount_with_used(
        line.quantity, used.rate, used.rate_quantity, used.used_quantity, used.used_rate
    )
    view = replace(approved_estimate, lines=(LineView(used, line.quantity, amount),))
    path = tmp_path / "used.xlsx"
    write_estimate_xlsx(view, path)
    ev = Evaluator(path)
    assert ev.book["Abstract"].cell(6, 10).value is not None
    assert ev.value("Abstract", "I6") == amount
    assert amount != line.amount


def test_text_typed_by_users_never_becomes_a_formula(
    approved_estimate: EstimateView, tmp_path: Path
) -> None:
    line = approved_estimate.lines[0]
    sneaky = replace(line.draft, description='=HYPERLINK("http://x","click")')
    view = replace(approved_estimate, lines=(LineView(sneaky, line.quantity, line.amount),))
    path = tmp_path / "text.xlsx"
    write_estimate_xlsx(view, path)
    ws = load_workbook(path)["Measurement"]
    cell = ws.cell(6, 3)
    assert cell.value == sneaky.description
    assert cell.data_type == "s"


def test_a_cancelled_workbook_leaves_no_file(
    approved_estimate: EstimateView, tmp_path: Path
) -> None:
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ExportCancelled):
        write_estimate_xlsx(approved_estimate, tmp_path / "e.xlsx", cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_libreoffice_recalculates_the_same_totals(
    approved_estimate: EstimateView, workbook_path: Path, tmp_path: Path
) -> None:
    """Only where LibreOffice is installed (it is not part of the bootstrap)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: the recalculation check needs it")
    # CSV of every sheet, "as shown": the recalculated values in their number formats.
    options = "44,34,76,1,,0,false,true,true,false,false,-1"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{options}",
            "--outdir",
            str(tmp_path),
            str(workbook_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "estimate-Abstract.csv").open(encoding="utf-8") as f:
        shown = {row[3]: row[8] for row in csv.reader(f) if len(row) > 8}
    view = approved_estimate
    assert shown["Total of SOR items (A)"] == format_indian(view.sor_total)
    assert shown["Total of overheads (C)"] == format_indian(view.overhead_total)
    assert shown["Grand total (A + B + C) (₹)"] == format_indian(view.total)
    assert shown["Grand total in whole rupees (₹)"] == format_indian(view.total_rupees, 0)
    for line in view.lines:
        assert shown[line.draft.description] == format_indian(line.amount)
