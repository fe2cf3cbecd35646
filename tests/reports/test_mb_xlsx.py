"""The Measurement Book workbook: live formulas whose values (evaluated here in Decimal, and by
LibreOffice when it is installed) are the view's figures; Indian number formats; print set-up;
the hash only for an approved MB; photos; progress and cancellation."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from mb_report_support import CONTENT_HASH, ODIA, PREVIOUS_HASH, mb_view, service_views
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from xlsx_eval import Evaluator

from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.reports import ExportCancelled
from mukta_desktop.reports.mb_xlsx import write_mb_xlsx
from mukta_desktop.reports.xlsx_base import INDIAN_MONEY, INDIAN_QUANTITY, INDIAN_RUPEES
from mukta_desktop.services.mb_views import MbView

SHEETS = ["MB", "Measurement", "Abstract", "Utilization", "Photos", "History"]


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> MbView:
    return mb_view(tmp_path_factory.mktemp("photos"))


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> MbView:
    return mb_view(tmp_path_factory.mktemp("photos"), approved=False)


@pytest.fixture(scope="module")
def workbook_path(approved: MbView, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "mb.xlsx"
    write_mb_xlsx(approved, path)
    return path


@pytest.fixture(scope="module")
def draft_path(draft: MbView, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "draft.xlsx"
    write_mb_xlsx(draft, path)
    return path


def _rows_with(ws: Worksheet, col: int, predicate: Callable[[object], bool]) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if predicate(ws.cell(r, col).value)]


def _label_row(ws: Worksheet, col: int, label: str) -> int:
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == label]
    assert len(rows) == 1, (label, rows)
    return rows[0]


def _texts(path: Path) -> list[str]:
    book = load_workbook(path)
    return [
        c.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]


def test_sheets_and_print_setup(workbook_path: Path, draft_path: Path) -> None:
    for path, heading_rows in ((workbook_path, 5), (draft_path, 6)):  # a draft: + its stamp
        book = load_workbook(path)
        assert book.sheetnames == SHEETS
        for ws in book.worksheets:
            assert int(ws.page_setup.paperSize) == 9  # A4
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.page_setup.fitToWidth == 1
            assert ws.page_setup.fitToHeight == 0
            assert ws.print_title_rows == f"$1:${heading_rows}"  # repeated on every page
            assert ws.freeze_panes == f"A{heading_rows + 1}"
            assert ws.oddFooter.right.text == "Page &P of &N"
            assert ws.page_margins.left == pytest.approx(0.4)
            assert ws.page_margins.top == pytest.approx(0.5)
            expected = "portrait" if ws.title == "MB" else "landscape"
            assert ws.page_setup.orientation == expected, ws.title


def test_measurement_rows_are_formulas_with_blank_factors_left_blank(
    approved: MbView, workbook_path: Path
) -> None:
    ev = Evaluator(workbook_path)
    ws = ev.book["Measurement"]
    formulas = _rows_with(ws, 10, lambda v: isinstance(v, str) and v.startswith("=ROUND(PRODUCT("))
    rows = [row for line in approved.lines for row in line.item.rows]
    assert len(formulas) == len(rows)
    for r, row in zip(formulas, rows, strict=True):
        assert ws.cell(r, 10).value == f"=ROUND(PRODUCT(F{r}:I{r}),4)"
        assert ws.cell(r, 5).value == ("Deduct" if row.kind.value == "minus" else None)
        for col, factor in enumerate(row.factors(), start=6):
            value = ws.cell(r, col).value
            if factor is None:
                assert value is None  # blank, so PRODUCT counts it as 1
            else:
                assert Decimal(repr(value)) == factor
        assert ws.cell(r, 10).number_format == INDIAN_QUANTITY
        assert ev.value("Measurement", f"J{r}") == row.quantity
    totals = _rows_with(ws, 10, lambda v: isinstance(v, str) and v.startswith("=ROUND(SUMIF("))
    assert len(totals) == len(approved.lines)
    for r, line in zip(totals, approved.lines, strict=True):
        assert ev.value("Measurement", f"J{r}") == line.figures.quantity
    item_rows = _rows_with(ws, 3, lambda v: v is not None and not isinstance(v, str))
    assert len(item_rows) == len(approved.lines)  # each item's date of measurement
    assert ws.cell(item_rows[0], 3).number_format == "DD/MM/YYYY"
    descriptions = [ws.cell(r, 4).value for r in item_rows]
    assert f"{ODIA} (hand excavation near the temple wall)" in descriptions


def test_the_abstract_formulas_give_the_view_figures(approved: MbView, workbook_path: Path) -> None:
    ev = Evaluator(workbook_path)
    ws = ev.book["Abstract"]
    first = 6
    for r, line in enumerate(approved.lines, start=first):
        item, figures = line.item, line.figures
        assert ws.cell(r, 12).value.startswith("=Measurement!J")
        assert ws.cell(r, 13).value == f"=ROUND(L{r}*E{r}/F{r},2)"
        assert ws.cell(r, 8).value == f"=ROUND(J{r}+L{r},4)"
        expected = {
            "G": item.estimate_quantity,
            "H": figures.cumulative_quantity,
            "I": figures.cumulative_amount,
            "J": item.previous_quantity,
            "K": item.previous_amount,
            "L": figures.quantity,
            "M": figures.amount,
        }
        for letter, value in expected.items():
            assert ev.value("Abstract", f"{letter}{r}") == value, (item.description, letter)
        assert ws[f"I{r}"].number_format == INDIAN_MONEY
        assert ws[f"H{r}"].number_format == INDIAN_QUANTITY
    totals = approved.totals
    total = _label_row(ws, 3, "Total (₹)")
    assert ws.cell(total, 13).value == f"=SUM(M{first}:M{first + len(approved.lines) - 1})"
    assert ev.value("Abstract", f"I{total}") == totals.cumulative_total
    assert ev.value("Abstract", f"K{total}") == totals.previous_total
    assert ev.value("Abstract", f"M{total}") == totals.total
    whole = _label_row(ws, 3, "Total in whole rupees (₹)")
    assert ev.value("Abstract", f"M{whole}") == totals.total_rupees
    assert ws[f"M{whole}"].number_format == INDIAN_RUPEES
    texts = _texts(workbook_path)
    assert f"Value of this MB in words: {approved.total_in_words}" in texts
    assert any(t.startswith("Value up to date in words: Rupees Nine Lakh") for t in texts)


def test_the_utilization_formulas_give_the_view_figures(
    approved: MbView, workbook_path: Path
) -> None:
    ev = Evaluator(workbook_path)
    ws = ev.book["Utilization"]
    measured = [line for line in approved.lines if line.item.heads is not None]
    for r, line in enumerate(measured, start=6):
        used = line.figures.utilization
        assert ev.value("Utilization", f"J{r}") == used.material
        assert ev.value("Utilization", f"K{r}") == used.labour
        assert ev.value("Utilization", f"L{r}") == used.machinery
    r = _label_row(ws, 3, "Total")
    u = approved.totals.utilization
    assert ev.value("Utilization", f"J{r}") == u.material
    assert ev.value("Utilization", f"K{r}") == u.labour
    assert ev.value("Utilization", f"L{r}") == u.machinery
    assert ws.cell(r, 10).value.startswith("=SUM(")


def test_the_hash_only_for_an_approved_mb(workbook_path: Path, draft_path: Path) -> None:
    texts = _texts(workbook_path)
    assert CONTENT_HASH in texts
    assert PREVIOUS_HASH in texts
    assert not any("not approved" in t for t in texts)

    draft_texts = _texts(draft_path)
    assert not any(CONTENT_HASH[:16] in t for t in draft_texts)
    assert any(t.startswith("Not approved (Drafted)") for t in draft_texts)
    book = load_workbook(draft_path)
    for ws in book.worksheets:  # the red stamp under each sheet's heading
        cell = ws.cell(5, 1)
        assert cell.value.startswith("DRAFT — not approved"), ws.title
        assert cell.font.bold
        assert cell.font.color.rgb.endswith("BE1414")


def test_photos_and_history(approved: MbView, workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    photos = book["Photos"]
    assert photos["B6"].value == "drain-left.jpg"
    assert photos["C6"].value == "Taken 14/10/2026 10:12 (India time)"
    assert photos["D6"].value == "20.296059° N, 85.824539° E"
    assert photos["D7"].value == "No GPS in the picture"
    assert photos["F6"].value == approved.photos[0].sha256
    assert len(photos._images) == len(approved.photos)  # the thumbnails
    history = book["History"]
    assert [history.cell(r, 2).value for r in range(6, 10)] == [
        "Save draft",
        "Submit",
        "Verify and forward",
        "Approve",
    ]
    assert history["A9"].value == "18/10/2026 15:45"
    abstract = [c.value for row in book["Abstract"].iter_rows() for c in row]
    assert "Approved by (Executive Engineer)" in abstract
    assert "Name: Sri Ashok Behera (EE)" in abstract
    assert "Measurements accepted by (Organisation representative)" in abstract


def test_text_typed_by_users_never_becomes_a_formula(approved: MbView, tmp_path: Path) -> None:
    line = approved.lines[0]
    sneaky = replace(line, item=replace(line.item, description='=HYPERLINK("http://x","y")'))
    path = tmp_path / "text.xlsx"
    write_mb_xlsx(replace(approved, lines=(sneaky,)), path)
    cell = load_workbook(path)["Measurement"].cell(6, 4)
    assert cell.value == sneaky.item.description
    assert cell.data_type == "s"


def test_progress_is_reported_to_the_end(approved: MbView, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    write_mb_xlsx(approved, tmp_path / "m.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert len(calls) >= 2 * len(approved.lines)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1][0] == calls[-1][1]


@pytest.mark.parametrize("after_calls", [0, 3, 11])
def test_a_cancelled_workbook_leaves_no_file(
    approved: MbView, tmp_path: Path, after_calls: int
) -> None:
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > after_calls

    with pytest.raises(ExportCancelled):
        write_mb_xlsx(approved, tmp_path / "m.xlsx", cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_libreoffice_recalculates_the_same_figures(
    approved: MbView, workbook_path: Path, tmp_path: Path
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
    with (tmp_path / "mb-Abstract.csv").open(encoding="utf-8") as f:
        shown = {row[2]: row for row in csv.reader(f) if len(row) > 12}
    totals = approved.totals
    total = shown["Total (₹)"]
    assert total[8] == format_indian(totals.cumulative_total)
    assert total[10] == format_indian(totals.previous_total)
    assert total[12] == format_indian(totals.total)
    assert shown["Total in whole rupees (₹)"][12] == format_indian(totals.total_rupees, 0)
    for line in approved.lines:
        row = shown[line.item.description]
        assert row[7] == format_indian(line.figures.cumulative_quantity, 4)
        assert row[12] == format_indian(line.figures.amount)


@pytest.fixture(scope="module")
def from_services(tmp_path_factory: pytest.TempPathFactory) -> tuple[MbView, MbView]:
    return service_views(tmp_path_factory.mktemp("services"))


def test_an_mb_made_by_the_services(from_services: tuple[MbView, MbView], tmp_path: Path) -> None:
    """The demo's approved MB and its draft (items not measured this time, a deduction, quantities
    from the approved MB before): the formulas give the service's figures."""
    for view in from_services:
        path = tmp_path / f"{view.status.value}.xlsx"
        write_mb_xlsx(view, path)
        ev = Evaluator(path)
        measurement = ev.book["Measurement"]
        contents = _rows_with(measurement, 10, lambda v: isinstance(v, str) and "PRODUCT" in v)
        rows = [row for line in view.lines for row in line.item.rows]
        assert [ev.value("Measurement", f"J{r}") for r in contents] == [r.quantity for r in rows]
        first = int(ev.book["Abstract"].print_title_rows.split("$")[-1]) + 1  # a draft: 7
        for r, line in enumerate(view.lines, start=first):
            item, figures = line.item, line.figures
            assert ev.value("Abstract", f"H{r}") == figures.cumulative_quantity
            assert ev.value("Abstract", f"I{r}") == figures.cumulative_amount
            assert ev.value("Abstract", f"J{r}") == item.previous_quantity
            assert ev.value("Abstract", f"K{r}") == item.previous_amount
            assert ev.value("Abstract", f"L{r}") == figures.quantity
            assert ev.value("Abstract", f"M{r}") == figures.amount
        total = _label_row(ev.book["Abstract"], 3, "Total (₹)")
        assert ev.value("Abstract", f"I{total}") == view.totals.cumulative_total
        assert ev.value("Abstract", f"K{total}") == view.totals.previous_total
        assert ev.value("Abstract", f"M{total}") == view.totals.total
        r = _label_row(ev.book["Utilization"], 3, "Total")
        assert ev.value("Utilization", f"J{r}") == view.totals.utilization.material
        assert ev.value("Utilization", f"K{r}") == view.totals.utilization.labour
        assert ev.value("Utilization", f"L{r}") == view.totals.utilization.machinery
        texts = _texts(path)
        assert (view.content_hash in texts) == (view.content_hash is not None)
        assert len(ev.book["Photos"]._images) == len(view.photos)
