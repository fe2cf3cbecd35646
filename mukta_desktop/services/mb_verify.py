"""`verify`: recompute the hash chain of every work order's approved MBs and the hash of
every stored photo, and name each mismatch. Finds a change made behind the app's back, in
the database file or in a photo file.

Beside the MB rows, the timeline (append-only, guarded by triggers) says which MBs were
approved: an approved MB that is no longer approved, or gone, is found through its approval
event even at the end of a chain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import content_hash
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.models import (
    Estimate,
    MbLine,
    MbPhoto,
    MbRow,
    MeasurementBook,
    WorkflowEvent,
    WorkOrder,
)

from .database import Database
from .mb_views import VerifyReport
from .measurement_books import RECORD_TYPE, document_of, photo_store
from .photo_files import file_sha256

BATCH = 200  # MBs read at once: whole lines and rows of an MB, a few queries per batch


def verify_records(db: Database) -> VerifyReport:
    problems: list[str] = []
    with db.read() as session:
        orders = {i: n for i, n in session.execute(select(WorkOrder.id, WorkOrder.number))}
        approved = session.scalars(
            select(MeasurementBook)
            .where(MeasurementBook.status == Status.APPROVED.value)
            .order_by(MeasurementBook.work_order_id, MeasurementBook.period_start)
        ).all()
        recomputed = _recompute(session, approved)
        for order_id, chain in groupby(approved, key=lambda b: b.work_order_id):
            previous: str | None = None
            for mb in chain:
                where = f"{mb.number} ({orders.get(order_id, order_id)})"
                if recomputed[mb.id] != mb.content_hash:
                    problems.append(
                        f"{where}: its content no longer matches the hash made on approval "
                        f"(stored {mb.content_hash or 'none'}, recomputed {recomputed[mb.id]}); "
                        "the record was changed after approval."
                    )
                if mb.previous_hash != previous:
                    problems.append(
                        f"{where}: the chain is broken; it points at "
                        f"{mb.previous_hash or 'nothing'} but the approved MB before it has "
                        f"{previous or 'no hash'}."
                    )
                previous = mb.content_hash
        problems += _approvals_without_approved_mb(session, {mb.id for mb in approved})
        photos = session.execute(
            select(
                MbPhoto.sha256, MbPhoto.media_type, MbPhoto.original_name, MeasurementBook.number
            )
            .join(MeasurementBook, MeasurementBook.id == MbPhoto.mb_id)
            .order_by(MeasurementBook.number, MbPhoto.position)
        ).all()
        order_count = len({b.work_order_id for b in approved})
    store = photo_store(db)
    for sha, media_type, name, number in photos:
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
    return VerifyReport(len(approved), order_count, len(photos), tuple(problems))


def _approvals_without_approved_mb(session: Session, approved_ids: set[str]) -> list[str]:
    events = session.execute(
        select(WorkflowEvent.record_id, WorkflowEvent.at).where(
            WorkflowEvent.record_type == RECORD_TYPE,
            WorkflowEvent.action == Action.APPROVE.value,
        )
    ).all()
    problems = []
    for record_id, at in events:
        if record_id in approved_ids:
            continue
        mb = session.get(MeasurementBook, record_id)
        what = "is gone" if mb is None else f"is now {Status(mb.status).label}"
        name = record_id if mb is None else mb.number
        problems.append(
            f"MB {name} was approved on {at:%d/%m/%Y %H:%M} UTC but {what}: an approved MB "
            "was changed behind the application's back."
        )
    return problems


def _recompute(session: Session, books: Sequence[MeasurementBook]) -> dict[str, str]:
    """The content hash of each MB as its rows stand, reading them a batch at a time."""
    orders = {i: n for i, n in session.execute(select(WorkOrder.id, WorkOrder.number))}
    estimates = {
        i: n
        for i, n in session.execute(
            select(Estimate.id, Estimate.number).where(
                Estimate.id.in_({b.estimate_id for b in books})
            )
        )
    }
    kinds = {kind.value: kind for kind in RowKind}
    hashes: dict[str, str] = {}
    for offset in range(0, len(books), BATCH):
        batch = books[offset : offset + BATCH]
        ids = [b.id for b in batch]
        lines: dict[str, list[MbLine]] = defaultdict(list)
        for line in session.scalars(
            select(MbLine).where(MbLine.mb_id.in_(ids)).order_by(MbLine.mb_id, MbLine.position)
        ):
            lines[line.mb_id].append(line)
        rows: dict[str, list[MeasurementRow]] = defaultdict(list)
        for line_id, kind, name, number, length, breadth, depth in session.execute(
            select(
                MbRow.line_id,
                MbRow.kind,
                MbRow.name,
                MbRow.number,
                MbRow.length,
                MbRow.breadth,
                MbRow.depth,
            )
            .join(MbLine, MbLine.id == MbRow.line_id)
            .where(MbLine.mb_id.in_(ids))
            .order_by(MbRow.line_id, MbRow.position)
        ):
            rows[line_id].append(MeasurementRow(kinds[kind], name, number, length, breadth, depth))
        photos: dict[str, list[MbPhoto]] = defaultdict(list)
        for photo in session.scalars(
            select(MbPhoto).where(MbPhoto.mb_id.in_(ids)).order_by(MbPhoto.position)
        ):
            photos[photo.mb_id].append(photo)
        for mb in batch:
            hashes[mb.id] = content_hash(
                document_of(
                    mb,
                    work_order=orders.get(mb.work_order_id, ""),
                    estimate=estimates.get(mb.estimate_id, ""),
                    lines=lines[mb.id],
                    rows=rows,
                    photos=photos[mb.id],
                )
            )
        session.expunge_all()
    return hashes
