"""Measurement Book report benchmarks against the budgets of the MB documents issue (2-core
machine):

- the MB PDF of an MB of 300 lines × 10 measurement rows with 5 photos: ≤ 8 s
- the same MB as an Excel workbook with live formulas: ≤ 2 s

The MB view is built by hand with the domain's figures (domain.mb.compute_mb), as the
services hand it to the writers; the photos are 2560 × 1920 JPEGs as a phone takes them.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw

from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.mb import MbItem, Period, compute_mb
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.sor import RateHeads, line_amount
from mukta_desktop.domain.workflow import Status
from mukta_desktop.reports.fonts import find_fonts
from mukta_desktop.reports.mb_pdf import write_mb_pdf
from mukta_desktop.reports.mb_xlsx import write_mb_xlsx
from mukta_desktop.services.estimate_views import HistoryEvent, ProjectRef
from mukta_desktop.services.mb_views import (
    MbLineView,
    MbView,
    PhotoView,
    WorkOrderRef,
    WorkOrderStatus,
)
from mukta_desktop.services.words import rupees_in_words

LINES, ROWS, PHOTOS = 300, 10, 5
PHOTO_SIZE = (2560, 1920)
AT = datetime(2026, 10, 14, 6, 30, tzinfo=UTC)
HEADS = [
    RateHeads(labour=Decimal("182.40"), machinery=Decimal("12.00"), labour_cess=Decimal("1.94")),
    RateHeads(
        material=Decimal("3920.55"),
        labour=Decimal("1210.00"),
        machinery=Decimal("85.00"),
        conveyance=Decimal("310.20"),
        royalty=Decimal("64.00"),
        labour_cess=Decimal("55.90"),
    ),
    RateHeads(
        material=Decimal("1680.00"),
        labour=Decimal("215.00"),
        machinery=Decimal("240.00"),
        conveyance=Decimal("330.00"),
        royalty=Decimal("95.00"),
        labour_cess=Decimal("25.60"),
    ),
]


def _rows(line: int) -> tuple[MeasurementRow, ...]:
    rows: list[MeasurementRow] = []
    for n in range(ROWS):
        minus = n == ROWS - 1  # the last row of each line is a small deduction
        rows.append(
            MeasurementRow(
                RowKind.MINUS if minus else RowKind.PLUS,
                f"Opening at chainage {n * 10}"
                if minus
                else f"Ward 7 lane {line + 1}, chainage {n * 10} to {n * 10 + 10} m",
                Decimal(1 if minus else 1 + n % 3),
                Decimal("0.9") if minus else Decimal(f"{10 + (line * 7 + n) % 40}.{n * 3:02d}"),
                Decimal("0.45") if n % 4 else None,
                Decimal(f"0.{15 + n % 5 * 5}") if n % 3 else None,
            )
        )
    return tuple(rows)


def _item(n: int) -> MbItem:
    rows = _rows(n)
    previous = Decimal(5 + n % 20)
    if n % 10 == 9:
        rate, rate_quantity = Decimal(f"{400 + n}.50"), Decimal(1)
        return MbItem(
            key=f"line-{n}",
            category=LineCategory.NON_SOR,
            description=f"Shifting of utility {n + 1} (ମାଟି କାମ near the lane)",
            unit="CUM",
            rate=rate,
            rate_quantity=rate_quantity,
            estimate_quantity=Decimal(900),
            previous_quantity=previous,
            previous_amount=line_amount(previous, rate, rate_quantity),
            rows=rows,
        )
    heads = HEADS[n % len(HEADS)]
    return MbItem(
        key=f"line-{n}",
        category=LineCategory.SOR,
        description=f"Work item {n + 1}: earth work, concrete or sub-base as per the SOR",
        unit="CUM",
        rate=heads.total,
        rate_quantity=Decimal(1),
        estimate_quantity=Decimal(900),
        previous_quantity=previous,
        previous_amount=line_amount(previous, heads.total, Decimal(1)),
        rows=rows,
        sor_code=f"DEMO-W-{n % 7 + 1:03d}",
        heads=heads,
    )


def _photo(folder: Path, position: int) -> PhotoView:
    """A 2560 × 1920 JPEG with a phone photo's noise (so it compresses like one)."""
    width, height = PHOTO_SIZE
    noise = Image.effect_noise(PHOTO_SIZE, 24 + position)
    gradient = Image.linear_gradient("L").resize(PHOTO_SIZE)
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_180)))
    ImageDraw.Draw(image).rectangle((width // 5, height // 2, width // 2, height * 3 // 4), "brown")
    path = folder / f"photo-{position}.jpg"
    image.save(path, "JPEG", quality=90)
    thumbnail = image.copy()
    thumbnail.thumbnail((320, 320))
    out = io.BytesIO()
    thumbnail.save(out, "JPEG", quality=80)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return PhotoView(
        id=f"photo-{position}",
        position=position,
        sha256=digest,
        media_type="image/jpeg",
        width=width,
        height=height,
        stored_bytes=len(data),
        original_sha256=digest,
        original_name=f"IMG_2026101{position + 1}_0930.jpg",
        original_bytes=len(data),
        taken_at=AT,
        latitude=Decimal("20.296059"),
        longitude=Decimal("85.824539"),
        thumbnail=out.getvalue(),
        path=path,
        added_by="je",
        added_at=AT,
    )


def build(folder: Path) -> MbView:
    items = [_item(n) for n in range(LINES)]
    totals = compute_mb(items)
    lines = tuple(
        MbLineView(n + 1, item, figures, item.rows)
        for n, (item, figures) in enumerate(zip(items, totals.items, strict=True))
    )
    history = tuple(
        HistoryEvent(action, "je", "Bench Engineer", AT, action, None, status.value)
        for action, status in (
            ("submit", Status.PENDING_VERIFICATION),
            ("verify", Status.PENDING_APPROVAL),
            ("approve", Status.APPROVED),
        )
    )
    return MbView(
        id="mb-bench",
        number="MB/2026-27/000091",
        tenant="od.dhenkanal",
        tenant_name="Dhenkanal Municipality",
        work_order=WorkOrderRef(
            "wo-bench",
            "WO/2026-27/000012",
            "Maa Tarini Mahila Arts and Crafts SHG",
            date(2026, 9, 20),
            date(2026, 10, 1),
            date(2027, 3, 31),
            WorkOrderStatus.ACTIVE,
        ),
        project=ProjectRef("project-bench", "PJ/2026-27/000099", "Bench: roads and drains"),
        location="Ward 7",
        estimate_number="ES/2026-27/000311",
        status=Status.APPROVED,
        period=Period(date(2026, 10, 8), date(2026, 10, 14)),
        measurement_date=date(2026, 10, 14),
        remarks="",
        created_by="je",
        created_by_name="Bench Engineer",
        created_at=AT,
        version=3,
        lines=lines,
        photos=tuple(_photo(folder, n) for n in range(PHOTOS)),  # positions count from 0
        totals=totals,
        total_in_words=rupees_in_words(totals.total),
        previous_mb="MB/2026-27/000090",
        approved_at=AT,
        content_hash="ab12" + "c" * 60,
        previous_hash=None,
        history=history,
    )


def _report(name: str, value_s: float, budget_s: float) -> None:
    verdict = "ok" if value_s <= budget_s else "OVER BUDGET"
    print(f"{name:<58} {value_s:>9.2f} s    budget {budget_s:>5.1f} s   {verdict}")


def _time(work: Callable[[], None], runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        view = build(work)
        rows = sum(len(line.item.rows) for line in view.lines)
        photo_mb = sum(p.stored_bytes for p in view.photos) / 1e6
        print(
            f"(built {view.number}: {len(view.lines)} lines, {rows} measurement rows, "
            f"{len(view.photos)} photos of {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} ({photo_mb:.1f} MB), "
            f"in {time.perf_counter() - started:.1f} s)"
        )
        fonts = find_fonts()
        print(f"(fonts: text {fonts.text}, Odia {fonts.odia})")
        pdf = work / "mb.pdf"
        xlsx = work / "mb.xlsx"
        _report(
            f"MB PDF, {LINES} lines x {ROWS} rows, {PHOTOS} photos (median of 3)",
            _time(lambda: write_mb_pdf(view, pdf)),
            8.0,
        )
        _report(
            f"MB Excel, {LINES} lines x {ROWS} rows (median of 3)",
            _time(lambda: write_mb_xlsx(view, xlsx)),
            2.0,
        )
        print(f"(PDF {pdf.stat().st_size / 1e6:.1f} MB, Excel {xlsx.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
