"""The transactional outbox (DESIGN.md §4, docs/sync-protocol.md §4): every change the
server must receive is written as an operation in the same SQLite transaction as the change
itself, so a crash can lose neither one without the other. Nothing here talks to the network.

An installation that is not enrolled keeps no outbox: on enrolment every record the server
must know is queued at once (`queue_record` by the services' enrolment step)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.models import OutboxOperation, SyncedRecord, SyncState

PENDING = "PENDING"
# Answers of the server that leave the operation waiting for the engineer (shown in
# Conflicts, never dropped).
HELD = frozenset({"conflict", "locked", "rejected"})
HELD_STATES = frozenset(state.upper() for state in HELD)


@dataclass(frozen=True, slots=True)
class Operation:
    seq: int
    record_type: str
    record_id: str
    kind: str
    base_version: int | None
    content_hash: str
    payload: dict[str, Any]
    action: dict[str, Any] | None
    state: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxSummary:
    pending: int  # not yet answered by the server
    held: int  # conflicts, locked and rejected records waiting for the engineer
    last_seq: int


def enrolment(session: Session) -> SyncState | None:
    return session.get(SyncState, 1)


def queue_record(
    session: Session,
    record_type: str,
    record_id: str,
    document: Mapping[str, Any],
    *,
    action: Mapping[str, Any] | None = None,
) -> int | None:
    """Queue the record's canonical document (and the workflow step that produced it) for
    the server. Returns the operation's number; None when this installation is not enrolled
    or the same content is already queued unanswered (nothing new to say)."""
    if enrolment(session) is None:
        return None
    digest = content_hash(document)
    last = session.scalar(
        select(OutboxOperation)
        .where(OutboxOperation.record_type == record_type, OutboxOperation.record_id == record_id)
        .order_by(OutboxOperation.seq.desc())
        .limit(1)
    )
    if (
        last is not None
        and last.state not in HELD_STATES
        and last.content_hash == digest
        and action is None
    ):
        return None  # already queued or sent as it is: nothing new to say
    seen = session.execute(
        select(SyncedRecord.version, SyncedRecord.content_hash).where(
            SyncedRecord.record_type == record_type, SyncedRecord.record_id == record_id
        )
    ).one_or_none()
    if seen is not None and seen[1] == digest and action is None:
        return None  # the server holds exactly this
    known = None if seen is None else seen[0]
    if last is not None and last.state == PENDING:
        # Steps taken one after another offline (verify, then sanction): each is made on
        # the version the one before it will produce on the server.
        known = (last.base_version or 0) + 1
    seq = (session.scalar(select(func.max(OutboxOperation.seq))) or 0) + 1
    session.add(
        OutboxOperation(
            seq=seq,
            record_type=record_type,
            record_id=record_id,
            kind="upsert",
            base_version=known,
            content_hash=digest,
            payload=canonical_json(document).decode("utf-8"),
            action=None if action is None else canonical_json(dict(action)).decode("utf-8"),
            state=PENDING,
        )
    )
    session.flush()
    return seq


def pending(session: Session, *, limit: int = 200) -> list[Operation]:
    """The oldest unanswered operations, in order."""
    rows = session.scalars(
        select(OutboxOperation)
        .where(OutboxOperation.state == PENDING)
        .order_by(OutboxOperation.seq)
        .limit(limit)
    )
    return [_operation(row) for row in rows]


def summary(session: Session) -> OutboxSummary:
    counts = dict(
        (state, count)
        for state, count in session.execute(
            select(OutboxOperation.state, func.count()).group_by(OutboxOperation.state)
        )
    )
    last = session.scalar(select(func.max(OutboxOperation.seq))) or 0
    held = sum(count for state, count in counts.items() if state.lower() in HELD)
    return OutboxSummary(counts.get(PENDING, 0), held, last)


def _operation(row: OutboxOperation) -> Operation:
    return Operation(
        seq=row.seq,
        record_type=row.record_type,
        record_id=row.record_id,
        kind=row.kind,
        base_version=row.base_version,
        content_hash=row.content_hash,
        payload=json.loads(row.payload),
        action=None if row.action is None else json.loads(row.action),
        state=row.state,
        created_at=row.created_at,
    )
