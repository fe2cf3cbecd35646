"""The timeline of any record: who did what when, with their comment. Events are only ever
added."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.ids import new_id
from mukta_desktop.models import WorkflowEvent

from .estimate_views import HistoryEvent
from .users import Actor


def record_event(
    session: Session,
    record_type: str,
    record_id: str,
    actor: Actor,
    action: str,
    before: str | None,
    after: str,
    comment: str = "",
) -> None:
    session.add(
        WorkflowEvent(
            id=new_id(),
            record_type=record_type,
            record_id=record_id,
            action=action,
            from_status=before,
            to_status=after,
            by_login=actor.login,
            by_name=actor.name,
            comment=comment.strip(),
        )
    )


def history_of(session: Session, record_type: str, record_id: str) -> tuple[HistoryEvent, ...]:
    events = session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.record_type == record_type, WorkflowEvent.record_id == record_id)
        .order_by(WorkflowEvent.at, WorkflowEvent.id)
    )
    return tuple(
        HistoryEvent(e.action, e.by_login, e.by_name, e.at, e.comment, e.from_status, e.to_status)
        for e in events
    )
