"""Applying a device's operations (docs/sync-protocol.md §4): each in its own transaction,
in `seq` order, exactly once.

Exactly once: the answer to (device, seq) is stored in the transaction that applies the
change; a replay — a lost answer, a retry, the same batch from several processes at once —
finds it and gets the original answer as `duplicate`. Two concurrent copies of one operation
collide on that primary key: one commits, the other rolls back and reads the stored answer.

Whatever is not applied (conflict, locked, rejected) is kept whole in `held_operation`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.domain.errors import DomainError

from .change_log import NewChange, append_changes
from .compaction import compacted_through
from .db import Database
from .enrolment import DeviceIdentity
from .mb_rules import PhotoLookup
from .models import Change, DeviceOperation, HeldOperation, Record
from .models.base import utcnow
from .record_rules import check_record

APPROVED = "APPROVED"
RECORD_TYPES = frozenset({"project", "estimate", "work_order", "measurement_book"})


@dataclass(frozen=True, slots=True)
class IncomingOperation:
    seq: int
    record_type: str
    record_id: str
    base_version: int | None
    content_hash: str
    payload: dict[str, Any]
    action: dict[str, Any] | None = None
    kind: str = "upsert"


@dataclass(frozen=True, slots=True)
class OperationAnswer:
    seq: int
    status: str
    version: int | None = None
    reasons: tuple[str, ...] = ()
    server_record: dict[str, Any] | None = field(default=None)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"seq": self.seq, "status": self.status}
        if self.version is not None:
            body["version"] = self.version
        if self.reasons:
            body["reasons"] = list(self.reasons)
        if self.server_record is not None:
            body["server_record"] = self.server_record
        return body


def push(
    db: Database,
    device: DeviceIdentity,
    operations: Sequence[IncomingOperation],
    *,
    photos: PhotoLookup | None = None,
) -> tuple[list[OperationAnswer], int]:
    """Apply the operations in order; returns the answers and the next seq expected.
    `photos` says which photos the server holds (an MB is approved only with all of them).

    The whole batch is applied in one transaction (one commit, one fsync). Should another
    process be applying a copy of the same operations at that moment, the batch meets its
    rows, rolls back, and the operations are applied one transaction each, reading back the
    answers the other process stored."""
    ordered = sorted(operations, key=lambda o: o.seq)
    try:
        with db.unit_of_work() as session:
            answers, last = _apply_batch(session, device, ordered, photos)
        return answers, last + 1
    except IntegrityError:
        pass
    answers = [_apply_once(db, device, op, photos) for op in ordered]
    return answers, _next_seq(db, device)


def _apply_batch(
    session: Session,
    device: DeviceIdentity,
    ordered: Sequence[IncomingOperation],
    photos: PhotoLookup | None,
) -> tuple[list[OperationAnswer], int]:
    last = _last_seq(session, device)
    answers: list[OperationAnswer] = []
    changes: list[NewChange] = []
    for op in ordered:
        if op.seq <= last:
            answers.append(_stored(session, device, op.seq) or OperationAnswer(op.seq, "gap"))
        elif op.seq != last + 1:
            answers.append(OperationAnswer(op.seq, "gap"))
        else:
            answers.append(_apply_new(session, device, op, photos, changes))
            last = op.seq
    # Last, just before the commit: the counter row's lock orders every writer.
    append_changes(session, changes)
    return answers, last


def _next_seq(db: Database, device: DeviceIdentity) -> int:
    with db.read() as session:
        return _last_seq(session, device) + 1


def _last_seq(session: Session, device: DeviceIdentity) -> int:
    last = session.scalar(
        select(func.max(DeviceOperation.seq)).where(DeviceOperation.device_id == device.device_id)
    )
    return last or 0


def _apply_once(
    db: Database, device: DeviceIdentity, op: IncomingOperation, photos: PhotoLookup | None
) -> OperationAnswer:
    for _attempt in range(3):
        try:
            with db.unit_of_work() as session:
                return _apply(session, device, op, photos)
        except IntegrityError:
            # Another process stored this operation's answer first: read it back.
            continue
    with db.read() as session:
        stored = _stored(session, device, op.seq)
    if stored is None:  # pragma: no cover - three collisions without a stored answer
        raise RuntimeError(f"operation {op.seq} of {device.device_id} could not be applied")
    return stored


def _stored(session: Session, device: DeviceIdentity, seq: int) -> OperationAnswer | None:
    row = session.get(DeviceOperation, (device.device_id, seq))
    if row is None:
        return None
    original = json.loads(row.result)
    return OperationAnswer(
        seq=seq,
        status="duplicate",
        version=original.get("version"),
        reasons=tuple(original.get("reasons", ())),
        server_record=original.get("server_record"),
    )


def _apply(
    session: Session, device: DeviceIdentity, op: IncomingOperation, photos: PhotoLookup | None
) -> OperationAnswer:
    stored = _stored(session, device, op.seq)
    if stored is not None:
        return stored
    if op.seq != _last_seq(session, device) + 1:
        return OperationAnswer(op.seq, "gap")
    changes: list[NewChange] = []
    answer = _apply_new(session, device, op, photos, changes)
    append_changes(session, changes)
    return answer


def _apply_new(
    session: Session,
    device: DeviceIdentity,
    op: IncomingOperation,
    photos: PhotoLookup | None,
    changes: list[NewChange],
) -> OperationAnswer:
    """The next operation of the device: applied, or held with its reasons. The change it
    makes is added to `changes`, for the caller to number last."""
    reasons = _refusals(op, device)
    existing = session.get(Record, op.record_id, with_for_update=True)
    if not reasons and existing is not None and existing.tenant_code != device.tenant:
        reasons = ["No such record in your ULB."]
    if not reasons:
        reasons = _number_taken(session, device, op)
    if reasons:
        return _hold(session, device, op, "rejected", reasons, None)
    if existing is not None:
        server_copy = json.loads(existing.payload)
        if existing.content_hash == op.content_hash:
            return _answer(
                session, device, op, OperationAnswer(op.seq, "applied", existing.version)
            )
        if existing.status == APPROVED:
            return _hold(
                session,
                device,
                op,
                "locked",
                [f"{existing.number or op.record_id} is approved on the server; it never changes."],
                existing,
                server_copy,
            )
        if op.base_version != existing.version:
            return _hold(
                session,
                device,
                op,
                "conflict",
                [
                    f"The server holds version {existing.version} of "
                    f"{existing.number or op.record_id}; this change was made on version "
                    f"{op.base_version if op.base_version is not None else 'none'}."
                ],
                existing,
                server_copy,
            )
    try:
        check_record(
            session, device, op.record_type, op.payload, op.action, existing, photos=photos
        )
    except DomainError as refusal:
        return _hold(session, device, op, "rejected", [refusal.message], existing)
    version = 1 if existing is None else existing.version + 1
    changes.append(_write_record(session, device, op, existing, version))
    return _answer(session, device, op, OperationAnswer(op.seq, "applied", version))


def _number_taken(session: Session, device: DeviceIdentity, op: IncomingOperation) -> list[str]:
    """A document number names one record of a ULB (devices number from leased blocks; a
    record numbered before its device enrolled may still collide)."""
    number = str(op.payload.get("number") or "")
    if not number:
        return []
    other = session.scalar(
        select(Record.record_id).where(
            Record.tenant_code == device.tenant,
            Record.record_type == op.record_type,
            Record.number == number,
            Record.record_id != op.record_id,
        )
    )
    if other is None:
        return []
    return [
        f"The number {number} is already another record's on the server. Ask the head office "
        "to renumber one of them; nothing is lost meanwhile."
    ]


def _refusals(op: IncomingOperation, device: DeviceIdentity) -> list[str]:
    """What makes an operation unreadable, before any rule: the tenant comes from the
    token, never from the payload."""
    payload = op.payload
    reasons = []
    if op.record_type not in RECORD_TYPES:
        reasons.append(f"Unknown record type '{op.record_type}'.")
    if payload.get("id") != op.record_id:
        reasons.append("The record's id does not match the operation.")
    if payload.get("type") != op.record_type:
        reasons.append("The record's type does not match the operation.")
    if payload.get("tenant") != device.tenant:
        reasons.append(f"This device belongs to {device.tenant}; the record names another ULB.")
    if content_hash(payload) != op.content_hash:
        reasons.append("The content hash does not match the record (damaged on the way?).")
    return reasons


def _write_record(
    session: Session,
    device: DeviceIdentity,
    op: IncomingOperation,
    existing: Record | None,
    version: int,
) -> NewChange:
    text = canonical_json(op.payload).decode("utf-8")
    if existing is None:
        session.add(
            Record(
                record_id=op.record_id,
                record_type=op.record_type,
                tenant_code=device.tenant,
                number=str(op.payload.get("number", "")),
                status=str(op.payload.get("status", "")),
                version=version,
                content_hash=op.content_hash,
                payload=text,
                updated_by_device=device.device_id,
            )
        )
    else:
        existing.number = str(op.payload.get("number", existing.number))
        existing.status = str(op.payload.get("status", ""))
        existing.version = version
        existing.content_hash = op.content_hash
        existing.payload = text
        existing.updated_at = utcnow()
        existing.updated_by_device = device.device_id
    return NewChange(
        tenant=device.tenant,
        record_type=op.record_type,
        record_id=op.record_id,
        version=version,
        content_hash=op.content_hash,
        payload=text,
        action=_recorded_action(device, op.action),
    )


def _recorded_action(
    device: DeviceIdentity, action: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The step as other devices will see it: a single step is always the token's user's."""
    if action is None or "history" in action:
        return action
    return {**action, "by": device.login}


