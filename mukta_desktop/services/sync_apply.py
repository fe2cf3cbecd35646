"""Records pulled from the server, written into this device's tables (docs/sync-protocol.md
§5): a JE's submitted MB reaches the verifier's desktop, the verifier's decision comes back to
the JE, and the approver's approval freezes the MB on every device.

The server's canonical document of a record is the whole record (`record_documents`,
`measurement_books.mb_document`), so a pulled version replaces the local one. After writing,
the local document is made again and its hash must equal the server's: a record that would
not read back the same is refused (and kept for later) rather than stored differently.

Local work is never overwritten: a record with an operation still waiting in the outbox, or
held in Conflicts, or changed here since this device last saw the server's copy, keeps its
local state; its next push meets the server's version and comes back as a conflict, shown
side by side."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import canonical_json, content_hash
from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import HEAD_LABELS
from mukta_desktop.domain.workflow import (
    ESTIMATE_WORKFLOW,
    MB_WORKFLOW,
    Action,
    Status,
    Workflow,
)
from mukta_desktop.models import (
    Estimate,
    EstimateLine,
    EstimateOverhead,
    MbLine,
    MbPhoto,
    MbRow,
    MeasurementBook,
    MeasurementRowRecord,
    OutboxOperation,
    Project,
    Sor,
    SyncedRecord,
    Tenant,
    User,
    WorkflowEvent,
    WorkOrder,
)
from mukta_desktop.models.base import utcnow

from .estimates import RECORD_TYPE as ESTIMATE_EVENTS
from .measurement_books import RECORD_TYPE as MB_EVENTS
from .measurement_books import mb_document
from .photo_files import PhotoStore, describe_stored
from .record_documents import estimate_document, project_document, work_order_document

PROJECT = "project"
ESTIMATE = "estimate"
WORK_ORDER = "work_order"
MB = "measurement_book"
RECORD_TYPES = (PROJECT, ESTIMATE, WORK_ORDER, MB)
# Outbox states that mean "this device still has something to say about the record".
_UNSETTLED = ("PENDING", "CONFLICT", "LOCKED", "REJECTED")
_log = logging.getLogger(__name__)
_EVENT_IDS = uuid.UUID("5f0d3a52-6a43-4c0e-9a63-3c1b1f1d2b77")


class Outcome(Enum):
    APPLIED = "applied"  # the local tables now hold the server's version
    SAME = "same"  # the local record already is that version (this device's own change)
    KEPT_LOCAL = "kept_local"  # local work waits to be pushed; the server's copy is not taken


class NotYet(DomainError):
    """The change cannot be applied now (a record it names has not arrived, or it clashes
    with a local record); the message says which, in plain words. It is kept and retried."""


def apply_change(
    session: Session,
    *,
    record_type: str,
    record_id: str,
    version: int,
    content_hash_: str,
    payload: Mapping[str, Any],
    action: Mapping[str, Any] | None,
    store: PhotoStore | None,
) -> Outcome:
    """Apply one pulled version of a record, in a savepoint of the caller's unit of work:
    on NotYet nothing of it stays."""
    known = session.scalar(
        select(SyncedRecord.version).where(
            SyncedRecord.record_type == record_type, SyncedRecord.record_id == record_id
        )
    )
    if known is not None and version <= known:
        # An older version than this device has already seen (a page replays the record's
        # history, or this device's own operation was answered before the pull).
        return Outcome.SAME
    local_hash = local_document_hash(session, record_type, record_id)
    if local_hash == content_hash_:
        return Outcome.SAME
    if local_hash is not None and _has_local_work(session, record_type, record_id, local_hash):
        return Outcome.KEPT_LOCAL
    _write(session, record_type, payload, action, store, expected=content_hash_)
    return Outcome.APPLIED


def apply_server_copy(
    session: Session,
    record_type: str,
    payload: Mapping[str, Any],
    *,
    store: PhotoStore | None = None,
) -> None:
    """The engineer chose the server's copy of a record in Conflicts: write it over the
    local one (never over an approved MB: that one is final here too)."""
    _write(session, record_type, payload, None, store, expected=content_hash(dict(payload)))


def local_document_hash(session: Session, record_type: str, record_id: str) -> str | None:
    """The content hash of the local record's canonical document (None: not here)."""
    document = _local_document(session, record_type, record_id)
    return None if document is None else content_hash(document)


