"""The Measurement Book as a PDF in the style of the paper MB (CPWA / OPWD Form 23), A4
landscape: the entries at commencement, the approval record (content hash and its QR code)
of an approved MB, the detailed measurements of every item with its rate and the quantity and
value up to date, deducting the previous measurement and since the last one; the abstract of
the MB, the utilization statement, the signature blocks, the workflow timeline and the site
photos with their capture time, GPS position and SHA-256.

An MB that is not approved carries a red "not approved" stamp on every page, so that nobody
pays from a draft. Every figure is the service's own (MbView); this module only lays them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageOps
from qrcode import QRCode
from qrcode.constants import ERROR_CORRECT_M

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.services.mb_views import MbLineView, MbView, PhotoView

from ._common import factor, money, plain, quantity, rupees
from ._mb_common import (
    DEDUCT,
    DEDUCT_PREVIOUS,
    NOT_MEASURED,
    SINCE_LAST,
    TITLE,
    UP_TO_DATE,
    amount_text,
    code_of,
    commencement,
    footer,
    gps_text,
    has_utilization,
    is_approved,
    item_label,
    mb_line,
    mb_signatories,
    photo_title,
    picture_text,
    qr_payload,
    sentence,
    stamp,
    status_text,
    taken_text,
    timeline,
    up_to_date_words,
    work_line,
)
from ._output import Cancelled, Progress, Steps, atomic_target
from .fonts import RUPEE, FontFiles
from .pdf_base import LINE_H, PAD, TOTAL_FILL, Column, PageHeading, ReportPdf, Span

MEASUREMENT_COLUMNS = (
    Column("Sl.", 8, "C"),
    Column("Measured on", 19, "C"),
    Column("Description of item and particulars of measurement", 82, wrap=True),
    Column("No.", 12, "R"),
    Column("L", 14, "R"),
    Column("B", 14, "R"),
    Column("D/H", 14, "R"),
    Column("Contents / quantity", 20, "R"),
    Column("Unit", 11, "C"),
    Column(f"Rate ({RUPEE})", 19, "R"),
    Column("Per", 9, "R"),
    Column(f"Value ({RUPEE})", 23, "R"),
    Column("Remarks", 32, wrap=True),
)
ABSTRACT_COLUMNS = (
    Column("Sl.", 8, "C"),
    Column("SOR code", 20),
    Column("Description of item", 65, wrap=True),
    Column("Unit", 11, "C"),
    Column(f"Rate ({RUPEE})", 19, "R"),
    Column("Per", 9, "R"),
    Column("Estimate quantity", 19, "R"),
    Column("Up to date: quantity", 19, "R"),
    Column(f"Up to date: amount ({RUPEE})", 23, "R"),
    Column("Deduct previous: quantity", 19, "R"),
    Column(f"Deduct previous: amount ({RUPEE})", 23, "R"),
    Column("This MB: quantity", 19, "R"),
    Column(f"This MB: amount ({RUPEE})", 23, "R"),
)
UTILIZATION_COLUMNS = (
    Column("Sl.", 8, "C"),
    Column("SOR code", 20),
    Column("Description of item", 95, wrap=True),
    Column("Quantity (this MB)", 22, "R"),
    Column("Unit", 11, "C"),
    Column(f"Material ({RUPEE})", 30, "R"),
    Column(f"Labour ({RUPEE})", 30, "R"),
    Column(f"Machinery ({RUPEE})", 30, "R"),
    Column(f"Total ({RUPEE})", 31, "R"),
)
TIMELINE_COLUMNS = (
    Column("Date and time (India)", 28, "C"),
    Column("Action", 34),
    Column("By", 50),
    Column("Status after", 42),
    Column("Comment", 123, wrap=True),
)
ROW_H = LINE_H + 2 * PAD
STAMP_RED = (190, 20, 20)
QR_SIZE = 34.0  # mm: a 37-module code (version 5) gets modules of about 0.9 mm
PHOTO_GAP = 6.0  # mm between photos
PHOTO_HEIGHT = 58.0  # mm of picture (a 4:3 photo 77 mm wide): two rows of three fit a page
CAPTION_HEIGHT = 18.0
MAX_PIXELS = 1000  # long side of a picture as embedded: about 300 dpi at 85 mm


class MbPdf(ReportPdf):
    """A landscape report whose pages carry a red stamp while the MB is not approved."""

    def __init__(self, view: MbView, *, fonts: FontFiles | None = None) -> None:
        heading = PageHeading(
            organisation=view.tenant_name,
            title=TITLE,
            lines=(mb_line(view), work_line(view)),
            footer=footer(view),
        )
        super().__init__(heading, orientation="L", fonts=fonts)
        self.set_title(f"Measurement Book {view.number}")
        self.stamp_lines = stamp(view)

    def header(self) -> None:
        if self.stamp_lines[0]:
            self._stamp()
        super().header()

    def _stamp(self) -> None:
        """Top right, beside the ULB's name: the part of the header line nothing else uses."""
        width, height = 78.0, 10.0
        x, y = self.w - self.r_margin - width, self.t_margin - 1.5
        self.set_draw_color(*STAMP_RED)
        self.set_text_color(*STAMP_RED)
        self.set_line_width(0.6)
        self.rect(x, y, width, height)
        self.use_font(10, bold=True)
        self.set_xy(x, y + 0.6)
        self.text_cell(width, 4.6, self.stamp_lines[0], align="C")
        self.use_font(7)
        self.set_xy(x, y + 5.4)
        self.text_cell(width, 4, self.stamp_lines[1], align="C")
        self.set_line_width(0.2)
        self.set_draw_color(0)
        self.set_text_color(0)
        self.set_xy(self.l_margin, self.t_margin)


