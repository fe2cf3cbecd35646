"""One sync round (docs/sync-protocol.md): push the outbox in batches, then pull changes by
cursor. Each answer is stored in its own unit of work: the results of a pushed batch, or one
pulled page together with the new cursor — so a crash between two steps loses nothing and
repeats nothing the server has not already answered.

The network is `mukta_desktop.sync.client`; this module owns the database side."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json
from mukta_desktop.domain.errors import DomainError, ValidationError
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import (
    MbPhoto,
    MeasurementBook,
    OutboxOperation,
    PulledChange,
    SyncedRecord,
    SyncState,
    UploadedPhoto,
)
from mukta_desktop.models.base import utcnow
from mukta_desktop.sync import outbox
from mukta_desktop.sync.client import (
    MAX_BATCH,
    Change,
    CursorExpired,
    OperationResult,
    SyncClient,
    SyncError,
)

from . import sync_apply
from .database import Database
from .measurement_books import photo_store
from .photo_files import PhotoStore, describe_stored
from .sync_numbers import refill_numbers
from .sync_sor import apply_sor_change

# The server's answer as the outbox keeps it: acknowledged (awaiting a pull that confirms
# it), or held for the engineer (conflict, locked, rejected: kept whole, shown).
ACKNOWLEDGED = {"applied": "APPLIED", "duplicate": "DUPLICATE"}
HELD = {"conflict": "CONFLICT", "locked": "LOCKED", "rejected": "REJECTED"}
CONFIRMED = "CONFIRMED"


@dataclass(frozen=True, slots=True)
class SyncReport:
    pushed: int  # operations answered by the server this round
    applied: int
    held: int  # conflicts, locked and rejected
    pulled: int  # changes received
    error: str = ""  # why the round stopped early, in plain words

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True, slots=True)
class SyncStatus:
    server: str
    enrolled: bool
    pending_records: int
    pending_photos: int
    conflicts: int
    last_success: datetime | None
    last_error: str


def _state(session: Session) -> SyncState:
    state = outbox.enrolment(session)
    if state is None:
        raise ValidationError("This installation is not enrolled with a server; enrol it first.")
    return state


def push_outbox(db: Database, client: SyncClient) -> tuple[int, int, int]:
    """Send every pending operation, a batch at a time; returns (answered, applied, held)."""
    answered = applied = held = 0
    while True:
        with db.read() as session:
            operations = outbox.pending(session, limit=MAX_BATCH)
        if not operations:
            break
        answer = client.push(operations)
        with db.unit_of_work() as session:
            progressed = _store_results(session, answer.results)
        answered += sum(1 for r in answer.results if r.status != "gap")
        applied += sum(1 for r in answer.results if r.status in ACKNOWLEDGED)
        held += sum(1 for r in answer.results if r.status in HELD)
        if not progressed:
            # The server expects an operation this device no longer has (only a restored
            # backup of the database can do that): stop rather than loop.
            raise SyncError(
                f"The server expects operation {answer.next_seq} of this device next; its "
                "outbox starts elsewhere. Nothing was lost; ask the head office to check."
            )
    return answered, applied, held


def _store_results(session: Session, results: tuple[OperationResult, ...]) -> bool:
    """Record each answer on its outbox row; returns whether any operation was answered."""
    progressed = False
    now = utcnow()
    for result in results:
        row = session.get(OutboxOperation, result.seq)
        if row is None or result.status == "gap":
            continue
        progressed = True
        state = ACKNOWLEDGED.get(result.status) or HELD.get(result.status)
        if state is None:
            continue
        row.state = state
        row.answered_at = now
        row.result = json.dumps(
            {
                "status": result.status,
                "version": result.version,
                "reasons": list(result.reasons),
                "server_record": result.server_record,
            },
            sort_keys=True,
        )
        if state in ACKNOWLEDGED.values() and result.version is not None:
            _seen(session, row.record_type, row.record_id, result.version, row.content_hash)
    return progressed


def _seen(session: Session, record_type: str, record_id: str, version: int, digest: str) -> None:
    known = session.scalar(
        select(SyncedRecord).where(
            SyncedRecord.record_type == record_type, SyncedRecord.record_id == record_id
        )
    )
    if known is None:
        session.add(
            SyncedRecord(
                record_type=record_type, record_id=record_id, version=version, content_hash=digest
            )
        )
    elif version >= known.version:
        known.version, known.content_hash, known.seen_at = version, digest, utcnow()
    session.flush()


def pull_changes(db: Database, client: SyncClient) -> int:
    """Fetch changes after the stored cursor, a page at a time; each page is applied to the
    local tables and stored with the new cursor in one unit of work. The photos a page's MBs
    name are fetched first (files named by their hash: fetching one twice is harmless).
    Returns how many changes arrived."""
    store = photo_store(db)
    received = 0
    restarted = False
    while True:
        with db.read() as session:
            cursor = _state(session).cursor
        try:
            page = client.changes(cursor)
        except CursorExpired:
            if restarted:
                raise
            restarted = True  # re-sync pulled data only: the outbox stays as it is
            with db.unit_of_work() as session:
                _state(session).cursor = ""
            continue
        fetched = _fetch_photos(client, store, page.changes)
        with db.unit_of_work() as session:
            for sha in fetched:
                if session.get(UploadedPhoto, sha) is None:
                    session.add(UploadedPhoto(sha256=sha))
            for change in page.changes:
                _receive(session, change, store)
            _retry_parked(session, store)
            _state(session).cursor = page.cursor
        received += len(page.changes)
        if not page.more:
            return received


def _receive(session: Session, change: Change, store: PhotoStore) -> None:
    """What the server now holds of a record: written into the local tables (unless local
    work on it waits), and an acknowledged operation it covers is confirmed — only then may
    the device forget it."""
    _confirm_operations(session, change)
    try:
        with session.begin_nested():
            if apply_sor_change(session, change):
                return
    except (DomainError, KeyError, ValueError, TypeError, ArithmeticError) as refused:
        reason = refused.message if isinstance(refused, DomainError) else str(refused)
        _park(session, change, f"The head office's SOR publication could not be read: {reason}")
        return
    if change.record_type not in sync_apply.RECORD_TYPES:
        # A kind of record this version does not keep (a newer server): noted, not applied.
        _seen(session, change.record_type, change.record_id, change.version, change.content_hash)
        return
    try:
        outcome = sync_apply.apply_change(
            session,
            record_type=change.record_type,
            record_id=change.record_id,
            version=change.version,
            content_hash_=change.content_hash,
            payload=change.payload,
            action=change.action,
            store=store,
        )
    except sync_apply.NotYet as waiting:
        _park(session, change, waiting.message)
        return
    if outcome is not sync_apply.Outcome.KEPT_LOCAL:
        # Local work keeps the base it was made on, so its push meets this version as a
        # conflict instead of silently replacing it.
        _seen(session, change.record_type, change.record_id, change.version, change.content_hash)
        _drop_parked(session, change.record_type, change.record_id, change.version)


def _confirm_operations(session: Session, change: Change) -> None:
    session.execute(
        update(OutboxOperation)
        .where(
            OutboxOperation.record_type == change.record_type,
            OutboxOperation.record_id == change.record_id,
            OutboxOperation.state.in_(list(ACKNOWLEDGED.values())),
            OutboxOperation.content_hash == change.content_hash,
        )
        .values(state=CONFIRMED)
    )


def _park(session: Session, change: Change, reason: str) -> None:
    parked = session.get(PulledChange, change.seq)
    if parked is not None:
        parked.reason = reason
        return
    session.add(
        PulledChange(
            seq=change.seq,
            record_type=change.record_type,
            record_id=change.record_id,
            version=change.version,
            content_hash=change.content_hash,
            payload=canonical_json(change.payload).decode("utf-8"),
            action=None if change.action is None else canonical_json(change.action).decode(),
            reason=reason,
        )
    )
    session.flush()


def _drop_parked(session: Session, record_type: str, record_id: str, version: int) -> None:
    """A parked older version of a record is overtaken once a newer one is applied."""
    session.execute(
        delete(PulledChange).where(
            PulledChange.record_type == record_type,
            PulledChange.record_id == record_id,
            PulledChange.version <= version,
        )
    )


def _retry_parked(session: Session, store: PhotoStore) -> None:
    """Try the parked changes again, oldest first, until a pass applies none of them (a
    record a parked change waited for may itself have been parked)."""
    while True:
        parked = list(session.scalars(select(PulledChange).order_by(PulledChange.seq)))
        progressed = False
        for row in parked:
            if session.get(PulledChange, row.seq) is None:
                continue  # overtaken by a newer version applied in this pass
            change = Change(
                seq=row.seq,
                record_type=row.record_type,
                record_id=row.record_id,
                version=row.version,
                content_hash=row.content_hash,
                payload=json.loads(row.payload),
                action=None if row.action is None else json.loads(row.action),
            )
            session.delete(row)
            session.flush()
            _receive(session, change, store)
            progressed = progressed or session.get(PulledChange, row.seq) is None
        if not progressed:
            return


def _fetch_photos(client: SyncClient, store: PhotoStore, changes: tuple[Change, ...]) -> set[str]:
    """Fetch the photos the page's MBs name that are not here; returns the hashes the
    server is known to hold (not to be uploaded back)."""
    on_server: set[str] = set()
    for change in changes:
        if change.record_type != sync_apply.MB:
            continue
        for photo in change.payload.get("photos", ()):
            sha, media_type = str(photo["sha256"]), str(photo["media_type"])
            if store.exists(sha, media_type):
                continue
            data = client.download_photo(sha)
            if data is not None:
                store.put(data, media_type)
                on_server.add(sha)
    return on_server


def _photos_to_send(session: Session) -> list[tuple[str, str]]:
    """Photos of MBs that left the device (not drafts) the server is not known to have
    (not another device's photo still on its way here: stored_bytes 0)."""
    sent = select(UploadedPhoto.sha256)
    return [
        (sha, media_type)
        for sha, media_type in session.execute(
            select(MbPhoto.sha256, MbPhoto.media_type)
            .join(MeasurementBook, MeasurementBook.id == MbPhoto.mb_id)
            .where(
                MeasurementBook.status != Status.DRAFTED.value,
                MbPhoto.sha256.not_in(sent),
                MbPhoto.stored_bytes > 0,
            )
            .distinct()
        )
    ]


def upload_photos(
    db: Database, client: SyncClient, *, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Send the photos the server lacks (a record may arrive before its photos; approval on
    the server waits for them). `progress(bytes sent, bytes to send)` covers every photo of
    the round. Returns (photos sent, chunks sent)."""
    store = photo_store(db)
    with db.read() as session:
        waiting = _photos_to_send(session)
    paths = {sha: store.path_for(sha, media_type) for sha, media_type in waiting}
    total = sum(path.stat().st_size for path in paths.values() if path.exists())
    done = 0
    photos = chunks = 0
    for sha, media_type in waiting:
        path = paths[sha]
        if not path.exists():
            # A photo of another device's MB that has not reached the server yet: that
            # device sends it; this one fetches it when it is there (complete_photos).
            continue
        if not client.photo_exists(sha):
            base = done

            def _report(offset: int, _size: int, base: int = base) -> None:
                if progress is not None:
                    progress(base + offset, total)

            chunks += client.upload_photo(path, sha, media_type, progress=_report)
            photos += 1
        done += path.stat().st_size if path.exists() else 0
        if progress is not None:
            progress(done, total)
        with db.unit_of_work() as session:
            if session.get(UploadedPhoto, sha) is None:
                session.add(UploadedPhoto(sha256=sha))
    return photos, chunks


def complete_photos(db: Database, client: SyncClient) -> int:
    """Photos of pulled MBs that were not on the server when the MB came: fetched now, and
    their size and thumbnail filled in (an approved MB's rows never change; its file is
    enough). Returns how many arrived."""
    store = photo_store(db)
    with db.read() as session:
        waiting = list(
            session.execute(
                select(MbPhoto.id, MbPhoto.sha256, MbPhoto.media_type).where(
                    MbPhoto.stored_bytes == 0
                )
            )
        )
    arrived = 0
    for photo_id, sha, media_type in waiting:
        if not store.exists(sha, media_type):
            data = client.download_photo(sha)
            if data is None:
                continue
            store.put(data, media_type)
        arrived += 1
        data = store.read(sha, media_type)
        width, height, thumbnail = describe_stored(data)
        with db.unit_of_work() as session:
            photo = session.get_one(MbPhoto, photo_id)
            mb = session.get_one(MeasurementBook, photo.mb_id)
            if mb.status != Status.APPROVED.value:
                photo.width, photo.height, photo.thumbnail = width, height, thumbnail
                photo.stored_bytes = photo.original_bytes = len(data)
            if session.get(UploadedPhoto, sha) is None:
                session.add(UploadedPhoto(sha256=sha))
    return arrived


def sync_once(
    db: Database,
    client: SyncClient,
    *,
    photo_progress: Callable[[int, int], None] | None = None,
) -> SyncReport:
    """Push, upload photos, then pull. A failure stops the round with its reason; nothing
    local is lost. `photo_progress(bytes sent, bytes to send)` follows the photo uploads."""
    answered = applied = held = pulled = 0
    error = ""
    try:
        # Photos first: the server approves an MB only once all its photos are there.
        upload_photos(db, client, progress=photo_progress)
        answered, applied, held = push_outbox(db, client)
        refill_numbers(db, client)
        pulled = pull_changes(db, client)
        complete_photos(db, client)
    except SyncError as exc:
        error = exc.message
    with db.unit_of_work() as session:
        state = _state(session)
        state.last_error = error
        if not error:
            state.last_success_at = utcnow()
    return SyncReport(answered, applied, held, pulled, error)


def sync_status(db: Database) -> SyncStatus:
    with db.read() as session:
        state = outbox.enrolment(session)
        summary = outbox.summary(session)
        return SyncStatus(
            server="" if state is None else state.server_url,
            enrolled=state is not None,
            pending_records=summary.pending,
            pending_photos=0 if state is None else len(_photos_to_send(session)),
            conflicts=summary.held,
            last_success=None if state is None else state.last_success_at,
            last_error="" if state is None else state.last_error,
        )