def _local_document(session: Session, record_type: str, record_id: str) -> dict[str, Any] | None:
    if record_type == PROJECT:
        project = session.get(Project, record_id)
        return None if project is None else project_document(project)
    if record_type == ESTIMATE:
        estimate = session.get(Estimate, record_id)
        return None if estimate is None else estimate_document(session, estimate)
    if record_type == WORK_ORDER:
        order = session.get(WorkOrder, record_id)
        return None if order is None else work_order_document(session, order)
    if record_type == MB:
        mb = session.get(MeasurementBook, record_id)
        return None if mb is None else mb_document(session, mb)
    raise NotYet(f"This version of MUKTA Desktop does not know records of type '{record_type}'.")


def _has_local_work(session: Session, record_type: str, record_id: str, local_hash: str) -> bool:
    waiting = session.scalar(
        select(OutboxOperation.seq)
        .where(
            OutboxOperation.record_type == record_type,
            OutboxOperation.record_id == record_id,
            OutboxOperation.state.in_(_UNSETTLED),
        )
        .limit(1)
    )
    if waiting is not None:
        return True
    seen = session.scalar(
        select(SyncedRecord.content_hash).where(
            SyncedRecord.record_type == record_type, SyncedRecord.record_id == record_id
        )
    )
    # Changed here since the server's copy was last seen (e.g. an MB sent back and being
    # measured again): the local edits win until they are pushed.
    return seen is not None and seen != local_hash


def _write(
    session: Session,
    record_type: str,
    payload: Mapping[str, Any],
    action: Mapping[str, Any] | None,
    store: PhotoStore | None,
    *,
    expected: str,
) -> None:
    writers: dict[str, Callable[[Session, Mapping[str, Any], PhotoStore | None], str | None]] = {
        PROJECT: _write_project,
        ESTIMATE: _write_estimate,
        WORK_ORDER: _write_work_order,
        MB: _write_mb,
    }
    writer = writers.get(record_type)
    if writer is None:
        raise NotYet(
            f"This version of MUKTA Desktop does not know records of type '{record_type}'."
        )
    savepoint = session.begin_nested()
    try:
        # Explicit flushes only: a half-filled new row must not be flushed by a lookup.
        with session.no_autoflush:
            before = writer(session, payload, store)
        session.flush()
        _record_steps(session, record_type, payload, action, before)
        session.flush()
        again = _local_document(session, record_type, str(payload["id"]))
        if again is None or content_hash(again) != expected:
            _log.warning(
                "pulled %s %s differs after writing: %s",
                record_type,
                payload.get("id"),
                "; ".join(_differences(dict(payload), again or {})),
            )
            raise NotYet(
                f"{_name(payload)} would not read back as the server holds it here; it is "
                "kept aside. Update MUKTA Desktop if this stays."
            )
    except IntegrityError as exc:
        savepoint.rollback()
        raise NotYet(
            f"{_name(payload)} clashes with a record on this device ({exc.orig})."
        ) from exc
    except (DomainError, KeyError, ValueError, TypeError, ArithmeticError) as exc:
        savepoint.rollback()
        if isinstance(exc, NotYet):
            raise
        raise NotYet(f"{_name(payload)} could not be read: {exc}.") from exc
    savepoint.commit()


def _differences(server: Any, local: Any, path: str = "") -> list[str]:
    """Where two documents differ (for the log: what this version failed to keep)."""
    if isinstance(server, dict) and isinstance(local, dict):
        return [
            found
            for key in sorted(set(server) | set(local))
            for found in _differences(server.get(key), local.get(key), f"{path}.{key}")
        ]
    if isinstance(server, list) and isinstance(local, list) and len(server) == len(local):
        return [
            found
            for index, (a, b) in enumerate(zip(server, local, strict=True))
            for found in _differences(a, b, f"{path}[{index}]")
        ]
    plain = json.loads(canonical_json(local)) if local is not None else None
    return [] if server == plain else [f"{path}: server {server!r}, here {plain!r}"]


