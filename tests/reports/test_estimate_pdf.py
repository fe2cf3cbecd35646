"""The detailed estimate PDF: the figures of `estimate show --json` in Indian grouping, ₹ and
Odia text, "Page x of y", pages that are not blank, progress, cancellation, missing fonts."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from report_support import ODIA, ink_fraction, page_count, pdf_text, render_page, squeeze

from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.reports import ExportCancelled
from mukta_desktop.reports.estimate_pdf import write_estimate_pdf
from mukta_desktop.reports.fonts import FontFiles, find_fonts
from mukta_desktop.services.estimate_json import estimate_to_json
from mukta_desktop.services.estimate_views import EstimateView, LineView


def indian(text: str, places: int = 2) -> str:
    """A figure of the JSON ("6745.75") as the documents print it ("6,745.75")."""
    return format_indian(Decimal(text), places)


@pytest.fixture(scope="module")
def estimate_pdf(approved_estimate: EstimateView, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "estimate.pdf"
    write_estimate_pdf(approved_estimate, path)
    return path


def test_the_pdf_holds_the_figures_of_estimate_show_json(
    approved_estimate: EstimateView, estimate_pdf: Path
) -> None:
    data = estimate_to_json(approved_estimate)
    text = pdf_text(estimate_pdf)
    assert data["number"] in text
    assert data["project"]["name"] in text
    assert data["project"]["number"] in text
    assert "01/09/2026" in text  # the estimate date, dd/mm/yyyy
    assert "Approved" in text
    for line in data["lines"]:
        assert indian(line["amount"]) in text, line["description"]
        assert indian(line["quantity"], 4) in text
        assert indian(line["rate"]) in text
        for row in line["measurements"]:
            assert indian(row["quantity"], 4) in text
    for overhead in data["overheads"]:
        assert indian(overhead["amount"]) in text
    for key in ("sor_total", "non_sor_total", "overhead_total", "total"):
        assert indian(data[key]) in text, key
    assert f"₹ {indian(data['total'])}" in text
    assert f"₹ {indian(data['total_rupees'], 0)}" in text
    assert data["total_in_words"] in text
    for head in ("material", "labour", "machinery"):
        assert indian(data["analysis"][head]) in text, head
    # Indian grouping, not Western: 3,71,453.76 rather than 371,453.76
    assert "3,71,453.76" in text
    assert "371,453.76" not in text


def test_sections_signatures_and_page_numbers(
    approved_estimate: EstimateView, estimate_pdf: Path
) -> None:
    text = pdf_text(estimate_pdf)
    for heading in ("MEASUREMENT SHEET", "ABSTRACT OF COST", "ANALYSIS STATEMENT"):
        assert heading in text
    for act in ("Prepared by", "Checked by", "Technically sanctioned by", "Approved by"):
        assert act in text
    for officer in ("Junior Engineer", "Assistant Engineer", "Executive Engineer"):
        assert officer in text
    assert "Executive Officer" in text
    assert "Name: Demo Engineer (demo)" in text
    pages = page_count(text)
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text
    assert "Deduct" in text  # the deduction row of item 1
    assert "₹" in text


def test_odia_text_survives_when_an_odia_font_exists(estimate_pdf: Path) -> None:
    if find_fonts().odia is None:
        pytest.skip("no Odia font on this machine (install fonts-noto-core)")
    assert squeeze(ODIA) in squeeze(pdf_text(estimate_pdf))


def test_page_one_is_not_blank(estimate_pdf: Path, tmp_path: Path) -> None:
    png = render_page(estimate_pdf, 1, tmp_path)
    assert ink_fraction(png) > 0.01


def test_a_long_estimate_repeats_the_header_and_the_column_headings(
    approved_estimate: EstimateView, tmp_path: Path
) -> None:
    first = approved_estimate.lines[0]
    rows = tuple(
        MeasurementRow(
            RowKind.PLUS,
            f"Chainage {n * 10} to {n * 10 + 10}",
            Decimal(1),
            Decimal(10),
            Decimal("0.6"),
            Decimal("0.45"),
        )
        for n in range(120)
    )
    long = replace(
        approved_estimate,
        lines=(LineView(replace(first.draft, rows=rows), first.quantity, first.amount),),
    )
    path = tmp_path / "long.pdf"
    write_estimate_pdf(long, path)
    text = pdf_text(path)
    pages = page_count(text)
    assert pages >= 3
    second = pdf_text(path, first=2, last=2)
    assert approved_estimate.number in second
    assert approved_estimate.tenant_name in second
    assert "MEASUREMENT SHEET (continued)" in second
    assert "Particulars" in second
    assert "Quantity" in second
    assert f"Page 2 of {pages}" in second


def test_progress_is_reported_to_the_end(approved_estimate: EstimateView, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    write_estimate_pdf(
        approved_estimate, tmp_path / "e.pdf", progress=lambda d, t: calls.append((d, t))
    )
    assert len(calls) >= 3 * len(approved_estimate.lines)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
    assert calls[-1][0] == calls[-1][1]


@pytest.mark.parametrize("after_calls", [0, 1, 5])
def test_a_cancelled_export_leaves_no_file(
    approved_estimate: EstimateView, tmp_path: Path, after_calls: int
) -> None:
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > after_calls

    target = tmp_path / "out" / "estimate.pdf"
    target.parent.mkdir()
    with pytest.raises(ExportCancelled):
        write_estimate_pdf(approved_estimate, target, cancelled=cancelled)
    assert list(target.parent.iterdir()) == []


def test_a_failing_export_leaves_no_file(approved_estimate: EstimateView, tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        if done == 2:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        write_estimate_pdf(approved_estimate, tmp_path / "e.pdf", progress=progress)
    assert list(tmp_path.iterdir()) == []


def test_without_an_odia_font_the_pdf_is_still_written(
    approved_estimate: EstimateView, tmp_path: Path
) -> None:
    fonts = find_fonts()
    if fonts.text is None:
        pytest.skip("no Unicode text font on this machine")
    path = tmp_path / "no-odia.pdf"
    write_estimate_pdf(approved_estimate, path, fonts=replace(fonts, odia=None, odia_bold=None))
    text = pdf_text(path)
    assert "₹" in text
    assert approved_estimate.number in text


def test_with_no_unicode_font_at_all_the_core_font_spells_rupees(
    approved_estimate: EstimateView, tmp_path: Path
) -> None:
    path = tmp_path / "core.pdf"
    write_estimate_pdf(approved_estimate, path, fonts=FontFiles())
    text = pdf_text(path)
    assert f"Rs. {format_indian(approved_estimate.total)}" in text
    assert approved_estimate.total_in_words in text


def test_a_revision_names_what_it_revises_and_the_reasons(
    revision: tuple[EstimateView, EstimateView, object], tmp_path: Path
) -> None:
    before, after, _ = revision
    path = tmp_path / "revision.pdf"
    write_estimate_pdf(after, path)
    text = pdf_text(path)
    assert "REVISED ESTIMATE" in text
    assert f"Revision 1 of {before.number}" in text
    assert "Reason: Drain extended to the outfall as found at site" in text
    assert format_indian(after.total) in text
