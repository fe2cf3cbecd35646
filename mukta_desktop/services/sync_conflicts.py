"""Sync conflicts (docs/sync-protocol.md §4): the operations the server did not take —
CONFLICT (made on an older version), LOCKED (the server's copy is approved), REJECTED (a rule
refused it, with reasons) — listed for the engineer, with this PC's and the server's copy
side by side, field by field.

What the engineer can do about one:
- **Revise** a refused MB or estimate: it comes back to Drafted here, to be corrected and
  submitted again (a new operation); the timeline says the server refused it and why.
- **Use the server's copy** of a record in conflict or locked: the server's document is
  written over the local record.
Either way the held operations of that record are marked RESOLVED, with who chose what and
when; nothing is deleted, and the server keeps its own record of what it held."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import content_hash
from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.sor import HEAD_LABELS
from mukta_desktop.domain.workflow import FINAL, Status
from mukta_desktop.models import (
    Estimate,
    MeasurementBook,
    OutboxOperation,
    Project,
    SyncedRecord,
    WorkOrder,
)
from mukta_desktop.models.base import utcnow
from mukta_desktop.sync.outbox import PENDING

from . import sync_apply
from .database import Database
from .estimates import RECORD_TYPE as ESTIMATE_EVENTS
from .measurement_books import RECORD_TYPE as MB_EVENTS
from .measurement_books import photo_store
from .timeline import record_event
from .users import Actor
from .work_orders import PROJECT_RECORD
from .work_orders import RECORD_TYPE as WORK_ORDER_EVENTS

CONFLICT = "CONFLICT"
LOCKED = "LOCKED"
REJECTED = "REJECTED"
HELD_STATES = (CONFLICT, LOCKED, REJECTED)
RESOLVED = "RESOLVED"  # the engineer dealt with a held operation (kept, never deleted)

REVISED = "revised"
SERVER_COPY = "server_copy"
SERVER_REFUSED_EVENT = "server-refused"
SERVER_COPY_EVENT = "server-copy"

RECORD_LABELS = {
    sync_apply.PROJECT: "Project",
    sync_apply.ESTIMATE: "Estimate",
    sync_apply.WORK_ORDER: "Work order",
    sync_apply.MB: "Measurement Book",
}
_TIMELINE_KINDS = {
    sync_apply.PROJECT: PROJECT_RECORD,
    sync_apply.ESTIMATE: ESTIMATE_EVENTS,
    sync_apply.WORK_ORDER: WORK_ORDER_EVENTS,
    sync_apply.MB: MB_EVENTS,
}
_REVISABLE = (sync_apply.ESTIMATE, sync_apply.MB)


# --- the two documents, field by field ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field of a record as this PC sent it and as the server holds it (text as shown;
    figures exactly as in the documents)."""

    label: str  # "Line 1 › Row 2 › Length"
    local: str
    server: str
    differs: bool


_SKIPPED = frozenset({"type", "schema", "id"})
_ITEM_NAMES = {
    "lines": "Line",
    "rows": "Row",
    "photos": "Photo",
    "overheads": "Overhead",
    "history": "Step",
}
_WORDS = {
    "sor_code": "SOR code",
    "sha256": "SHA-256",
    "original_sha256": "Original SHA-256",
    "media_type": "File type",
    "rate_quantity": "Rate for quantity",
    "period_days": "Period (days)",
    "revision_no": "Revision no.",
    "revision_of": "Revision of",
    "created_by": "Made by",
    "approved_by": "Approved by",
    "approved_at": "Approved at",
    "previous_hash": "Previous approved MB (hash)",
    "cumulative_total": "Total up to date",
    "estimate_quantity": "Estimate quantity",
    "previous_quantity": "Quantity up to previous MB",
    "previous_amount": "Amount up to previous MB",
    "used_quantity": "Used quantity",
    "used_rate": "Used rate",
    "origin_line_id": "Original line",
    "lump_sum": "Lump sum",
    "taken_at": "Taken at",
    "from": "From",
    "to": "To",
    **HEAD_LABELS,
}
_EMPTY = "—"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What an engineer looks for first; other fields follow in the document's order.
_FIRST = (
    "number", "status", "name", "project", "work_order", "estimate", "revision_of",
    "estimate_date", "period", "measurement_date", "organisation", "start_date", "end_date",
    "description", "remarks", "total", "cumulative_total",
    "position", "item", "category", "sor_code", "unit", "kind",
    "estimate_quantity", "previous_quantity", "quantity", "rate", "amount",
)
_RANK = {key: rank for rank, key in enumerate(_FIRST)}