def _name(payload: Mapping[str, Any]) -> str:
    return str(payload.get("number") or payload.get("id") or "A record")


# --- values ------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def _instant(value: Any) -> datetime | None:
    return None if value in (None, "") else datetime.fromisoformat(str(value))


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _need(found: Any, what: str) -> Any:
    if found is None:
        raise NotYet(f"{what} has not reached this device yet.")
    return found


def _tenant(session: Session, code: str) -> str:
    _need(session.get(Tenant, code), f"The ULB {code}")
    return code


# --- records -----------------------------------------------------------------------------


def _write_project(
    session: Session, payload: Mapping[str, Any], _store: PhotoStore | None
) -> str | None:
    project = session.get(Project, payload["id"])
    before = None if project is None else project.status
    if project is None:
        project = Project(id=payload["id"], created_by=payload["created_by"])
        session.add(project)
    project.number = payload["number"]
    project.tenant_code = _tenant(session, payload["tenant"])
    project.name = payload["name"]
    project.description = payload.get("description") or ""
    project.ward = payload.get("ward") or ""
    project.locality = payload.get("locality") or ""
    project.sanction_date = _date(payload.get("sanction_date"))
    project.status = payload["status"]
    project.created_by = payload["created_by"]
    project.version = (project.version or 0) + 1
    return before


def _write_work_order(
    session: Session, payload: Mapping[str, Any], _store: PhotoStore | None
) -> str | None:
    _need(session.get(Project, payload["project"]["id"]), f"Project {payload['project']['number']}")
    _need(
        session.get(Estimate, payload["estimate"]["id"]),
        f"Estimate {payload['estimate']['number']}",
    )
    order = session.get(WorkOrder, payload["id"])
    before = None if order is None else order.status
    if order is None:
        order = WorkOrder(id=payload["id"])
        session.add(order)
    order.number = payload["number"]
    order.tenant_code = _tenant(session, payload["tenant"])
    order.project_id = payload["project"]["id"]
    order.estimate_id = payload["estimate"]["id"]
    order.organisation = payload["organisation"]
    order.work_order_date = _need(_date(payload["work_order_date"]), "The work order date")
    order.start_date = _need(_date(payload["start_date"]), "The start date")
    order.end_date = _need(_date(payload["end_date"]), "The end date")
    order.period_days = int(payload["period_days"])
    order.status = payload["status"]
    order.status_reason = payload.get("status_reason") or ""
    order.created_by = payload["created_by"]
    order.updated_at = utcnow()
    order.version = (order.version or 0) + 1
    return before


def _write_estimate(
    session: Session, payload: Mapping[str, Any], _store: PhotoStore | None
) -> str | None:
    _need(session.get(Project, payload["project"]["id"]), f"Project {payload['project']['number']}")
    revision_of = payload.get("revision_of")
    if revision_of is not None:
        _need(session.get(Estimate, revision_of["id"]), f"Estimate {revision_of['number']}")
    estimate = session.get(Estimate, payload["id"])
    before = None if estimate is None else estimate.status
    if estimate is None:
        estimate = Estimate(id=payload["id"])
        session.add(estimate)
    estimate.number = payload["number"]
    estimate.project_id = payload["project"]["id"]
    estimate.tenant_code = _tenant(session, payload["tenant"])
    estimate.revision_of_id = None if revision_of is None else revision_of["id"]
    estimate.revision_no = int(payload["revision_no"])
    estimate.estimate_date = _need(_date(payload["estimate_date"]), "The estimate date")
    estimate.description = payload.get("description") or ""
    estimate.status = payload["status"]
    estimate.total = _dec(payload["total"]) or Decimal(0)
    estimate.created_by = payload["created_by"]
    estimate.updated_at = utcnow()
    estimate.version = (estimate.version or 0) + 1
    session.flush()
    _write_estimate_lines(session, estimate.id, payload["lines"])
    session.execute(delete(EstimateOverhead).where(EstimateOverhead.estimate_id == estimate.id))
    for position, overhead in enumerate(payload.get("overheads", ())):
        session.add(
            EstimateOverhead(
                id=new_id(),
                estimate_id=estimate.id,
                position=position,
                code=overhead["code"],
                description=overhead.get("description") or "",
                kind=overhead["kind"],
                percent=_dec(overhead.get("percent")),
                lump_sum=_dec(overhead.get("lump_sum")),
            )
        )
    # The relationships may hold the lines as they were before the statements above.
    session.expire(estimate, ["lines", "overheads"])
    return before


