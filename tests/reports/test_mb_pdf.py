"""The Measurement Book PDF: every figure of the view in Indian grouping, the Form 23 layout's
sections, the hash and its QR code only for an approved MB, the "not approved" stamp on every
page of a draft, photo captions and pictures, Odia text, progress and cancellation."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from mb_report_support import (
    CONTENT_HASH,
    ODIA,
    ORGANISATION,
    PREVIOUS,
    PREVIOUS_HASH,
    mb_view,
    service_views,
)
from report_support import ink_fraction, page_count, pdf_text, render_page, squeeze

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.domain.workflow import Status
from mukta_desktop.reports import ExportCancelled
from mukta_desktop.reports.fonts import FontFiles, find_fonts
from mukta_desktop.reports.mb_pdf import QR_SIZE, draw_qr, qr_matrix, write_mb_pdf
from mukta_desktop.reports.pdf_base import PageHeading, ReportPdf
from mukta_desktop.services.mb_views import MbView
from mukta_desktop.services.words import rupees_in_words

MM_PER_POINT = 25.4 / 72


def money(value: Decimal) -> str:
    return format_indian(value, 2)


def qty(value: Decimal) -> str:
    return format_indian(value, 4)


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> MbView:
    return mb_view(tmp_path_factory.mktemp("photos"))


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> MbView:
    return mb_view(tmp_path_factory.mktemp("photos"), approved=False)


@pytest.fixture(scope="module")
def approved_pdf(approved: MbView, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "mb.pdf"
    write_mb_pdf(approved, path)
    return path


@pytest.fixture(scope="module")
def draft_pdf(draft: MbView, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "draft.pdf"
    write_mb_pdf(draft, path)
    return path


def test_the_pdf_holds_every_figure_of_the_view(approved: MbView, approved_pdf: Path) -> None:
    text = pdf_text(approved_pdf)
    for fact in (
        approved.number,
        approved.project.name,
        approved.work_order.number,
        ORGANISATION,
        approved.location,
        "08/10/2026 to 14/10/2026",  # the MB period
        "14/10/2026",  # the date of measurement
        "01/10/2026",  # the date of commencement
        "20/09/2026",  # the work order's date
        PREVIOUS,
    ):
        assert fact in text, fact
    for line in approved.lines:
        item, figures = line.item, line.figures
        assert money(item.rate) in text, item.description
        for row in item.rows:
            assert qty(row.quantity) in text, row.name
        for figure in (figures.quantity, figures.cumulative_quantity, item.previous_quantity):
            assert qty(figure) in text, item.description
        for amount in (figures.amount, figures.cumulative_amount, item.previous_amount):
            assert money(amount) in text, item.description
    assert "Deduct: Culvert crossing" in text
    totals = approved.totals
    for total in (totals.total, totals.previous_total, totals.cumulative_total):
        assert money(total) in text
        assert format_indian(total, 0) in text  # whole rupees
    # Indian grouping, not Western: 5,14,535.57 rather than 514,535.57
    assert "5,14,535.57" in text
    assert "514,535.57" not in text
    assert approved.total_in_words in text
    assert rupees_in_words(totals.cumulative_total) in text
    assert f"₹ {money(totals.total)}" in text


def test_the_utilization_statement(approved: MbView, approved_pdf: Path) -> None:
    text = pdf_text(approved_pdf)
    assert "UTILIZATION STATEMENT" in text
    u = approved.totals.utilization
    for figure in (u.material, u.labour, u.machinery, u.material + u.labour + u.machinery):
        assert money(figure) in text
    for line in approved.lines:
        used = line.figures.utilization
        if line.item.heads is not None:
            assert money(used.labour) in text, line.item.description
    assert "1 non-SOR item(s) have no rate analysis" in text


def test_sections_signatures_timeline_and_page_numbers(
    approved: MbView, approved_pdf: Path
) -> None:
    text = pdf_text(approved_pdf)
    for heading in (
        "MEASUREMENT BOOK",
        "ENTRIES AT COMMENCEMENT",
        "APPROVAL RECORD",
        "DETAILED MEASUREMENTS",
        "ABSTRACT OF THE MB",
        "WORKFLOW TIMELINE",
        "SITE PHOTOS",
        "Quantity and value up to date",
        "Deduct previous measurement",
        "Since last measurement (this MB)",
    ):
        assert heading in text, heading
    for act in ("Measured by", "Measurements accepted by", "Verified by", "Approved by"):
        assert act in text
    for officer in ("Junior Engineer", "Organisation representative", "Assistant Engineer"):
        assert officer in text
    for name in ("Sri Ramesh Sahu (JE)", "Smt. Lipsa Mohanty (AE)", "Sri Ashok Behera (EE)"):
        assert f"Name: {name}" in text
    assert "Date: 18/10/2026" in text
    for step in ("Save draft", "Submit", "Verify and forward", "Approve"):
        assert step in text
    assert "18/10/2026 15:45" in text  # the approval, in India time
    pages = page_count(text)
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text


def test_an_approved_mb_prints_its_hash_and_a_draft_does_not(
    approved_pdf: Path, draft_pdf: Path, draft: MbView
) -> None:
    text = pdf_text(approved_pdf)
    assert CONTENT_HASH in text
    assert PREVIOUS_HASH in text
    assert f"SHA-256 {CONTENT_HASH[:16]}" in text  # the short form in every page's footer
    assert "DRAFT" not in text
    assert "not approved" not in text

    draft_text = pdf_text(draft_pdf)
    assert CONTENT_HASH not in draft_text
    assert CONTENT_HASH[:16] not in draft_text
    assert "Content hash" not in draft_text
    assert "Not approved (Drafted)" in draft_text
    pages = page_count(draft_text)
    for page in range(1, pages + 1):  # the stamp is on every page, so nobody pays from it
        page_text = pdf_text(draft_pdf, first=page, last=page)
        assert "DRAFT — not approved" in page_text, page
        assert "Not to be paid from" in page_text, page
    # and the figures are printed all the same
    assert money(draft.totals.total) in draft_text


def _word_boxes(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in mm from the top left, as poppler places them."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    html = subprocess.run(
        [exe, "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [(word, *(float(v) * MM_PER_POINT for v in box)) for *box, word in pattern.findall(html)]


def _read_qr(
    png: Path, box: tuple[float, float, float, float], size: int, dpi: int
) -> list[list[bool]]:
    """The modules of the one QR code inside `box` (mm: left, top, right, bottom) of a
    rendered page: the dark pixels' bounding box is the code; each module is read at its
    centre."""
    from PIL import Image

    px = dpi / 25.4
    with Image.open(png) as image:
        grey = image.convert("L").crop(tuple(round(v * px) for v in box))
    dark = grey.point(lambda v: 255 if v < 128 else 0)
    bbox = dark.getbbox()
    assert bbox is not None, "nothing is drawn where the QR code belongs"
    left, top, right, bottom = bbox
    assert abs((right - left) - QR_SIZE * px) < 3, "the code is not the expected size"
    assert abs((bottom - top) - (right - left)) < 3, "the code is not square"
    module = (right - left) / size
    return [
        [
            grey.getpixel((int(left + (c + 0.5) * module), int(top + (r + 0.5) * module))) < 128
            for c in range(size)
        ]
        for r in range(size)
    ]


def _assert_qr_holds_the_hash(view: MbView, path: Path, out: Path) -> None:
    assert view.content_hash is not None
    words = _word_boxes(path, 1)
    title = next(w for w in words if w[0] == "APPROVAL")
    hashed = next(w for w in words if w[0] == view.content_hash)
    dpi = 200
    png = render_page(path, 1, out, dpi=dpi)
    # Between the section title and the hash text, left of the text: only the code.
    box = (0.0, title[4] + 0.3, hashed[1] - 1, hashed[2] + QR_SIZE)
    expected = qr_matrix(f"{view.number} SHA-256 {view.content_hash}")
    assert _read_qr(png, box, len(expected), dpi) == expected


def test_the_qr_code_of_an_approved_mb_holds_its_number_and_hash(
    approved: MbView, approved_pdf: Path, tmp_path: Path
) -> None:
    _assert_qr_holds_the_hash(approved, approved_pdf, tmp_path)


def test_the_qr_code_is_drawn_module_for_module(tmp_path: Path) -> None:
    pdf = ReportPdf(PageHeading("ULB", "TEST", ()), fonts=FontFiles())
    pdf.add_page()
    matrix = qr_matrix("MB/2026-27/000002 SHA-256 " + "0f" * 32)
    draw_qr(pdf, matrix, 50, 80, QR_SIZE)
    path = tmp_path / "qr.pdf"
    pdf.save(path)
    png = render_page(path, 1, tmp_path, dpi=200)
    assert _read_qr(png, (45, 75, 55 + QR_SIZE, 85 + QR_SIZE), len(matrix), 200) == matrix


def test_a_draft_shows_no_qr_code(draft_pdf: Path, tmp_path: Path) -> None:
    words = _word_boxes(draft_pdf, 1)
    assert not any(w[0] == CONTENT_HASH for w in words)
    title = next(w for w in words if w[0] == "APPROVAL")
    png = render_page(draft_pdf, 1, tmp_path, dpi=100)
    from PIL import Image

    px = 100 / 25.4
    with Image.open(png) as image:
        area = image.convert("L").crop(
            (0, round((title[4] + 8) * px), round(60 * px), round((title[4] + 8 + QR_SIZE) * px))
        )
    assert area.point(lambda v: 255 if v < 128 else 0).getbbox() is None


def test_photo_captions(approved: MbView, approved_pdf: Path) -> None:
    text = pdf_text(approved_pdf)
    first, second = approved.photos
    assert "Photo 1: drain-left.jpg" in text
    assert "Taken 14/10/2026 10:12 (India time)" in text  # 04:42 UTC
    assert "GPS 20.296059° N, 85.824539° E" in text
    assert "Photo 2: culvert.jpg" in text
    assert "Taken 14/10/2026 10:40 (India time)" in text
    assert "No GPS in the picture" in text
    assert first.sha256 in text
    assert second.sha256 in text
    assert "1600 × 1200 px" in text


def test_the_photo_page_shows_the_pictures(approved_pdf: Path, tmp_path: Path) -> None:
    pages = page_count(pdf_text(approved_pdf))
    png = render_page(approved_pdf, pages, tmp_path)
    assert ink_fraction(png) > 0.1  # two photos; empty frames and captions give 0.03
    from PIL import Image

    with Image.open(png) as image:
        data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    # the green ground of photo 1 (drawn with Pillow as (120, 150, 80))
    greens = [p for p in pixels if p[1] > p[0] + 15 and p[1] > p[2] + 40 and p[1] < 200]
    assert len(greens) > 1000


def test_five_photos_share_one_page(approved: MbView, tmp_path: Path) -> None:
    first, second = approved.photos
    five = tuple(
        replace(photo, position=n, original_name=f"site-{n + 1}.jpg")
        for n, photo in enumerate((first, second, first, second, first))
    )
    path = tmp_path / "five.pdf"
    write_mb_pdf(replace(approved, photos=five), path)
    pages = page_count(pdf_text(path))
    last = pdf_text(path, first=pages, last=pages)
    for n in range(1, 6):
        assert f"Photo {n}: site-{n}.jpg" in last
    assert "SITE PHOTOS" in last
    assert "SITE PHOTOS" not in pdf_text(path, first=pages - 1, last=pages - 1)


def test_the_thumbnail_stands_in_for_a_missing_picture(approved: MbView, tmp_path: Path) -> None:
    gone = tuple(replace(p, path=tmp_path / "no-such-file.jpg") for p in approved.photos)
    path = tmp_path / "thumbs.pdf"
    write_mb_pdf(replace(approved, photos=gone), path)
    pages = page_count(pdf_text(path))
    assert ink_fraction(render_page(path, pages, tmp_path)) > 0.1

    broken = tuple(replace(p, path=tmp_path / "none.jpg", thumbnail=b"not a jpeg") for p in gone)
    path = tmp_path / "broken.pdf"
    write_mb_pdf(replace(approved, photos=broken), path)
    assert "The picture could not be read." in pdf_text(path)


def test_an_mb_without_photos_or_history(draft: MbView, tmp_path: Path) -> None:
    path = tmp_path / "bare.pdf"
    write_mb_pdf(replace(draft, photos=(), history=()), path)
    text = pdf_text(path)
    assert "No site photos were added to this MB." in text
    assert "No workflow step recorded yet." in text
    assert "Name: Sri Ramesh Sahu (JE)" in text  # the creator measured, even unsubmitted


def test_odia_text_survives_when_an_odia_font_exists(approved_pdf: Path) -> None:
    if find_fonts().odia is None:
        pytest.skip("no Odia font on this machine (install fonts-noto-core)")
    assert squeeze(f"{ODIA} (hand excavation near the temple wall)") in squeeze(
        pdf_text(approved_pdf)
    )


def test_no_page_is_blank(approved_pdf: Path, draft_pdf: Path, tmp_path: Path) -> None:
    for path in (approved_pdf, draft_pdf):
        for page in range(1, page_count(pdf_text(path)) + 1):
            assert ink_fraction(render_page(path, page, tmp_path, dpi=40)) > 0.01, (path, page)


def test_a_long_mb_repeats_the_header_and_the_column_headings(
    approved: MbView, tmp_path: Path
) -> None:
    first = approved.lines[0]
    rows = tuple(
        MeasurementRow(RowKind.PLUS, f"Chainage {n * 10} to {n * 10 + 10}", Decimal(1), Decimal(10))
        for n in range(90)
    )
    long = replace(approved, lines=(replace(first, item=replace(first.item, rows=rows)),))
    path = tmp_path / "long.pdf"
    write_mb_pdf(long, path)
    third = pdf_text(path, first=3, last=3)
    assert approved.number in third
    assert "DETAILED MEASUREMENTS (continued)" in third
    assert "Description of item and particulars of measurement" in third
    assert "Chainage" in third


def test_progress_is_reported_to_the_end(approved: MbView, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    write_mb_pdf(approved, tmp_path / "m.pdf", progress=lambda d, t: calls.append((d, t)))
    assert len(calls) >= 2 * len(approved.lines) + len(approved.photos)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
    assert calls[-1][0] == calls[-1][1]


@pytest.mark.parametrize("after_calls", [0, 1, 6, 12])
def test_a_cancelled_export_leaves_no_file(
    approved: MbView, tmp_path: Path, after_calls: int
) -> None:
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > after_calls

    target = tmp_path / "out" / "mb.pdf"
    target.parent.mkdir()
    with pytest.raises(ExportCancelled):
        write_mb_pdf(approved, target, cancelled=cancelled)
    assert list(target.parent.iterdir()) == []


def test_a_failing_export_leaves_no_file(approved: MbView, tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        if done == 3:
            raise RuntimeError("the worker was stopped")

    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(RuntimeError):
        write_mb_pdf(approved, target / "m.pdf", progress=progress)
    assert list(target.iterdir()) == []


def test_with_no_unicode_font_at_all_the_core_font_spells_rupees(
    approved: MbView, tmp_path: Path
) -> None:
    path = tmp_path / "core.pdf"
    write_mb_pdf(approved, path, fonts=FontFiles())
    text = pdf_text(path)
    assert f"Rs. {money(approved.totals.total)}" in text
    assert approved.total_in_words in text
    assert CONTENT_HASH in text


# ---------------------------------------------------------------- MBs made by the services


@pytest.fixture(scope="module")
def from_services(tmp_path_factory: pytest.TempPathFactory) -> tuple[MbView, MbView]:
    return service_views(tmp_path_factory.mktemp("services"))


def _assert_figures(view: MbView, text: str) -> None:
    assert view.number in text
    assert view.work_order.number in text
    for line in view.lines:
        item, figures = line.item, line.figures
        assert money(item.rate) in text, item.description
        for row in item.rows:
            assert qty(row.quantity) in text, row.name
        for figure in (figures.quantity, figures.cumulative_quantity, item.previous_quantity):
            assert qty(figure) in text, item.description
        for amount in (figures.amount, figures.cumulative_amount, item.previous_amount):
            assert money(amount) in text, item.description
    totals = view.totals
    for total in (totals.total, totals.previous_total, totals.cumulative_total):
        assert money(total) in text
        assert format_indian(total, 0) in text
    u = totals.utilization
    for figure in (u.material, u.labour, u.machinery):
        assert money(figure) in text
    assert view.total_in_words in text
    assert rupees_in_words(totals.cumulative_total) in text


def test_an_mb_made_by_the_services(from_services: tuple[MbView, MbView], tmp_path: Path) -> None:
    approved, draft = from_services
    assert approved.status is Status.APPROVED
    assert draft.status is Status.DRAFTED
    assert approved.content_hash is not None
    assert draft.content_hash is None
    assert len(draft.photos) == 3

    approved_path = tmp_path / "approved.pdf"
    write_mb_pdf(approved, approved_path)
    text = pdf_text(approved_path)
    _assert_figures(approved, text)
    assert approved.content_hash in text
    assert approved.previous_mb is not None
    assert approved.previous_mb in text
    assert "not approved" not in text
    _assert_qr_holds_the_hash(approved, approved_path, tmp_path)

    draft_path = tmp_path / "draft.pdf"
    write_mb_pdf(draft, draft_path)
    text = pdf_text(draft_path)
    _assert_figures(draft, text)
    assert approved.content_hash[:16] not in text
    assert "DRAFT — not approved" in text
    assert "(not measured in this MB)" in text  # items the draft does not measure
    for number, photo in enumerate(draft.photos, start=1):
        assert f"Photo {number}: {photo.original_name}" in text
        assert photo.taken_at is not None
        assert f"Taken {photo.taken_at.astimezone(INDIA):%d/%m/%Y %H:%M} (India time)" in text
        assert f"GPS {photo.latitude:.6f}° N, {photo.longitude:.6f}° E" in text
        assert photo.sha256 in text
    for path in (approved_path, draft_path):
        for page in range(1, page_count(pdf_text(path)) + 1):
            assert ink_fraction(render_page(path, page, tmp_path, dpi=40)) > 0.01, (path, page)