def _words(key: str) -> str:
    return _WORDS.get(key) or key.replace("_", " ").capitalize()


def _text(key: str, value: Any) -> str:
    if value is None:
        return _EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "status" and isinstance(value, str) and value in Status.__members__:
        return Status(value).label
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")  # as dates are shown
    return str(value)


def _flatten(value: Any, label: str, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: _RANK.get(str(k), len(_FIRST)))  # stable
        for child, inner in ((k, value[k]) for k in keys):
            if child in _SKIPPED:
                continue
            name = f"{label} › {_words(child)}" if label else _words(child)
            yield from _flatten(inner, name, child)
    elif isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
        item = _ITEM_NAMES.get(key, _words(key))
        prefix = label.rsplit(" › ", 1)[0] + " › " if " › " in label else ""
        for index, inner in enumerate(value, start=1):
            yield from _flatten(inner, f"{prefix}{item} {index}", key)
    elif isinstance(value, list):
        yield label, ", ".join(_text(key, item) for item in value) or _EMPTY
    else:
        yield label, _text(key, value)


def document_fields(document: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """A canonical record document as (label, text) rows, in the document's order."""
    return [] if document is None else list(_flatten(document, "", ""))


def compare_documents(
    local: Mapping[str, Any] | None, server: Mapping[str, Any] | None
) -> tuple[FieldComparison, ...]:
    """Both documents field by field: every field of either, this PC's order first. With no
    server copy (a refusal) nothing is marked as differing."""
    mine = dict(document_fields(local))
    theirs = dict(document_fields(server))
    labels = list(mine) + [label for label in theirs if label not in mine]
    return tuple(
        FieldComparison(
            label,
            mine.get(label, _EMPTY),
            theirs.get(label, _EMPTY),
            server is not None and mine.get(label) != theirs.get(label),
        )
        for label in labels
    )


# --- listing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldOperation:
    """An operation the server did not take, as the Conflicts list shows it."""

    seq: int
    state: str  # CONFLICT, LOCKED or REJECTED
    record_type: str
    record_label: str  # "Measurement Book"
    record_id: str
    number: str
    action: str  # the workflow step the operation carried ("submit"), or ""
    comment: str  # the comment typed with that step
    sent_status: str  # the record's status in what this PC sent
    local_status: str  # the record's status here now ("" when not here)
    server_status: str  # in the server's copy ("" when none came back)
    server_version: int | None
    reasons: tuple[str, ...]
    made_at: datetime
    answered_at: datetime | None
    fields: tuple[FieldComparison, ...]
    can_revise: bool
    revise_note: str  # why it cannot be revised here (when it cannot)
    can_use_server_copy: bool
    server_copy_note: str

    @property
    def differences(self) -> int:
        return sum(1 for field in self.fields if field.differs)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a choice did: the record, its status before and after, the rows resolved."""

    record_label: str
    number: str
    before: str
    after: str
    resolved: tuple[int, ...]


def _answer(row: OutboxOperation) -> dict[str, Any]:
    try:
        answer = json.loads(row.result or "{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _local_record(
    session: Session, record_type: str, record_id: str
) -> Project | Estimate | WorkOrder | MeasurementBook | None:
    if record_type == sync_apply.PROJECT:
        return session.get(Project, record_id)
    if record_type == sync_apply.ESTIMATE:
        return session.get(Estimate, record_id)
    if record_type == sync_apply.WORK_ORDER:
        return session.get(WorkOrder, record_id)
    if record_type == sync_apply.MB:
        return session.get(MeasurementBook, record_id)
    return None


def _held_row(session: Session, seq: int) -> OutboxOperation:
    row = session.get(OutboxOperation, seq)
    if row is None or row.state not in HELD_STATES:
        raise NotFound(
            f"Operation {seq} is not waiting in Sync conflicts (already resolved, or never "
            "held); refresh the list."
        )
    return row


def _name(row: OutboxOperation, payload: Mapping[str, Any]) -> str:
    label = RECORD_LABELS.get(row.record_type, row.record_type)
    return f"{label} {payload.get('number') or row.record_id}"


def _revise_refusal(session: Session, row: OutboxOperation, actor: Actor | None) -> str:
    """Why this held operation cannot be revised by `actor` ("" when it can)."""
    payload = json.loads(row.payload)
    name = _name(row, payload)
    if row.state != REJECTED:
        return "Only a change the server refused can be revised; use the server's copy."
    if row.record_type not in _REVISABLE:
        return (f"{name} cannot be revised on this PC; ask the head office what to correct "
                "on the server.")
    record = _local_record(session, row.record_type, row.record_id)
    if record is None:
        return f"{name} is no longer on this PC."
    assert isinstance(record, Estimate | MeasurementBook)
    if Status(record.status) in FINAL:
        return (f"{name} is {Status(record.status).label.lower()} on this PC and never "
                "changes; ask the head office how to correct it on the server.")
    if actor is not None and record.created_by != actor.login:
        return f"Only {record.created_by}, who made {name}, can revise it."
    return ""


def _server_copy_refusal(session: Session, row: OutboxOperation) -> str:
    payload = json.loads(row.payload)
    name = _name(row, payload)
    if row.state not in (CONFLICT, LOCKED):
        return ("The server has no copy of this change to offer: it refused it. Revise the "
                "record and submit it again.")
    if not isinstance(_answer(row).get("server_record"), dict):
        return f"The server's answer carried no copy of {name}."
    if row.record_type not in sync_apply.RECORD_TYPES:
        return f"This version of MUKTA Desktop does not keep records of type {row.record_type}."
    waiting = session.scalar(
        select(OutboxOperation.seq)
        .where(
            OutboxOperation.record_type == row.record_type,
            OutboxOperation.record_id == row.record_id,
            OutboxOperation.state == PENDING,
        )
        .limit(1)
    )
    if waiting is not None:
        return (f"Later changes to {name} are still waiting to be sent; sync first, then "
                "choose again.")
    return ""


def _last_step(action: Mapping[str, Any]) -> tuple[str, str]:
    """The workflow step an operation carried and its comment (the last step of a history
    sent on enrolment)."""
    steps = action.get("history")
    if isinstance(steps, list):
        action = steps[-1] if steps else {}
    return str(action.get("action") or ""), str(action.get("comment") or "")


def _held(session: Session, row: OutboxOperation, actor: Actor | None) -> HeldOperation:
    payload: dict[str, Any] = json.loads(row.payload)
    answer = _answer(row)
    server = answer.get("server_record")
    server_copy = server if isinstance(server, dict) else None
    action = json.loads(row.action) if row.action else {}
    record = _local_record(session, row.record_type, row.record_id)
    revise_note = _revise_refusal(session, row, actor)
    copy_note = _server_copy_refusal(session, row)
    version = answer.get("version")
    return HeldOperation(
        seq=row.seq,
        state=row.state,
        record_type=row.record_type,
        record_label=RECORD_LABELS.get(row.record_type, row.record_type),
        record_id=row.record_id,
        number=str(payload.get("number") or ""),
        action=_last_step(action)[0],
        comment=_last_step(action)[1],
        sent_status=str(payload.get("status") or ""),
        local_status="" if record is None else str(record.status),
        server_status="" if server_copy is None else str(server_copy.get("status") or ""),
        server_version=version if isinstance(version, int) else None,
        reasons=tuple(str(reason) for reason in answer.get("reasons") or ()),
        made_at=row.created_at,
        answered_at=row.answered_at,
        fields=compare_documents(payload, server_copy),
        can_revise=not revise_note,
        revise_note=revise_note,
        can_use_server_copy=not copy_note,
        server_copy_note=copy_note,
    )


def held_operations(db: Database, actor: Actor | None = None) -> list[HeldOperation]:
    """Every operation waiting in Sync conflicts, oldest first (`actor`: whose choices the
    list offers)."""
    with db.read() as session:
        rows = session.scalars(
            select(OutboxOperation)
            .where(OutboxOperation.state.in_(HELD_STATES))
            .order_by(OutboxOperation.seq)
        )
        return [_held(session, row, actor) for row in rows]


# --- choices ---------------------------------------------------------------------------------


def _mark_resolved(
    session: Session,
    rows: Sequence[OutboxOperation],
    actor: Actor,
    how: str,
    note: str = "",
) -> tuple[int, ...]:
    at = utcnow().isoformat().replace("+00:00", "Z")
    for row in rows:
        answer = _answer(row)
        answer["resolution"] = {
            "how": how,
            "by": actor.login,
            "at": at,
            "was": row.state,
            "note": note,
        }
        row.result = json.dumps(answer, sort_keys=True)
        row.state = RESOLVED
    session.flush()
    return tuple(row.seq for row in rows)


def _held_of_record(
    session: Session, record_type: str, record_id: str, states: Sequence[str]
) -> list[OutboxOperation]:
    return list(
        session.scalars(
            select(OutboxOperation)
            .where(
                OutboxOperation.record_type == record_type,
                OutboxOperation.record_id == record_id,
                OutboxOperation.state.in_(list(states)),
            )
            .order_by(OutboxOperation.seq)
        )
    )


def resolve(db: Database, actor: Actor, seq: int, *, how: str, note: str = "") -> Resolution:
    """Mark one held operation RESOLVED without touching the record (the choices below use
    the same marking); `how` and `note` are kept in its result."""
    if not how.strip():
        raise ValidationError("Say how the conflict was resolved.", field="how")
    with db.unit_of_work() as session:
        row = _held_row(session, seq)
        payload = json.loads(row.payload)
        record = _local_record(session, row.record_type, row.record_id)
        status = "" if record is None else str(record.status)
        resolved = _mark_resolved(session, [row], actor, how.strip(), note.strip())
        return Resolution(
            RECORD_LABELS.get(row.record_type, row.record_type),
            str(payload.get("number") or row.record_id),
            status,
            status,
            resolved,
        )


def _refused_comment(reasons: Sequence[str]) -> str:
    why = " ".join(reason.rstrip(".") + "." for reason in reasons) or "No reason was given."
    return f"The head office server refused it: {why} Back to draft to be corrected."


def revise(db: Database, actor: Actor, seq: int) -> Resolution:
    """A refused MB or estimate comes back to Drafted on this PC, for its maker to correct
    and submit again; the timeline records the refusal and its reasons, and every refused
    operation of the record is resolved."""
    with db.unit_of_work() as session:
        row = _held_row(session, seq)
        refusal = _revise_refusal(session, row, actor)
        if refusal:
            if refusal.startswith("Only "):
                raise PermissionDenied(refusal)
            raise ValidationError(refusal)
        record = _local_record(session, row.record_type, row.record_id)
        assert isinstance(record, Estimate | MeasurementBook)
        before = record.status
        refused = _held_of_record(session, row.record_type, row.record_id, (REJECTED,))
        reasons = [
            reason for each in refused for reason in _answer(each).get("reasons") or ()
        ]
        unique = list(dict.fromkeys(str(reason) for reason in reasons))
        record.status = Status.DRAFTED.value
        record.version += 1
        record.updated_at = utcnow()
        record_event(
            session,
            _TIMELINE_KINDS[row.record_type],
            record.id,
            actor,
            SERVER_REFUSED_EVENT,
            before,
            record.status,
            _refused_comment(unique),
        )
        resolved = _mark_resolved(session, refused, actor, REVISED)
        return Resolution(
            RECORD_LABELS[row.record_type],
            record.number,
            before,
            record.status,
            resolved,
        )


def _seen_server_version(
    session: Session, record_type: str, record_id: str, version: int, digest: str
) -> None:
    """This PC now holds the server's version: the base of its next change on the record."""
    known = session.scalar(
        select(SyncedRecord).where(
            SyncedRecord.record_type == record_type, SyncedRecord.record_id == record_id
        )
    )
    if known is None:
        known = SyncedRecord(record_type=record_type, record_id=record_id, version=version,
                             content_hash=digest)
        session.add(known)
    elif version >= known.version:
        known.version = version
        known.content_hash = digest
    known.seen_at = utcnow()
    session.flush()


def use_server_copy(db: Database, actor: Actor, seq: int) -> Resolution:
    """Write the server's copy of a record in conflict (or locked) over the local one; the
    held operations of the record are resolved. Refused (nothing changes) when the local
    record cannot take it, e.g. an MB approved here, with the reason."""
    with db.unit_of_work() as session:
        row = _held_row(session, seq)
        refusal = _server_copy_refusal(session, row)
        if refusal:
            raise ValidationError(refusal)
        answer = _answer(row)
        server: dict[str, Any] = answer["server_record"]
        record = _local_record(session, row.record_type, row.record_id)
        before = "" if record is None else str(record.status)
        sync_apply.apply_server_copy(session, row.record_type, server, store=photo_store(db))
        version = answer.get("version")
        if isinstance(version, int):
            _seen_server_version(
                session, row.record_type, row.record_id, version, content_hash(server)
            )
        after = str(server.get("status") or before)
        if row.record_type in (sync_apply.ESTIMATE, sync_apply.MB):
            record_event(
                session,
                _TIMELINE_KINDS[row.record_type],
                row.record_id,
                actor,
                SERVER_COPY_EVENT,
                before or None,
                after,
                f"The server's copy (version {version}) was taken; this PC's change was "
                "set aside.",
            )
        held = _held_of_record(session, row.record_type, row.record_id, (CONFLICT, LOCKED))
        resolved = _mark_resolved(session, held, actor, SERVER_COPY)
        return Resolution(
            RECORD_LABELS[row.record_type],
            str(server.get("number") or row.record_id),
            before,
            after,
            resolved,
        )
