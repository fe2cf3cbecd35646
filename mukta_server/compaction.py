"""Change-log compaction (sync-protocol §5): a record's older changes are dropped once a
newer change of the same record exists and both are older than the horizon, so the log grows
with the records, not with every step ever taken. A device whose cursor lies before the
compacted part is answered `410 cursor_expired` and pulls again from the start; its outbox
and unsent records are untouched.

What is dropped is only ever an older copy of a record whose newer copy stays: pulling from
the start still delivers every record in its latest state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session, aliased

from .db import Database
from .models import Change, ChangeCounter

# The counter row that says up to which change sequence the log has been compacted.
COMPACTED_THROUGH = "compacted_through"


def compacted_through(session: Session) -> int:
    value = session.scalar(
        select(ChangeCounter.value).where(ChangeCounter.name == COMPACTED_THROUGH)
    )
    return int(value or 0)


def compact(db: Database, *, before: datetime) -> tuple[int, int]:
    """Drop superseded changes made before `before`. Returns (changes dropped, the sequence
    number through which cursors are now expired)."""
    with db.unit_of_work() as session:
        horizon = session.scalar(select(func.max(Change.seq)).where(Change.at < before))
        if horizon is None:
            return 0, compacted_through(session)
        newer = aliased(Change)
        superseded = (
            select(Change.seq)
            .where(Change.seq <= horizon)
            .where(
                select(newer.seq)
                .where(
                    and_(
                        newer.record_type == Change.record_type,
                        newer.record_id == Change.record_id,
                        newer.seq > Change.seq,
                        newer.seq <= horizon,
                    )
                )
                .exists()
            )
        )
        seqs = list(session.scalars(superseded))
        for offset in range(0, len(seqs), 900):
            session.execute(delete(Change).where(Change.seq.in_(seqs[offset : offset + 900])))
        through = max(compacted_through(session), int(horizon)) if seqs else None
        if through is not None:
            moved = session.execute(
                update(ChangeCounter)
                .where(ChangeCounter.name == COMPACTED_THROUGH)
                .values(value=through)
            )
            if moved.rowcount == 0:  # type: ignore[attr-defined]
                session.add(ChangeCounter(name=COMPACTED_THROUGH, value=through))
        return len(seqs), through if through is not None else compacted_through(session)