def write_mb_pdf(
    view: MbView,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    fonts: FontFiles | None = None,
) -> None:
    """Write the MB PDF to `path`; nothing is left there if cancelled or failed."""
    steps = Steps(2 * len(view.lines) + len(view.photos) + 4, progress, cancelled)
    pdf = MbPdf(view, fonts=fonts)
    pdf.add_page()
    _front(pdf, view)
    steps.tick()
    _measurements(pdf, view, steps)
    _abstract(pdf, view, steps)
    _utilization(pdf, view)
    pdf.signatures(mb_signatories(view))
    steps.tick()
    _timeline(pdf, view)
    _photos(pdf, view, steps)
    steps.tick()
    with atomic_target(path) as temporary:
        pdf.save(temporary)
        steps.check()
    steps.finish()


# ---------------------------------------------------------------- first page


def _front(pdf: MbPdf, view: MbView) -> None:
    if pdf.stamp_lines[0]:
        _banner(pdf, f"{pdf.stamp_lines[0]}. {pdf.stamp_lines[1]}.")
    pdf.begin_section("ENTRIES AT COMMENCEMENT")
    pdf.key_values(commencement(view), key_width=52)
    pdf.end_section()
    if is_approved(view) and view.content_hash:
        _approval_record(pdf, view, view.content_hash)
    else:
        pdf.begin_section("APPROVAL RECORD")
        pdf.paragraph(
            f"Not approved ({view.status.label}): this MB has no content hash yet and is "
            "not to be paid from. The hash and its QR code are printed once it is approved."
        )
        pdf.end_section()


def _banner(pdf: MbPdf, text: str) -> None:
    """The status across the first page, in the stamp's red, so nobody misses it."""
    height = 9.0
    y = pdf.get_y() + 1
    pdf.set_draw_color(*STAMP_RED)
    pdf.set_text_color(*STAMP_RED)
    pdf.set_line_width(0.6)
    pdf.rect(pdf.l_margin, y, pdf.epw, height)
    pdf.use_font(12, bold=True)
    pdf.set_xy(pdf.l_margin, y + 1.5)
    pdf.text_cell(pdf.epw, 6, text, align="C")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    pdf.set_text_color(0)
    pdf.set_xy(pdf.l_margin, y + height + 1)