def _write_estimate_lines(
    session: Session, estimate_id: str, lines: list[Mapping[str, Any]]
) -> None:
    """Lines keep their ids (MB lines and revisions name them): updated in place, new ones
    added, ones no longer there removed. Their rows are replaced."""
    present = {line["id"] for line in lines}
    old_ids = list(
        session.scalars(select(EstimateLine.id).where(EstimateLine.estimate_id == estimate_id))
    )
    if old_ids:
        session.execute(
            delete(MeasurementRowRecord).where(MeasurementRowRecord.line_id.in_(old_ids))
        )
    gone = [line_id for line_id in old_ids if line_id not in present]
    if gone:
        session.execute(delete(EstimateLine).where(EstimateLine.id.in_(gone)))
    for obj in list(session.identity_map.values()):
        if (isinstance(obj, MeasurementRowRecord) and obj.line_id in old_ids) or (
            isinstance(obj, EstimateLine) and obj.id in gone
        ):
            session.expunge(obj)
    for raw in lines:
        line = session.get(EstimateLine, raw["id"])
        if line is None:
            line = EstimateLine(id=raw["id"], estimate_id=estimate_id)
            session.add(line)
        elif line.estimate_id != estimate_id:
            raise NotYet(f"An estimate line of {raw['id']} belongs to another estimate here.")
        line.position = int(raw["position"])
        line.category = raw["category"]
        sor_code = raw.get("sor_code")
        # Rate ids are each device's own (the document names the SOR by code, its rate is
        # frozen in the line): a line already here keeps its link while its SOR is the same.
        if line.sor_code != sor_code:
            line.rate_id = None
        line.sor_code = sor_code
        line.sor_id = None if sor_code is None else _sor_id(session, sor_code)
        line.description = raw.get("description") or ""
        line.unit = raw.get("unit") or ""
        line.rate = _dec(raw["rate"]) or Decimal(0)
        line.rate_quantity = _dec(raw["rate_quantity"]) or Decimal(1)
        heads = raw.get("heads")
        for name in HEAD_LABELS:
            setattr(line, name, None if heads is None else _dec(heads.get(name)))
        line.origin_line_id = raw.get("origin_line_id")
        line.used_quantity = _dec(raw.get("used_quantity"))
        line.used_rate = _dec(raw.get("used_rate"))
        line.reason = raw.get("reason") or ""
        session.flush()
        _add_rows(session, MeasurementRowRecord, line.id, raw.get("rows", ()))


def _add_rows(
    session: Session,
    model: type[MeasurementRowRecord] | type[MbRow],
    line_id: str,
    rows: Any,
) -> None:
    """The measurement rows of an estimate line or an MB line, as the document gives them."""
    for position, row in enumerate(rows):
        session.add(
            model(
                id=new_id(),
                line_id=line_id,
                position=position,
                kind=row["kind"],
                name=row.get("name") or "",
                number=_dec(row.get("number")),
                length=_dec(row.get("length")),
                breadth=_dec(row.get("breadth")),
                depth=_dec(row.get("depth")),
            )
        )


def _sor_id(session: Session, code: str) -> str | None:
    return session.scalar(select(Sor.id).where(Sor.code == code).limit(1))


