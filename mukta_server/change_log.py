"""Appending to the change log (sync-protocol §5): the one place that hands out change
sequence numbers, so record pushes, SOR publications and anything later number their changes
the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json

from .models import CHANGE_SEQ, Change, ChangeCounter


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
    """Write one change in the caller's transaction; returns its sequence number.

    The counter row is updated inside the writing transaction: its lock orders the numbers
    by commit, so a reader never sees a number while a smaller one is still uncommitted."""
    seq = session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.name == CHANGE_SEQ)
        .values(value=ChangeCounter.value + 1)
        .returning(ChangeCounter.value)
    ).scalar_one()
    session.add(
        Change(
            seq=seq,
            tenant_code=tenant,
            record_type=record_type,
            record_id=record_id,
            version=version,
            content_hash=content_hash,
            payload=payload,
            action=None if action is None else canonical_json(action).decode("utf-8"),
        )
    )
    return int(seq)
