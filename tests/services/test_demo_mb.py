"""The demo's work order and Measurement Books (services.demo): measured against the approved
revision, figures worked out by hand, drawn photos with EXIF time and GPS inside each MB's
period, a hash chain that verifies, and a draft the demo user can take on."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import MbPhoto, MeasurementBook, WorkOrder
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.mb_verify import verify_records
from mukta_desktop.services.measurement_books import get_mb
from mukta_desktop.services.users import authenticate
from mukta_desktop.services.work_orders import get_work_order

D = Decimal
TODAY = date(2026, 11, 21)


def test_demo_work_order_and_its_mbs(db: Database) -> None:
    result = load_demo(db, today=TODAY)
    order = get_work_order(db, result.work_order)
    assert order.organisation.startswith("[DEMO]")
    assert (order.estimate_number, order.estimate_in_force) == (result.estimate, result.revision)
    assert (order.work_order_date, order.start_date, order.end_date) == (
        TODAY - timedelta(days=32),
        TODAY - timedelta(days=30),
        TODAY + timedelta(days=60),
    )
    assert [mb.number for mb in order.mbs] == list(result.measurement_books)
    assert [mb.status for mb in order.mbs] == [Status.APPROVED, Status.APPROVED, Status.DRAFTED]
    assert order.next_period is None  # the draft holds the next period

    books = [get_mb(db, number) for number in result.measurement_books]
    start = order.start_date
    assert [(b.period.start, b.period.end) for b in books] == [
        (start + timedelta(days=7 * k), start + timedelta(days=7 * k + 6)) for k in range(3)
    ]
    assert {b.estimate_number for b in books} == {result.revision}
    # Earth work 196.34 (194.40 + cess 1.94); PCC 5645.65; masonry 6201.65; board 2500.
    # MB 1: 1 × 40 × 0.9 × 0.6 = 21.6 × 196.34 = 4240.94, board 2500.00 → 6740.94
    # MB 2: 21.6 − 3 × 0.9 × 0.6 = 19.98 × 196.34 = 3922.87, 3.6 × 5645.65 = 20324.34 → 24247.21
    # MB 3: 3.6 − 0.27 = 3.33 × 5645.65 = 18800.01, 2 × 20 × 0.25 × 0.6 = 6 × 6201.65
    #       = 37209.90 → 56009.91
    assert [b.totals.total for b in books] == [D("6740.94"), D("24247.21"), D("56009.91")]
    assert [b.totals.cumulative_total for b in books] == [
        D("6740.94"),
        D("30988.15"),
        D("86998.06"),
    ]
    earthwork = books[1].lines[0]
    assert (earthwork.item.estimate_quantity, earthwork.figures.cumulative_quantity) == (
        D("41.5800"),
        D("41.5800"),
    )  # the revised trench, measured in full
    assert all(b.remarks.startswith("[DEMO]") for b in books)
    assert all(not b.warnings for b in books)

    assert books[0].previous_hash is None
    assert books[1].previous_hash == books[0].content_hash
    assert books[2].content_hash is None
    assert [e.action for e in books[0].history] == ["save-draft", "submit", "verify", "approve"]
    assert all(e.comment.startswith("[DEMO]") for e in books[0].history[1:])

    assert [len(b.photos) for b in books] == [1, 1, 3]
    for book in books:
        for photo in book.photos:
            assert photo.taken_at is not None
            assert book.period.start <= photo.taken_at.astimezone(INDIA).date() <= book.period.end
            assert photo.latitude is not None
            assert photo.longitude is not None
            assert D("20.65") < photo.latitude < D("20.66")
            assert D("85.59") < photo.longitude < D("85.60")
            assert photo.original_name.startswith("demo-site-photo-")
            assert photo.path.is_file()

    report = verify_records(db)
    assert (report.work_orders, report.measurement_books, report.photos, report.problems) == (
        1,
        2,
        5,
        (),
    )


def test_the_demo_user_takes_on_the_draft(db: Database) -> None:
    result = load_demo(db, today=TODAY)
    demo = authenticate(db, "demo", "demo")
    draft = get_mb(db, result.measurement_books[-1], viewer=demo)
    assert draft.editable
    assert Action.SUBMIT in draft.allowed_actions
    again = load_demo(db, today=TODAY + timedelta(days=1))
    assert again.already_loaded
    with db.read() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (WorkOrder, MeasurementBook, MbPhoto)
        ]
    assert counts == [1, 3, 5]
