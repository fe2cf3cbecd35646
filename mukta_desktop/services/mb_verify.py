"""`verify`: recompute the hash chain of every work order's approved MBs and the hash of
every stored photo, and name each mismatch. Finds a change made behind the app's back, in
the database file or in a photo file."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select

from mukta_desktop.domain.canonical import content_hash
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import MbPhoto, MeasurementBook, WorkOrder

from .database import Database
from .mb_views import VerifyReport
from .measurement_books import mb_document, photo_store
from .photo_files import file_sha256


def verify_records(db: Database) -> VerifyReport:
    problems: list[str] = []
    store = photo_store(db)
    books = 0
    with db.read() as session:
        numbers = {i: n for i, n in session.execute(select(WorkOrder.id, WorkOrder.number))}
        approved = session.scalars(
            select(MeasurementBook)
            .where(MeasurementBook.status == Status.APPROVED.value)
            .order_by(MeasurementBook.work_order_id, MeasurementBook.period_start)
        ).all()
        for order_id, chain in groupby(approved, key=lambda b: b.work_order_id):
            previous: str | None = None
            for mb in chain:
                books += 1
                where = f"{mb.number} ({numbers.get(order_id, order_id)})"
                recomputed = content_hash(mb_document(session, mb))
                if recomputed != mb.content_hash:
                    problems.append(
                        f"{where}: its content no longer matches the hash made on approval "
                        f"(stored {mb.content_hash or 'none'}, recomputed {recomputed}); "
                        "the record was changed after approval."
                    )
                if mb.previous_hash != previous:
                    problems.append(
                        f"{where}: the chain is broken; it points at "
                        f"{mb.previous_hash or 'nothing'} but the approved MB before it has "
                        f"{previous or 'no hash'}."
                    )
                previous = mb.content_hash
        photos = session.execute(
            select(
                MbPhoto.sha256, MbPhoto.media_type, MbPhoto.original_name, MeasurementBook.number
            )
            .join(MeasurementBook, MeasurementBook.id == MbPhoto.mb_id)
            .order_by(MeasurementBook.number, MbPhoto.position)
        ).all()
        order_count = len({b.work_order_id for b in approved})
    checked = 0
    for sha, media_type, name, number in photos:
        checked += 1
        path = store.path_for(sha, media_type)
        if not path.exists():
            problems.append(f"{number}: the photo {name} is missing ({path}).")
            continue
        actual = file_sha256(path)
        if actual != sha:
            problems.append(
                f"{number}: the photo file {path.name} ({name}) was changed: its SHA-256 is "
                f"{actual}, not {sha}."
            )
    return VerifyReport(books, order_count, checked, tuple(problems))
