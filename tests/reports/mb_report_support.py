"""A Measurement Book view built by hand for the MB report tests, with the figures the domain
computes (domain.mb.compute_mb), as the services hand them to the writers.

Five items of a drain and road work order: two lines of the same SOR (one with a deduction
and a quantity measured in the previous MB), a concrete item with previous quantities, a
road slab priced per 120 CUM (a lakh-sized amount), and a non-SOR item described in Odia.
Two site photos are drawn with Pillow: one with capture time and GPS, one without GPS.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.mb import MbItem, Period, compute_mb
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.sor import RateHeads, line_amount
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.database import open_database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.estimate_views import HistoryEvent, ProjectRef
from mukta_desktop.services.mb_views import (
    MbLineView,
    MbSummary,
    MbView,
    PhotoView,
    WorkOrderRef,
    WorkOrderStatus,
)
from mukta_desktop.services.measurement_books import get_mb
from mukta_desktop.services.words import rupees_in_words

ODIA = "ମାଟି କାମ"  # "earth work"
CONTENT_HASH = "ab12" + "3c4d5e6f" * 7 + "7a8b"
PREVIOUS_HASH = "9f8e7d6c" * 8
NUMBER = "MB/2026-27/000002"
PREVIOUS = "MB/2026-27/000001"
TENANT_NAME = "Dhenkanal Municipality"
ORGANISATION = "Maa Tarini Mahila Arts and Crafts SHG"

assert len(CONTENT_HASH) == 64


def _d(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def row(kind: RowKind, name: str, *factors: str | None) -> MeasurementRow:
    n, length, breadth, depth = (list(factors) + [None] * 4)[:4]
    return MeasurementRow(kind, name, _d(n), _d(length), _d(breadth), _d(depth))


PLUS, MINUS = RowKind.PLUS, RowKind.MINUS
EARTH_HEADS = RateHeads(
    labour=Decimal("182.40"), machinery=Decimal("12.00"), labour_cess=Decimal("1.94")
)
PCC_HEADS = RateHeads(
    material=Decimal("3920.55"),
    labour=Decimal("1210.00"),
    machinery=Decimal("85.00"),
    conveyance=Decimal("310.20"),
    royalty=Decimal("64.00"),
    labour_cess=Decimal("55.90"),
)
SLAB_HEADS = RateHeads(
    material=Decimal("300000.00"),
    labour=Decimal("120000.00"),
    machinery=Decimal("14723.12"),
    labour_cess=Decimal("4347.23"),
)


def _item(
    key: str,
    description: str,
    rows: tuple[MeasurementRow, ...],
    *,
    rate: str,
    estimate: str,
    previous: str = "0",
    sor_code: str | None = None,
    heads: RateHeads | None = None,
    rate_quantity: str = "1",
    unit: str = "CUM",
) -> MbItem:
    previous_quantity = Decimal(previous)
    return MbItem(
        key=key,
        category=LineCategory.SOR if sor_code else LineCategory.NON_SOR,
        description=description,
        unit=unit,
        rate=Decimal(rate),
        rate_quantity=Decimal(rate_quantity),
        estimate_quantity=Decimal(estimate),
        previous_quantity=previous_quantity,
        previous_amount=line_amount(previous_quantity, Decimal(rate), Decimal(rate_quantity)),
        rows=rows,
        sor_code=sor_code,
        heads=heads,
    )


def items() -> list[tuple[MbItem, str]]:
    """(item, remarks) of the five lines."""
    earth = "Earth work in excavation for foundation in ordinary soil, lead up to 50 m"
    return [
        (
            _item(
                "line-1",
                earth,
                (
                    row(PLUS, "Drain trench, left side", "2", "10.5", "0.45", "0.3"),
                    row(PLUS, "Drain trench, right side", "1", "120.25", "0.6", "0.45"),
                    row(MINUS, "Culvert crossing", "1", "3.5", "0.6", "0.45"),
                ),
                rate="196.34",
                estimate="60",
                previous="20.5",
                sor_code="DEMO-W-001",
                heads=EARTH_HEADS,
            ),
            "",
        ),
        (
            _item(
                "line-2",
                earth + " (approach road)",
                (row(PLUS, "Road bed widening", "1", "45", "1.2", "0.3"),),
                rate="196.34",
                estimate="50",
                sor_code="DEMO-W-001",
                heads=EARTH_HEADS,
            ),
            "Second line of the same SOR item",
        ),
        (
            _item(
                "line-3",
                "Plain cement concrete 1:3:6 in foundation, hand mixed",
                (row(PLUS, "Bed concrete", "1", "123.25", "0.6", "0.1"),),
                rate="5645.65",
                estimate="12",
                previous="3.2",
                sor_code="DEMO-W-002",
                heads=PCC_HEADS,
            ),
            "",
        ),
        (
            _item(
                "line-4",
                "Cement concrete road slab M20, machine mixed and laid",
                (row(PLUS, "Road slab", None, "250", "3.75", "0.15"),),
                rate="439070.35",
                rate_quantity="120",
                estimate="300",
                previous="100",
                sor_code="DEMO-W-007",
                heads=SLAB_HEADS,
            ),
            "",
        ),
        (
            _item(
                "line-5",
                f"{ODIA} (hand excavation near the temple wall)",
                (row(PLUS, "Near the wall", "1", "15", "0.9", "0.6"),),
                rate="412.50",
                estimate="10",
            ),
            "Hand work: machines cannot reach the wall",
        ),
    ]


def _ist(day: int, hour: int, minute: int) -> datetime:
    """An instant of October 2026 given in India time, stored in UTC as the app stores it."""
    from mukta_desktop.domain.dates import INDIA

    return datetime(2026, 10, day, hour, minute, tzinfo=INDIA).astimezone(UTC)


def _event(
    action: str, login: str, name: str, at: datetime, source: Status | None, target: Status
) -> HistoryEvent:
    return HistoryEvent(
        action, login, name, at, f"{action} (report test)", source and source.value, target.value
    )


JE, AE, EE = "Sri Ramesh Sahu (JE)", "Smt. Lipsa Mohanty (AE)", "Sri Ashok Behera (EE)"


def approved_history() -> tuple[HistoryEvent, ...]:
    return (
        _event("save-draft", "je", JE, _ist(14, 10, 5), None, Status.DRAFTED),
        _event("submit", "je", JE, _ist(14, 17, 30), Status.DRAFTED, Status.PENDING_VERIFICATION),
        _event(
            "verify",
            "ae",
            AE,
            _ist(16, 11, 0),
            Status.PENDING_VERIFICATION,
            Status.PENDING_APPROVAL,
        ),
        _event("approve", "ee", EE, _ist(18, 15, 45), Status.PENDING_APPROVAL, Status.APPROVED),
    )


def picture(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A site photo drawn with Pillow (a sky, ground, a trench), saved as JPEG at `path`;
    returns its thumbnail (JPEG bytes, 320 px wide)."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, (150, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height // 2, width, height), fill=colour)
    draw.rectangle(
        (width // 5, height * 2 // 3, width * 4 // 5, height * 3 // 4), fill=(60, 45, 30)
    )
    draw.ellipse((width * 3 // 4, height // 10, width * 9 // 10, height // 4), fill=(250, 220, 90))
    image.save(path, "JPEG", quality=85)
    thumb = image.copy()
    thumb.thumbnail((320, 320))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def photos(folder: Path) -> tuple[PhotoView, ...]:
    folder.mkdir(parents=True, exist_ok=True)
    made: list[PhotoView] = []
    specs = [
        (
            "drain-left.jpg",
            (1600, 1200),
            (120, 150, 80),
            _ist(14, 10, 12),
            ("20.296059", "85.824539"),
        ),
        ("culvert.jpg", (1200, 1600), (160, 130, 90), _ist(14, 10, 40), None),
    ]
    # Stored positions count from 0, as the service stores them; the documents number from 1.
    for position, (name, size, colour, taken, gps) in enumerate(specs):
        path = folder / f"photo-{position}.jpg"
        thumbnail = picture(path, size, colour)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        made.append(
            PhotoView(
                id=f"photo-{position}",
                position=position,
                sha256=digest,
                media_type="image/jpeg",
                width=size[0],
                height=size[1],
                stored_bytes=len(data),
                original_sha256=digest,
                original_name=name,
                original_bytes=len(data),
                taken_at=taken,
                latitude=Decimal(gps[0]) if gps else None,
                longitude=Decimal(gps[1]) if gps else None,
                thumbnail=thumbnail,
                path=path,
                added_by="je",
                added_at=_ist(14, 12, 0),
            )
        )
    return tuple(made)


def mb_view(photo_dir: Path, *, approved: bool = True) -> MbView:
    """The MB, approved (with history, hash and approval time) or as a fresh draft."""
    pairs = items()
    mb_items = [item for item, _ in pairs]
    totals = compute_mb(mb_items)
    lines = tuple(
        MbLineView(position, item, figures, item.rows, remarks)
        for position, ((item, remarks), figures) in enumerate(
            zip(pairs, totals.items, strict=True), start=1
        )
    )
    period = Period(date(2026, 10, 8), date(2026, 10, 14))
    project = ProjectRef(
        "project-1", "PJ/2026-27/000017", "Drain and approach road at Ward 7, Kunjakanta"
    )
    work_order = WorkOrderRef(
        "wo-1",
        "WO/2026-27/000004",
        ORGANISATION,
        date(2026, 9, 20),
        date(2026, 10, 1),
        date(2027, 3, 31),
        WorkOrderStatus.ACTIVE,
    )
    previous = MbSummary(
        "mb-1",
        PREVIOUS,
        work_order.number,
        project.number,
        project.name,
        "Ward 7",
        Period(date(2026, 10, 1), date(2026, 10, 7)),
        date(2026, 10, 7),
        Status.APPROVED,
        totals.previous_total,
        totals.previous_total,
        "je",
        _ist(7, 10, 0),
        _ist(9, 10, 0),
    )
    view = MbView(
        id="mb-2",
        number=NUMBER,
        tenant="od.dhenkanal",
        tenant_name=TENANT_NAME,
        work_order=work_order,
        project=project,
        location="Ward 7, Kunjakanta",
        estimate_number="ES/2026-27/000311",
        status=Status.APPROVED,
        period=period,
        measurement_date=date(2026, 10, 14),
        remarks="Measured jointly with the SHG's secretary at site",
        created_by="je",
        created_by_name=JE,
        created_at=_ist(14, 10, 5),
        version=4,
        lines=lines,
        photos=photos(photo_dir),
        totals=totals,
        total_in_words=rupees_in_words(totals.total),
        previous_mb=PREVIOUS,
        approved_at=_ist(18, 15, 45),
        content_hash=CONTENT_HASH,
        previous_hash=PREVIOUS_HASH,
        history=approved_history(),
        mb_history=(previous,),
    )
    if approved:
        return view
    return replace(
        view,
        status=Status.DRAFTED,
        approved_at=None,
        content_hash=None,
        previous_hash=None,
        history=approved_history()[:1],
        editable=True,
    )


DEMO_TODAY = date(2026, 11, 21)


def service_views(folder: Path) -> tuple[MbView, MbView]:
    """MBs made by the real services: the demo's work order (load_demo goes through
    create_work_order, create_mb, attaching photos through the photo store and the MB
    workflow), read back with get_mb. Returns its second MB (approved, with a deduction and
    quantities measured in the approved MB before it) and its third (a draft with three
    photos carrying EXIF time and GPS)."""
    db = open_database(folder / "data")
    try:
        _, second, third = load_demo(db, today=DEMO_TODAY).measurement_books
        return get_mb(db, second), get_mb(db, third)
    finally:
        db.close()
