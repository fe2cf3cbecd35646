"""Queue records for the server as the services change them (docs/sync-protocol.md §4): the
outbox row is written in the caller's unit of work, beside the change. What goes out:
projects, estimates once submitted, work orders, MBs once submitted, each with the workflow
step that changed it. Drafts stay on the device.

The record services call these lazily (`from .sync_queue import ...` inside the function):
this module reads records through those services, so a top-level import would be circular."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import Estimate, MeasurementBook, Project, WorkflowEvent, WorkOrder
from mukta_desktop.models.base import utcnow
from mukta_desktop.sync import outbox

from .estimates import RECORD_TYPE as ESTIMATE_EVENTS
from .estimates import SAVE_DRAFT
from .measurement_books import RECORD_TYPE as MB_EVENTS
from .measurement_books import mb_document
from .record_documents import estimate_document, project_document, work_order_document
from .users import Actor

PROJECT = "project"
ESTIMATE = "estimate"
WORK_ORDER = "work_order"
MB = "measurement_book"


def step(
    actor: Actor, action: str, comment: str = "", at: datetime | None = None
) -> dict[str, Any]:
    """The workflow step an operation carries (the server checks it against its own copy)."""
    return {"action": action, "by": actor.login, "comment": comment.strip(), "at": at or utcnow()}


def queue_project(
    session: Session, project: Project, action: Mapping[str, Any] | None = None
) -> None:
    outbox.queue_record(session, PROJECT, project.id, project_document(project), action=action)


def queue_estimate(
    session: Session, estimate: Estimate, action: Mapping[str, Any] | None = None
) -> None:
    if Status(estimate.status) is Status.DRAFTED:
        return
    if outbox.enrolment(session) is None:
        return
    # The server needs the project before its first estimate (ordered by seq).
    queue_project(session, session.get_one(Project, estimate.project_id))
    outbox.queue_record(
        session, ESTIMATE, estimate.id, estimate_document(session, estimate), action=action
    )


def queue_work_order(
    session: Session, order: WorkOrder, action: Mapping[str, Any] | None = None
) -> None:
    outbox.queue_record(
        session, WORK_ORDER, order.id, work_order_document(session, order), action=action
    )


def queue_mb(
    session: Session, mb: MeasurementBook, action: Mapping[str, Any] | None = None
) -> None:
    if Status(mb.status) is Status.DRAFTED:
        return
    outbox.queue_record(session, MB, mb.id, mb_document(session, mb), action=action)


def history(session: Session, record_type: str, record_id: str) -> dict[str, Any]:
    """The workflow steps that brought a record to its state, for a server that has never
    seen it: it replays them against the roles of the users who took them."""
    events = session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.record_type == record_type, WorkflowEvent.record_id == record_id)
        .order_by(WorkflowEvent.at, WorkflowEvent.id)
    )
    return {
        "history": [
            {"action": e.action, "by": e.by_login, "comment": e.comment, "at": e.at}
            for e in events
            if e.action != SAVE_DRAFT
        ]
    }


def queue_everything(session: Session) -> int:
    """On enrolment: every record the server must know, oldest first, dependencies before
    the records that name them, each with the steps that brought it to its state. Returns
    how many operations were queued."""
    before = outbox.summary(session).last_seq
    for project in session.scalars(select(Project).order_by(Project.created_at)):
        queue_project(session, project)
    # Originals before their revisions.
    for estimate in session.scalars(
        select(Estimate).order_by(Estimate.revision_no, Estimate.created_at)
    ):
        queue_estimate(session, estimate, history(session, ESTIMATE_EVENTS, estimate.id))
    for order in session.scalars(select(WorkOrder).order_by(WorkOrder.created_at)):
        queue_work_order(session, order)
    for mb in session.scalars(
        select(MeasurementBook).order_by(MeasurementBook.period_start, MeasurementBook.created_at)
    ):
        queue_mb(session, mb, history(session, MB_EVENTS, mb.id))
    return outbox.summary(session).last_seq - before