def _write_mb(session: Session, payload: Mapping[str, Any], store: PhotoStore | None) -> str | None:
    order_id = _need(
        session.scalar(select(WorkOrder.id).where(WorkOrder.number == payload["work_order"])),
        f"Work order {payload['work_order']}",
    )
    estimate_id = _need(
        session.scalar(select(Estimate.id).where(Estimate.number == payload["estimate"])),
        f"Estimate {payload['estimate']}",
    )
    mb = session.get(MeasurementBook, payload["id"])
    before = None if mb is None else mb.status
    if mb is not None and mb.status == Status.APPROVED.value:
        raise NotYet(f"{mb.number} is approved on this device and never changes.")
    target = Status(payload["status"])
    with session.no_autoflush:
        if mb is None:
            mb = MeasurementBook(id=payload["id"], created_at=utcnow())
            session.add(mb)
        mb.number = payload["number"]
        mb.tenant_code = _tenant(session, payload["tenant"])
        mb.work_order_id = order_id
        mb.estimate_id = estimate_id
        mb.period_start = _need(_date(payload["period"]["from"]), "The period")
        mb.period_end = _need(_date(payload["period"]["to"]), "The period")
        mb.measurement_date = _need(_date(payload["measurement_date"]), "The measurement date")
        # Contents first, under a status that lets them be written; the final status (and for
        # an approved MB its hash) last, in one UPDATE, as on the device that approved it.
        mb.status = Status.PENDING_APPROVAL.value if target is Status.APPROVED else target.value
        mb.remarks = payload.get("remarks") or ""
        mb.total = _dec(payload["total"]) or Decimal(0)
        mb.cumulative_total = _dec(payload["cumulative_total"]) or Decimal(0)
        mb.created_by = payload["created_by"]
        mb.updated_at = utcnow()
        mb.version = (mb.version or 0) + 1
    session.flush()
    _write_mb_lines(session, mb.id, estimate_id, payload["lines"])
    _write_mb_photos(session, mb.id, payload.get("photos", ()), payload["created_by"], store)
    if target is Status.APPROVED:
        mb.status = target.value
        mb.approved_at = _instant(payload.get("approved_at"))
        mb.approved_by = payload.get("approved_by")
        mb.previous_hash = payload.get("previous_hash")
        mb.content_hash = content_hash(dict(payload))
    else:
        mb.approved_at = _instant(payload.get("approved_at"))
        mb.approved_by = payload.get("approved_by")
        mb.previous_hash = payload.get("previous_hash")
    return before


def _write_mb_lines(
    session: Session, mb_id: str, estimate_id: str, lines: list[Mapping[str, Any]]
) -> None:
    old = list(session.scalars(select(MbLine.id).where(MbLine.mb_id == mb_id)))
    if old:
        session.execute(delete(MbRow).where(MbRow.line_id.in_(old)))
        session.execute(delete(MbLine).where(MbLine.mb_id == mb_id))
    for obj in list(session.identity_map.values()):
        if (isinstance(obj, MbLine) and obj.mb_id == mb_id) or (
            isinstance(obj, MbRow) and obj.line_id in old
        ):
            session.expunge(obj)
    estimate_lines = {
        origin or line_id: line_id
        for line_id, origin in session.execute(
            select(EstimateLine.id, EstimateLine.origin_line_id).where(
                EstimateLine.estimate_id == estimate_id
            )
        )
    }
    for raw in lines:
        item = raw["item"]
        line = MbLine(
            id=new_id(),
            mb_id=mb_id,
            position=int(raw["position"]),
            item_key=item,
            estimate_line_id=_need(estimate_lines.get(item), f"The estimate item {item}"),
            category=raw["category"],
            sor_code=raw.get("sor_code"),
            description=raw.get("description") or "",
            unit=raw.get("unit") or "",
            rate=_dec(raw["rate"]) or Decimal(0),
            rate_quantity=_dec(raw["rate_quantity"]) or Decimal(1),
            estimate_quantity=_dec(raw["estimate_quantity"]) or Decimal(0),
            previous_quantity=_dec(raw["previous_quantity"]) or Decimal(0),
            previous_amount=_dec(raw["previous_amount"]) or Decimal(0),
            quantity=_dec(raw["quantity"]) or Decimal(0),
            amount=_dec(raw["amount"]) or Decimal(0),
            remarks=raw.get("remarks") or "",
        )
        heads = raw.get("heads") or {}
        for name in HEAD_LABELS:
            setattr(line, name, _dec(heads.get(name)))
        session.add(line)
        _add_rows(session, MbRow, line.id, raw.get("rows", ()))