def _hold(
    session: Session,
    device: DeviceIdentity,
    op: IncomingOperation,
    status: str,
    reasons: Sequence[str],
    existing: Record | None,
    server_copy: dict[str, Any] | None = None,
) -> OperationAnswer:
    session.add(
        HeldOperation(
            device_id=device.device_id,
            seq=op.seq,
            tenant_code=device.tenant,
            record_type=op.record_type,
            record_id=op.record_id,
            status=status,
            reasons=json.dumps(list(reasons), ensure_ascii=False),
            operation=canonical_json(
                {
                    "seq": op.seq,
                    "record_type": op.record_type,
                    "record_id": op.record_id,
                    "base_version": op.base_version,
                    "content_hash": op.content_hash,
                    "payload": op.payload,
                    "action": op.action,
                }
            ).decode("utf-8"),
        )
    )
    answer = OperationAnswer(
        op.seq,
        status,
        None if existing is None else existing.version,
        tuple(reasons),
        server_copy,
    )
    return _answer(session, device, op, answer)


def _answer(
    session: Session, device: DeviceIdentity, op: IncomingOperation, answer: OperationAnswer
) -> OperationAnswer:
    session.add(
        DeviceOperation(
            device_id=device.device_id,
            seq=op.seq,
            status=answer.status,
            result=json.dumps(answer.as_json(), sort_keys=True),
        )
    )
    session.flush()
    return answer


class CursorExpired(Exception):
    """The changes after this cursor were compacted away: pull again from the start."""


def changes_after(
    db: Database, device: DeviceIdentity, cursor: int, limit: int
) -> tuple[list[Change], int, bool]:
    """Changes the device may see after `cursor`: its ULB's records and the state's (SOR
    and rates). A cursor inside the compacted part of the log raises CursorExpired."""
    with db.read() as session:
        if 0 < cursor < compacted_through(session):
            raise CursorExpired(cursor)
        rows = list(
            session.scalars(
                select(Change)
                .where(Change.seq > cursor, Change.tenant_code.in_([device.tenant, "od"]))
                .order_by(Change.seq)
                .limit(limit + 1)
            )
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if rows else cursor), more