def _approval_record(pdf: MbPdf, view: MbView, content_hash: str) -> None:
    """The hash of the approved MB, printed and as a QR code beside it."""
    pdf.begin_section("APPROVAL RECORD", need=QR_SIZE + 4)
    top = pdf.get_y() + 1
    # Four modules of white around the code are its quiet zone: nothing is drawn there.
    draw_qr(pdf, qr_matrix(qr_payload(view)), pdf.l_margin + 4, top, QR_SIZE)
    x = pdf.l_margin + QR_SIZE + 12
    width = pdf.epw - (x - pdf.l_margin)
    lines: list[tuple[str, float, bool, bool]] = [
        (status_text(view), 9, True, False),
        (
            "Content hash (SHA-256) of the approved MB; the QR code holds the MB No. and it:",
            8,
            False,
            False,
        ),
        (content_hash, 10, True, True),
    ]
    if view.previous_hash:
        lines.append((f"Hash of the previous MB ({view.previous_mb}):", 8, False, False))
        lines.append((view.previous_hash, 8, False, True))
    lines.append(
        (
            "The hash covers the MB's figures, measurement rows, photos (by their SHA-256) and "
            "the previous MB's hash: any change after approval gives a different hash.",
            7,
            False,
            False,
        )
    )
    y = top
    for text, size, bold, mono in lines:
        if mono:  # hex in a fixed-width face: easier to compare character by character
            pdf.prepare(text)  # plain text: leaves shaping off for the core font
            pdf.set_font("courier", "B" if bold else "", size)
        else:
            pdf.use_font(size, bold=bold)
        pdf.set_xy(x, y)
        pdf.text_cell(width, size * 0.5, text)
        y += size * 0.5 + 1
    pdf.set_xy(pdf.l_margin, max(y, top + QR_SIZE) + 2)
    pdf.end_section()


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of a QR code of `data` (True is dark), without the quiet zone."""
    code = QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def draw_qr(pdf: FPDF, matrix: Sequence[Sequence[bool]], x: float, y: float, size: float) -> None:
    """A QR code as filled rectangles: vector modules stay sharp at any zoom and need no
    image. Each run of dark modules in a row is one rectangle (a fifth of the drawing
    operations of one square per module)."""
    count = len(matrix)
    module = size / count
    pdf.set_fill_color(0)
    for r, cells in enumerate(matrix):
        c = 0
        while c < count:
            if not cells[c]:
                c += 1
                continue
            start = c
            while c < count and cells[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")


# ---------------------------------------------------------------- measurements


def _measurements(pdf: MbPdf, view: MbView, steps: Steps) -> None:
    pdf.add_page()  # the first page holds the entries at commencement alone, as on paper
    pdf.begin_section("DETAILED MEASUREMENTS", MEASUREMENT_COLUMNS)
    measured_on = format_date(view.measurement_date)
    for line in view.lines:
        _item(pdf, line, measured_on)
        steps.tick()
    pdf.end_section()


def _particulars(row: MeasurementRow) -> str:
    if row.kind is RowKind.MINUS:
        return f"{DEDUCT}: {row.name}" if row.name else DEDUCT
    return row.name


def _item(pdf: MbPdf, line: MbLineView, measured_on: str) -> None:
    item, figures = line.item, line.figures
    pdf.row(
        [
            str(line.position),
            measured_on,
            Span(item_label(line), 6),
            item.unit,
            money(item.rate),
            plain(item.rate_quantity),
            "",
            line.remarks,
        ],
        fill=TOTAL_FILL,
        keep_with_next=2 * ROW_H,
    )
    for row in item.rows:
        pdf.row(
            [
                "",
                "",
                _particulars(row),
                factor(row.number),
                factor(row.length),
                factor(row.breadth),
                factor(row.depth),
                quantity(row.quantity),
                "",
                "",
                "",
                "",
                "",
            ]
        )
    if not item.rows:
        pdf.row(["", "", NOT_MEASURED])

    def summary(label: str, qty: str, value: str, *, last: bool = False) -> None:
        pdf.row(
            ["", "", Span(label, 5, align="R", wrap=False), qty, item.unit, "", "", value, ""],
            bold=last,
            rule=last,
            keep_with_next=0 if last else (2 if label == UP_TO_DATE else 1) * ROW_H,
        )

    summary(UP_TO_DATE, quantity(figures.cumulative_quantity), money(figures.cumulative_amount))
    summary(DEDUCT_PREVIOUS, quantity(item.previous_quantity), money(item.previous_amount))
    summary(SINCE_LAST, quantity(figures.quantity), money(figures.amount), last=True)


# ---------------------------------------------------------------- abstract and utilization


def _abstract(pdf: MbPdf, view: MbView, steps: Steps) -> None:
    pdf.begin_section("ABSTRACT OF THE MB", ABSTRACT_COLUMNS)
    for line in view.lines:
        item, figures = line.item, line.figures
        pdf.row(
            [
                str(line.position),
                code_of(line),
                item.description,
                item.unit,
                money(item.rate),
                plain(item.rate_quantity),
                quantity(item.estimate_quantity),
                quantity(figures.cumulative_quantity),
                money(figures.cumulative_amount),
                quantity(item.previous_quantity),
                money(item.previous_amount),
                quantity(figures.quantity),
                money(figures.amount),
            ],
            rule=True,
        )
        steps.tick()
    t = view.totals
    for label, figure in (("Total", money), (f"Total in whole rupees ({RUPEE})", rupees)):
        pdf.row(
            [
                Span(label, 7, align="R", wrap=False),
                "",
                figure(t.cumulative_total),
                "",
                figure(t.previous_total),
                "",
                figure(t.total),
            ],
            bold=True,
            fill=TOTAL_FILL,
            rule=True,
        )
    pdf.end_section()
    pdf.ln(2)
    pdf.paragraph(f"Value of this MB: {amount_text(t.total, view.total_in_words)}", bold=True)
    pdf.paragraph(
        f"Value up to date: {amount_text(t.cumulative_total, up_to_date_words(view))}", bold=True
    )


def _utilization(pdf: MbPdf, view: MbView) -> None:
    pdf.begin_section(
        "UTILIZATION STATEMENT (material, labour and machinery consumed by this MB)",
        UTILIZATION_COLUMNS,
    )
    skipped = 0
    for line in view.lines:
        if not has_utilization(line):
            skipped += 1
            continue
        used = line.figures.utilization
        pdf.row(
            [
                str(line.position),
                code_of(line),
                line.item.description,
                quantity(line.figures.quantity),
                line.item.unit,
                money(used.material),
                money(used.labour),
                money(used.machinery),
                money(used.material + used.labour + used.machinery),
            ],
            rule=True,
        )
    pdf.cost_totals(view.totals.utilization, skipped)


# ---------------------------------------------------------------- timeline and photos


def _timeline(pdf: MbPdf, view: MbView) -> None:
    pdf.begin_section("WORKFLOW TIMELINE", TIMELINE_COLUMNS)
    entries = timeline(view.history)
    for entry in entries:
        pdf.row([entry.at, entry.action, entry.by, entry.status, entry.comment], rule=True)
    if not entries:
        pdf.row([Span("No workflow step recorded yet.", len(TIMELINE_COLUMNS))])
    pdf.end_section()


def _photos(pdf: MbPdf, view: MbView, steps: Steps) -> None:
    if not view.photos:
        pdf.begin_section("SITE PHOTOS")
        pdf.paragraph("No site photos were added to this MB.")
        pdf.end_section()
        return
    pdf.end_section()
    pdf.add_page()
    pdf.begin_section("SITE PHOTOS")
    per_row = 3
    width = (pdf.epw - (per_row - 1) * PHOTO_GAP) / per_row
    height = PHOTO_HEIGHT + CAPTION_HEIGHT
    for start in range(0, len(view.photos), per_row):
        if pdf.room() < height:
            pdf.add_page()
        y = pdf.get_y()
        for n, photo in enumerate(view.photos[start : start + per_row]):
            x = pdf.l_margin + n * (width + PHOTO_GAP)
            _photo(pdf, start + n + 1, photo, x, y, width)
            steps.tick()
        pdf.set_xy(pdf.l_margin, y + height + PHOTO_GAP / 2)
    pdf.end_section()


def _photo(pdf: MbPdf, number: int, photo: PhotoView, x: float, y: float, width: float) -> None:
    picture = _picture(photo)
    pdf.set_draw_color(170)
    if picture is None:
        pdf.rect(x, y, width, PHOTO_HEIGHT)
        pdf.use_font(8)
        pdf.set_xy(x, y + PHOTO_HEIGHT / 2 - 2)
        pdf.text_cell(width, 4, "The picture could not be read.", align="C")
    else:
        data, pixels_wide, pixels_high = picture
        scale = min(width / pixels_wide, PHOTO_HEIGHT / pixels_high)
        w, h = pixels_wide * scale, pixels_high * scale
        pdf.image(data, x, y, w, h)  # left-aligned, above its caption
        pdf.rect(x, y, w, h)
    pdf.set_draw_color(0)
    gps = gps_text(photo)
    caption: list[tuple[str, float, bool]] = [
        (photo_title(number, photo), 8, True),
        (taken_text(photo), 7.5, False),
        (f"GPS {gps}" if photo.latitude is not None else sentence(gps), 7.5, False),
        (picture_text(photo), 7, False),
        (f"SHA-256 {photo.sha256}", 5.5, False),
    ]
    line_y = y + PHOTO_HEIGHT + 1.5
    for text, size, bold in caption:
        pdf.use_font(size, bold=bold)
        pdf.put_text(x - pdf.c_margin, line_y, width + 2 * pdf.c_margin, pdf.fit(text, width))
        line_y += size * 0.45


def _picture(photo: PhotoView) -> tuple[io.BytesIO, int, int] | None:
    """The stored picture, downscaled for the page (a 12-megapixel photo would make the
    PDF tens of megabytes), or the thumbnail when the stored file is missing or unreadable."""
    sources: list[Path | io.BytesIO] = []
    if photo.path.is_file():
        sources.append(photo.path)
    if photo.thumbnail:
        sources.append(io.BytesIO(photo.thumbnail))
    for source in sources:
        try:
            with Image.open(source) as image:
                return _downscaled(image)
        except (OSError, ValueError, Image.DecompressionBombError):
            continue  # try the thumbnail
    return None


def _downscaled(image: Image.Image) -> tuple[io.BytesIO, int, int]:
    width, height = image.size
    scale = min(1.0, MAX_PIXELS / max(width, height, 1))
    target = (max(int(width * scale), 1), max(int(height * scale), 1))
    # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale: far faster than decoding it whole.
    image.draft("RGB", target)
    picture = ImageOps.exif_transpose(image) or image
    if picture.mode in ("RGBA", "LA", "P"):
        rgba = picture.convert("RGBA")
        picture = Image.new("RGB", rgba.size, (255, 255, 255))
        picture.paste(rgba, mask=rgba.getchannel("A"))  # transparency on white paper
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    picture.thumbnail((MAX_PIXELS, MAX_PIXELS))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82)
    out.seek(0)
    return out, picture.width, picture.height