def _write_mb_photos(
    session: Session,
    mb_id: str,
    photos: Any,
    added_by: str,
    store: PhotoStore | None,
) -> None:
    """The MB's photos by hash. A picture already here (fetched before this page was
    applied) gives its size and thumbnail; one still on its way gets them when it comes."""
    session.execute(delete(MbPhoto).where(MbPhoto.mb_id == mb_id))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, MbPhoto) and obj.mb_id == mb_id:
            session.expunge(obj)
    for position, raw in enumerate(photos):
        sha, media_type = raw["sha256"], raw["media_type"]
        width = height = size = 0
        thumbnail = b""
        if store is not None and store.exists(sha, media_type):
            data = store.read(sha, media_type)
            width, height, thumbnail = describe_stored(data)
            size = len(data)
        session.add(
            MbPhoto(
                id=new_id(),
                mb_id=mb_id,
                position=position,
                sha256=sha,
                media_type=media_type,
                width=width,
                height=height,
                stored_bytes=size,
                original_sha256=raw.get("original_sha256") or sha,
                original_name=f"photo-{position + 1}{'.png' if 'png' in media_type else '.jpg'}",
                original_bytes=size,
                taken_at=_instant(raw.get("taken_at")),
                latitude=_dec(raw.get("latitude")),
                longitude=_dec(raw.get("longitude")),
                thumbnail=thumbnail,
                added_by=added_by,
            )
        )


# --- the timeline ------------------------------------------------------------------------


def _record_steps(
    session: Session,
    record_type: str,
    payload: Mapping[str, Any],
    action: Mapping[str, Any] | None,
    before: str | None,
) -> None:
    """The workflow step(s) that made this version, in the local timeline (so the JE sees who
    sent an MB back and why). Event ids come from the record and the step, so a change
    applied twice records its steps once."""
    events = {ESTIMATE: (ESTIMATE_EVENTS, ESTIMATE_WORKFLOW), MB: (MB_EVENTS, MB_WORKFLOW)}
    if action is None or record_type not in events:
        return
    kind, workflow = events[record_type]
    record_id = str(payload["id"])
    after = str(payload["status"])
    if "history" in action:
        status = Status.DRAFTED.value
        for index, step in enumerate(action["history"]):
            target = _target(workflow, status, step, payload)
            _event(session, kind, record_id, f"history/{index}", step, status, target)
            status = target
        return
    _event(session, kind, record_id, f"{after}/{action.get('at')}", action, before, after)


def _target(
    workflow: Workflow, status: str, step: Mapping[str, Any], payload: Mapping[str, Any]
) -> str:
    try:
        return workflow.transition(
            Status(status),
            Action(str(step.get("action"))),
            frozenset(Role),
            is_creator=step.get("by") == payload.get("created_by"),
        ).target.value
    except (DomainError, ValueError):
        return str(payload["status"])


def _event(
    session: Session,
    kind: str,
    record_id: str,
    key: str,
    step: Mapping[str, Any],
    before: str | None,
    after: str,
) -> None:
    event_id = str(uuid.uuid5(_EVENT_IDS, f"{kind}/{record_id}/{key}"))
    if session.get(WorkflowEvent, event_id) is not None:
        return
    login = str(step.get("by") or "")
    name = session.scalar(select(User.name).where(User.login == login)) or login
    session.add(
        WorkflowEvent(
            id=event_id,
            record_type=kind,
            record_id=record_id,
            action=str(step.get("action")),
            from_status=before,
            to_status=after,
            by_login=login,
            by_name=name,
            at=_instant(step.get("at")) or utcnow(),
            comment=str(step.get("comment") or ""),
        )
    )
