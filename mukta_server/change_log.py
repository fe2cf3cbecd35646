"""Appending to the change log (sync-protocol §5): the one place that hands out change
sequence numbers, so record pushes, SOR publications and anything later number their changes
the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json

from .models import CHANGE_SEQ, Change, ChangeCounter


@dataclass(frozen=True, slots=True)
class NewChange:
    tenant: str
    record_type: str
    record_id: str
    version: int
    content_hash: str
    payload: str  # canonical JSON text
    action: dict[str, Any] | None = None


def append_changes(session: Session, changes: Sequence[NewChange]) -> list[int]:
    """Write changes in the caller's transaction, numbered in order; returns their numbers.

    The counter row is moved once, inside the writing transaction: its lock orders the numbers
    by commit, so a reader never sees a number while a smaller one is still uncommitted. Call
    it last before the commit — the lock is held until then."""
    if not changes:
        return []
    top = session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.name == CHANGE_SEQ)
        .values(value=ChangeCounter.value + len(changes))
        .returning(ChangeCounter.value)
    ).scalar_one()
    first = int(top) - len(changes) + 1
    session.add_all(
        Change(
            seq=first + index,
            tenant_code=change.tenant,
            record_type=change.record_type,
            record_id=change.record_id,
            version=change.version,
            content_hash=change.content_hash,
            payload=change.payload,
            action=None if change.action is None else canonical_json(change.action).decode("utf-8"),
        )
        for index, change in enumerate(changes)
    )
    return [first + index for index in range(len(changes))]


def append_change(
    session: Session,
    *,
    tenant: str,
    record_type: str,
    record_id: str,
    version: int,
    content_hash: str,
    payload: str,
    action: dict[str, Any] | None = None,
) -> int:
    """One change (see `append_changes`); returns its sequence number."""
    return append_changes(
        session,
        [NewChange(tenant, record_type, record_id, version, content_hash, payload, action)],
    )[0]
