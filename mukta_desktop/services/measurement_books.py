"""Measurement Books (DESIGN.md §2 "Measurement Book"): create one for the next period of a
work order, measure its items, attach site photos, take it through the workflow; on approval
hash it and chain it to the previous approved MB of the work order. An approved MB never
changes: the services refuse it here, and triggers refuse it in the database."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.canonical import content_hash, fixed
from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.mb import (
    MAX_PHOTOS,
    MbItem,
    MbTotals,
    Period,
    check_ceilings,
    check_period,
    compute_mb,
    next_period,
)
from mukta_desktop.domain.measurements import (
    MeasurementRow,
    check_row,
    item_quantity,
    row_warning,
)
from mukta_desktop.domain.roles import Role, require
from mukta_desktop.domain.sor import HEAD_LABELS, RateHeads
from mukta_desktop.domain.workflow import EDITABLE, MB_WORKFLOW, Action, Status, waiting_for
from mukta_desktop.models import (
    Estimate,
    EstimateLine,
    MbLine,
    MbPhoto,
    MbRow,
    MeasurementBook,
    Project,
    User,
    WorkOrder,
)
from mukta_desktop.models.base import utcnow

from .database import Database
from .estimate_views import EstimateDraft, ProjectRef
from .estimates import load_draft
from .mb_views import (
    MbDraft,
    MbLineDraft,
    MbLineView,
    MbSummary,
    MbView,
    PhotoView,
    WorkOrderRef,
    WorkOrderStatus,
)
from .measurement_rows import insert_sql, read_rows, row_values
from .numbering import next_number
from .photo_files import PhotoStore, PreparedPhoto, prepare_photo
from .sor_store import tenant_names
from .timeline import history_of, record_event
from .users import Actor
from .words import rupees_in_words
from .work_orders import (
    estimate_in_force,
    find_work_order,
    item_key,
    location_of,
    mb_summaries,
    measured_by_item,
    new_mb_period,
    summary_of,
)

RECORD_TYPE = "MB"
SAVE_DRAFT = "save-draft"
COMMENT_REQUIRED = frozenset({Action.SEND_BACK, Action.SEND_BACK_TO_ORIGINATOR, Action.REJECT})
MAX_ROWS_PER_LINE = 1000
SCHEMA = 1  # of the canonical JSON that is hashed on approval

_LINES = cast(Table, MbLine.__table__)
_ROWS = cast(Table, MbRow.__table__)
_INSERT_ROWS = insert_sql(_ROWS)


def photo_store(db: Database) -> PhotoStore:
    """Site photos live beside the database, named by their SHA-256."""
    return PhotoStore(db.path.parent / "photos")


# --- finding -------------------------------------------------------------------------------


def find_mb(session: Session, number: str, actor: Actor | None = None) -> MeasurementBook:
    mb = session.scalar(select(MeasurementBook).where(MeasurementBook.number == number.strip()))
    if mb is None or (actor is not None and mb.tenant_code != actor.tenant):
        raise NotFound(f"No MB with number '{number.strip()}' in your ULB.")
    return mb


# --- items ---

_APPROVED_DRAFTS: OrderedDict[tuple[str, int], EstimateDraft] = OrderedDict()
_APPROVED_LOCK = threading.Lock()


def approved_draft(session: Session, estimate: Estimate) -> EstimateDraft:
    """The lines of an approved estimate, kept for the next save: an approved estimate never
    changes, and autosave would otherwise read thousands of its rows every few seconds."""
    if estimate.status != Status.APPROVED.value:
        return load_draft(session, estimate)
    key = (estimate.id, estimate.version)
    with _APPROVED_LOCK:
        if key in _APPROVED_DRAFTS:
            _APPROVED_DRAFTS.move_to_end(key)
            return _APPROVED_DRAFTS[key]
    draft = load_draft(session, estimate)
    with _APPROVED_LOCK:
        _APPROVED_DRAFTS[key] = draft
        while len(_APPROVED_DRAFTS) > 8:
            _APPROVED_DRAFTS.popitem(last=False)
    return draft


@dataclass(frozen=True, slots=True)
class _Item:
    item: MbItem
    estimate_line_id: str
    estimate_rows: tuple[MeasurementRow, ...]
    remarks: str
    stored: tuple[Decimal, Decimal] | None = None  # quantity and amount as recorded


def _heads_of(line: MbLine | EstimateLine) -> RateHeads | None:
    if line.material is None:
        return None
    return RateHeads(**{name: getattr(line, name) or Decimal(0) for name in HEAD_LABELS})


def _live_items(
    session: Session,
    order: WorkOrder,
    period_start: date,
    estimate: EstimateDraft,
    lines: Sequence[MbLineDraft],
) -> list[_Item]:
    """Every item of the work order as the estimate in force has it now, with this MB's rows
    (`lines`, by item key) and what approved MBs before `period_start` measured."""
    keys = [item_key(line.id, line.origin_line_id) for line in estimate.lines]
    if len(set(keys)) != len(keys):
        raise ValidationError(
            f"The estimate in force of {order.number} holds one item on two lines; it cannot be "
            "measured until a revision corrects it.",
            field="lines",
        )
    given: dict[str, MbLineDraft] = {}
    for draft in lines:
        if draft.key in given:
            raise ValidationError("The same item is measured twice in this MB.", field="lines")
        given[draft.key] = draft
    known = set(keys)
    # An item a revision has since removed: rows nobody typed are dropped; typed ones are
    # refused, so nothing measured disappears silently.
    measured_gone = [
        draft
        for key, draft in given.items()
        if key not in known and any(_typed(row) for row in draft.rows)
    ]
    if measured_gone:
        raise ValidationError(
            f"{len(measured_gone)} measured item(s) are no longer in the estimate in force of "
            f"{order.number}: delete their rows (the revision removed those items).",
            field="lines",
        )
    previous = measured_by_item(session, [order.id], before=period_start)
    items = []
    for key, line in zip(keys, estimate.lines, strict=True):
        assert line.id is not None
        measured = given.get(key, MbLineDraft(key))
        quantity, amount = previous.get(key, (Decimal(0), Decimal(0)))
        items.append(
            _Item(
                MbItem(
                    key=key,
                    category=line.category,
                    description=line.description,
                    unit=line.unit,
                    rate=line.rate,
                    rate_quantity=line.rate_quantity,
                    estimate_quantity=item_quantity(line.rows),
                    previous_quantity=quantity,
                    previous_amount=amount,
                    rows=measured.rows,
                    sor_code=line.sor_code if line.category is LineCategory.SOR else None,
                    heads=line.heads,
                ),
                line.id,
                line.rows,
                measured.remarks.strip(),
            )
        )
    return items


def _typed(row: MeasurementRow) -> bool:
    return any(f is not None for f in row.factors())


def _stored_rows(session: Session, line_ids: Sequence[str]) -> dict[str, list[MeasurementRow]]:
    return read_rows(session, _ROWS, line_ids)


def _stored_lines(session: Session, mb: MeasurementBook) -> list[MbLine]:
    return list(
        session.scalars(select(MbLine).where(MbLine.mb_id == mb.id).order_by(MbLine.position))
    )


def _stored_items(
    session: Session, mb: MeasurementBook, *, with_estimate_rows: bool = True
) -> list[_Item]:
    """The items as this MB recorded them (what an MB in workflow or approved shows);
    `with_estimate_rows`: also the estimate's rows each line started from (the editor's)."""
    lines = _stored_lines(session, mb)
    rows = _stored_rows(session, [line.id for line in lines])
    estimate_rows: dict[str | None, tuple[MeasurementRow, ...]] = {}
    if with_estimate_rows:
        estimate = approved_draft(session, session.get_one(Estimate, mb.estimate_id))
        estimate_rows = {line.id: line.rows for line in estimate.lines}
    return [
        _Item(
            MbItem(
                key=line.item_key,
                category=LineCategory(line.category),
                description=line.description,
                unit=line.unit,
                rate=line.rate,
                rate_quantity=line.rate_quantity,
                estimate_quantity=line.estimate_quantity,
                previous_quantity=line.previous_quantity,
                previous_amount=line.previous_amount,
                rows=tuple(rows[line.id]),
                sor_code=line.sor_code,
                heads=_heads_of(line),
            ),
            line.estimate_line_id,
            estimate_rows.get(line.estimate_line_id, ()),
            line.remarks,
            (line.quantity, line.amount),
        )
        for line in lines
    ]


def stored_mb_items(session: Session, mb: MeasurementBook) -> list[MbItem]:
    """The items of an MB as it recorded them."""
    return [entry.item for entry in _stored_items(session, mb, with_estimate_rows=False)]


def _drafts_of(items: Sequence[_Item]) -> list[MbLineDraft]:
    return [MbLineDraft(i.item.key, i.item.rows, i.remarks) for i in items]


# --- checks --------------------------------------------------------------------------------


def _check_rows(items: Sequence[_Item], *, complete: bool) -> None:
    """Refuse rows no draft may hold; `complete` (submit, a file from the command line) also
    refuses blank rows and an MB that measures nothing, and applies the ceiling."""
    for position, entry in enumerate(items, start=1):
        if len(entry.item.rows) > MAX_ROWS_PER_LINE:
            raise ValidationError(
                f"Line {position}: at most {MAX_ROWS_PER_LINE} measurement rows.", field="rows"
            )
        for number, row in enumerate(entry.item.rows, start=1):
            if not complete and all(f is None for f in row.factors()):
                continue
            check_row(row, where=f"Line {position} ({entry.item.label}), row {number}")
    if not complete:
        return
    if not any(entry.item.rows for entry in items):
        raise ValidationError(
            "Nothing is measured in this MB: add the measurement rows of at least one item.",
            field="lines",
        )
    totals = compute_mb([entry.item for entry in items])
    check_ceilings([entry.item for entry in items], totals.items)


def _warnings(items: Sequence[_Item], totals: MbTotals) -> tuple[str, ...]:
    warnings: list[str] = []
    for position, entry in enumerate(items, start=1):
        for number, row in enumerate(entry.item.rows, start=1):
            warning = row_warning(row, where=f"Line {position}, row {number}")
            if warning:
                warnings.append(warning)
    try:
        check_ceilings([entry.item for entry in items], totals.items)
    except ValidationError as error:
        warnings.append(error.message)
    return tuple(warnings)


def _stored_figures_differ(
    mb: MeasurementBook, items: Sequence[_Item], totals: MbTotals
) -> tuple[str, ...]:
    """An MB past drafting shows what it recorded; say so if today's arithmetic disagrees
    (a rule changed since, or the record was changed behind the app's back)."""
    differ = [
        f"Line {position}: recorded {entry.stored[0]} / {entry.stored[1]}, recomputed "
        f"{figures.quantity} / {figures.amount}."
        for position, (entry, figures) in enumerate(zip(items, totals.items, strict=True), 1)
        if entry.stored is not None
        and (entry.stored[0] != figures.quantity or entry.stored[1] != figures.amount)
    ]
    if mb.total != totals.total:
        differ.append(f"Total: recorded {mb.total}, recomputed {totals.total}.")
    if differ:
        return (f"{mb.number}: the recorded figures differ from a recomputation.", *differ)
    return ()


def _require_editable(mb: MeasurementBook, actor: Actor) -> None:
    status = Status(mb.status)
    if status is Status.APPROVED:
        raise ValidationError(f"{mb.number} is approved; an approved MB never changes.")
    if not MB_WORKFLOW.can_edit(status, actor.roles, is_creator=mb.created_by == actor.login):
        if status not in EDITABLE:
            raise ValidationError(
                f"{mb.number} is {status.label}; an MB changes only while Drafted or Pending "
                "correction."
            )
        raise PermissionDenied(f"Only {mb.created_by}, who made {mb.number}, may change it.")


def _check_period(
    session: Session, order: WorkOrder, period: Period, proposed: Period, mb_id: str | None
) -> None:
    longest = next_period(period.start, order.end_date, None, days=order.period_days).end
    if period.end > longest:
        raise ValidationError(
            f"An MB of {order.number} covers at most {order.period_days} days: from "
            f"{period.start:%d/%m/%Y} to {longest:%d/%m/%Y} at the latest.",
            field="period",
        )
    if period.start != proposed.start:
        raise ValidationError(
            f"The next MB of {order.number} starts on {proposed.start:%d/%m/%Y} (periods follow "
            f"one another without gaps), not {period.start:%d/%m/%Y}.",
            field="period",
        )
    if period.end > order.end_date:
        raise ValidationError(
            f"The period may not run past the work order's end ({order.end_date:%d/%m/%Y}).",
            field="period",
        )
    others = [
        (b.number, Period(b.period_start, b.period_end))
        for b in session.scalars(
            select(MeasurementBook).where(
                MeasurementBook.work_order_id == order.id,
                MeasurementBook.status != Status.REJECTED.value,
            )
        )
        if b.id != mb_id
    ]
    check_period(period, others)


def _check_measurement_date(period: Period, measured_on: date, today: date) -> None:
    if measured_on < period.start:
        raise ValidationError(
            f"The date of measurement {measured_on:%d/%m/%Y} is before the period starts "
            f"({period.start:%d/%m/%Y}).",
            field="measurement_date",
        )
    if measured_on > today:
        raise ValidationError(
            f"The date of measurement {measured_on:%d/%m/%Y} lies in the future.",
            field="measurement_date",
        )


def default_measurement_date(period: Period, today: date) -> date:
    """The period's last day once it has passed; today while it runs."""
    return max(period.start, min(period.end, today))


# --- writing -------------------------------------------------------------------------------


_LINE_COLUMNS = tuple(c.name for c in _LINES.columns if c.name not in ("id", "mb_id"))


def _write_items(session: Session, mb: MeasurementBook, items: Sequence[_Item]) -> MbTotals:
    """Store the lines and rows of an editable MB. Autosave sends the whole MB every few
    seconds, usually with one row changed: only lines that differ from what is stored are
    replaced (bulk statements; an MB may hold thousands of rows)."""
    totals = compute_mb([entry.item for entry in items])
    wanted: list[tuple[dict[str, Any], tuple[MeasurementRow, ...]]] = []
    for position, (entry, figures) in enumerate(zip(items, totals.items, strict=True)):
        item = entry.item
        heads = item.heads.as_dict() if item.heads is not None else dict.fromkeys(HEAD_LABELS)
        values: dict[str, Any] = {
            "position": position,
            "item_key": item.key,
            "estimate_line_id": entry.estimate_line_id,
            "category": item.category.value,
            "sor_code": item.sor_code,
            "description": item.description,
            "unit": item.unit,
            "rate": item.rate,
            "rate_quantity": item.rate_quantity,
            **heads,
            "estimate_quantity": item.estimate_quantity,
            "previous_quantity": item.previous_quantity,
            "previous_amount": item.previous_amount,
            "quantity": figures.quantity,
            "amount": figures.amount,
            "remarks": entry.remarks,
        }
        wanted.append((values, item.rows))
    stored = {
        row.position: row
        for row in session.execute(
            select(_LINES.c.id, *(_LINES.c[name] for name in _LINE_COLUMNS)).where(
                _LINES.c.mb_id == mb.id
            )
        )
    }
    stored_rows = _stored_rows(session, [row.id for row in stored.values()])
    stale: list[str] = []
    line_rows: list[dict[str, Any]] = []
    parameters: list[tuple[object, ...]] = []
    for position, (values, rows) in enumerate(wanted):
        old = stored.pop(position, None)
        if (
            old is not None
            and all(getattr(old, name) == values[name] for name in _LINE_COLUMNS)
            and tuple(stored_rows[old.id]) == rows
        ):
            continue
        if old is not None:
            stale.append(old.id)
        line_id = new_id()
        line_rows.append({"id": line_id, "mb_id": mb.id, **values})
        parameters.extend(row_values(line_id, rows))
    stale.extend(row.id for row in stored.values())  # lines beyond the new last one
    for offset in range(0, len(stale), 900):
        chunk = stale[offset : offset + 900]
        session.execute(delete(_ROWS).where(_ROWS.c.line_id.in_(chunk)))
        session.execute(delete(_LINES).where(_LINES.c.id.in_(chunk)))
    # Statements on the tables bypass the session: drop what it may hold of the old lines.
    gone = set(stale)
    for obj in list(session.identity_map.values()):
        if (isinstance(obj, MbLine) and obj.id in gone) or (
            isinstance(obj, MbRow) and obj.line_id in gone
        ):
            session.expunge(obj)
    if line_rows:
        session.execute(insert(_LINES), line_rows)
    if parameters:
        session.connection().exec_driver_sql(_INSERT_ROWS, parameters)
    mb.total = totals.total
    mb.cumulative_total = totals.cumulative_total
    mb.updated_at = utcnow()
    return totals


def _measure(
    session: Session,
    mb: MeasurementBook,
    order: WorkOrder,
    lines: Sequence[MbLineDraft],
    *,
    complete: bool,
) -> tuple[list[_Item], MbTotals]:
    """Store `lines` as this MB's measurements against the estimate in force now; returns
    the items and figures as stored."""
    in_force = estimate_in_force(session, order)
    items = _live_items(session, order, mb.period_start, approved_draft(session, in_force), lines)
    _check_rows(items, complete=complete)
    mb.estimate_id = in_force.id
    return items, _write_items(session, mb, items)


# --- use cases -----------------------------------------------------------------------------


def create_mb(
    db: Database,
    actor: Actor,
    work_order_number: str,
    *,
    today: date,
    period: Period | None = None,
    measurement_date: date | None = None,
    lines: Sequence[MbLineDraft] = (),
    remarks: str = "",
    complete: bool = False,
) -> MbView:
    """Save draft: a new MB (MB/<year>/<n>) for the next period of a work order.
    `complete=True` (a file from the command line) applies the submit checks now."""
    with db.unit_of_work() as session:
        mb = create_mb_in(
            session,
            actor,
            work_order_number,
            today=today,
            period=period,
            measurement_date=measurement_date,
            lines=lines,
            remarks=remarks,
            complete=complete,
        )
        return mb_view(session, mb, actor, store=photo_store(db))


def create_mb_in(
    session: Session,
    actor: Actor,
    work_order_number: str,
    *,
    today: date,
    period: Period | None = None,
    measurement_date: date | None = None,
    lines: Sequence[MbLineDraft] = (),
    remarks: str = "",
    complete: bool = False,
) -> MeasurementBook:
    require(actor.has(Role.MB_CREATOR), "create MBs", "MB_CREATOR")
    order = find_work_order(session, work_order_number, actor)
    proposed, refusal = new_mb_period(session, order)
    if proposed is None:
        raise ValidationError(refusal, field="period")
    period = period or proposed
    _check_period(session, order, period, proposed, None)
    measured_on = measurement_date or default_measurement_date(period, today)
    _check_measurement_date(period, measured_on, today)
    mb = MeasurementBook(
        id=new_id(),
        number=next_number(session, "MB", order.tenant_code, today),
        tenant_code=order.tenant_code,
        work_order_id=order.id,
        estimate_id=order.estimate_id,
        period_start=period.start,
        period_end=period.end,
        measurement_date=measured_on,
        status=Status.DRAFTED.value,
        remarks=remarks.strip(),
        created_by=actor.login,
        version=1,
    )
    session.add(mb)
    session.flush()
    _measure(session, mb, order, lines, complete=complete)
    record_event(session, RECORD_TYPE, mb.id, actor, SAVE_DRAFT, None, mb.status)
    session.flush()
    return mb


def save_mb(
    db: Database,
    actor: Actor,
    number: str,
    draft: MbDraft,
    *,
    today: date,
    version: int | None = None,
) -> MbView:
    """Save draft: this MB's measurements, period end, date of measurement and remarks.
    `version`: the version the editor loaded (refused if the MB changed since)."""
    with db.unit_of_work() as session:
        mb = find_mb(session, number, actor)
        _require_editable(mb, actor)
        _check_version(mb, version)
        order = session.get_one(WorkOrder, mb.work_order_id)
        if draft.period != Period(mb.period_start, mb.period_end):
            _check_period(
                session, order, draft.period, Period(mb.period_start, mb.period_start), mb.id
            )
        _check_measurement_date(draft.period, draft.measurement_date, today)
        mb.period_start, mb.period_end = draft.period.start, draft.period.end
        mb.measurement_date = draft.measurement_date
        mb.remarks = draft.remarks.strip()
        written = _measure(session, mb, order, draft.lines, complete=False)
        mb.version += 1
        session.flush()
        return mb_view(session, mb, actor, store=photo_store(db), written=written)


def _check_version(mb: MeasurementBook, version: int | None) -> None:
    """Refuse to act on figures the user has not seen (`version`: the one shown to them)."""
    if version is not None and version != mb.version:
        raise ValidationError(
            f"{mb.number} changed since it was opened (version {mb.version}, not {version}); "
            "open it again to see what changed."
        )


def act_mb(
    db: Database,
    actor: Actor,
    number: str,
    action: Action,
    *,
    comment: str = "",
    version: int | None = None,
) -> MbView:
    """Take a workflow action on an MB (DESIGN.md §2): roles, comments and rules checked.
    `version`: the version the user looked at (refused if the MB changed since)."""
    with db.unit_of_work() as session:
        mb = find_mb(session, number, actor)
        _check_version(mb, version)
        act_in(session, actor, mb, action, comment=comment, store=photo_store(db))
        return mb_view(session, mb, actor, store=photo_store(db))


def act_in(
    session: Session,
    actor: Actor,
    mb: MeasurementBook,
    action: Action,
    *,
    comment: str = "",
    store: PhotoStore | None = None,
) -> None:
    if mb.tenant_code != actor.tenant:
        raise NotFound(f"No MB with number '{mb.number}' in your ULB.")
    before = Status(mb.status)
    transition = MB_WORKFLOW.transition(
        before, action, actor.roles, is_creator=mb.created_by == actor.login
    )
    if action in COMMENT_REQUIRED and not comment.strip():
        raise ValidationError(
            f"'{action.label}' needs a comment saying why, for the creator and the record.",
            field="comment",
        )
    order = session.get_one(WorkOrder, mb.work_order_id)
    if action in (Action.SUBMIT, Action.RESUBMIT):
        # Measured again against the estimate in force now, with the checks of a whole MB.
        _measure(session, mb, order, _drafts_of(_stored_items(session, mb)), complete=True)
    if action is Action.APPROVE:
        _check_approvable(session, mb, order, store)
    mb.status = transition.target.value
    mb.version += 1
    mb.updated_at = utcnow()
    if transition.target is Status.APPROVED:
        # One UPDATE sets the status and the hash: once the row says APPROVED the database
        # refuses any further change to it, the hash included.
        with session.no_autoflush:
            mb.approved_at = utcnow()
            mb.approved_by = actor.login
            previous = _previous_approved(session, mb)
            mb.previous_hash = None if previous is None else previous.content_hash
            mb.content_hash = content_hash(mb_document(session, mb))
    record_event(session, RECORD_TYPE, mb.id, actor, action.value, before.value, mb.status, comment)
    session.flush()
    from .sync_queue import queue_mb, step  # circular at module level

    queue_mb(session, mb, step(actor, action.value, comment))


def _check_approvable(
    session: Session, mb: MeasurementBook, order: WorkOrder, store: PhotoStore | None
) -> None:
    in_force = estimate_in_force(session, order)
    if in_force.id != mb.estimate_id:
        measured_against = session.get_one(Estimate, mb.estimate_id).number
        raise ValidationError(
            f"{mb.number} was measured against {measured_against}, but {in_force.number} is in "
            "force now; send it back to the originator to measure it again."
        )
    items = _stored_items(session, mb)
    live = _live_items(
        session, order, mb.period_start, approved_draft(session, in_force), _drafts_of(items)
    )
    _check_rows(live, complete=True)
    if store is not None:
        for photo in _photos(session, mb):
            if not store.exists(photo.sha256, photo.media_type):
                raise ValidationError(
                    f"The photo {photo.original_name} of {mb.number} has not reached this "
                    "device yet; an MB is approved only with all its photos."
                )


def _previous_approved(session: Session, mb: MeasurementBook) -> MeasurementBook | None:
    return session.scalar(
        select(MeasurementBook)
        .where(
            MeasurementBook.work_order_id == mb.work_order_id,
            MeasurementBook.status == Status.APPROVED.value,
            MeasurementBook.period_start < mb.period_start,
            MeasurementBook.id != mb.id,
        )
        .order_by(MeasurementBook.period_start.desc())
        .limit(1)
    )


def discard_mb(db: Database, actor: Actor, number: str) -> None:
    """Discard a draft MB its creator never submitted (its number is not reused; the
    timeline keeps the discard)."""
    with db.unit_of_work() as session:
        mb = find_mb(session, number, actor)
        _require_editable(mb, actor)
        if Status(mb.status) is not Status.DRAFTED:
            raise ValidationError(
                f"{mb.number} has been submitted; it can be rejected, not discarded."
            )
        line_ids = list(session.scalars(select(MbLine.id).where(MbLine.mb_id == mb.id)))
        for offset in range(0, len(line_ids), 900):
            session.execute(
                delete(_ROWS).where(_ROWS.c.line_id.in_(line_ids[offset : offset + 900]))
            )
        session.execute(delete(_LINES).where(_LINES.c.mb_id == mb.id))
        session.execute(delete(MbPhoto).where(MbPhoto.mb_id == mb.id))
        record_event(session, RECORD_TYPE, mb.id, actor, "discard", mb.status, "DISCARDED")
        session.delete(mb)


# --- the canonical document ----------------------------------------------------------------


def _photos(session: Session, mb: MeasurementBook) -> list[MbPhoto]:
    return list(
        session.scalars(select(MbPhoto).where(MbPhoto.mb_id == mb.id).order_by(MbPhoto.position))
    )


def mb_document(session: Session, mb: MeasurementBook) -> dict[str, Any]:
    """The canonical content of an MB, read from the database as it stands: what the content
    hash covers (the photos by their hashes)."""
    lines = _stored_lines(session, mb)
    return document_of(
        mb,
        work_order=session.get_one(WorkOrder, mb.work_order_id).number,
        estimate=session.get_one(Estimate, mb.estimate_id).number,
        lines=lines,
        rows=_stored_rows(session, [line.id for line in lines]),
        photos=_photos(session, mb),
    )


def document_of(
    mb: MeasurementBook,
    *,
    work_order: str,
    estimate: str,
    lines: Sequence[MbLine],
    rows: dict[str, list[MeasurementRow]],
    photos: Sequence[MbPhoto],
) -> dict[str, Any]:
    """`mb_document` from rows already read (verify reads many MBs at once)."""
    return {
        "type": "measurement_book",
        "schema": SCHEMA,
        "id": mb.id,
        "number": mb.number,
        "tenant": mb.tenant_code,
        "work_order": work_order,
        "estimate": estimate,
        "period": {"from": mb.period_start, "to": mb.period_end},
        "measurement_date": mb.measurement_date,
        "status": mb.status,
        "remarks": mb.remarks,
        "created_by": mb.created_by,
        "approved_at": mb.approved_at,
        "approved_by": mb.approved_by,
        "previous_hash": mb.previous_hash,
        "total": fixed(mb.total, 2),
        "cumulative_total": fixed(mb.cumulative_total, 2),
        "lines": [
            {
                "position": line.position,
                "item": line.item_key,
                "category": line.category,
                "sor_code": line.sor_code,
                "description": line.description,
                "unit": line.unit,
                "rate": fixed(line.rate, 2),
                "rate_quantity": fixed(line.rate_quantity, 4),
                "heads": {name: fixed(getattr(line, name), 2) for name in HEAD_LABELS},
                "estimate_quantity": fixed(line.estimate_quantity, 4),
                "previous_quantity": fixed(line.previous_quantity, 4),
                "previous_amount": fixed(line.previous_amount, 2),
                "quantity": fixed(line.quantity, 4),
                "amount": fixed(line.amount, 2),
                "remarks": line.remarks,
                "rows": [
                    {
                        "kind": row.kind.value,
                        "name": row.name,
                        "number": fixed(row.number, 4),
                        "length": fixed(row.length, 4),
                        "breadth": fixed(row.breadth, 4),
                        "depth": fixed(row.depth, 4),
                    }
                    for row in rows.get(line.id, ())
                ],
            }
            for line in lines
        ],
        "photos": [
            {
                "sha256": photo.sha256,
                "media_type": photo.media_type,
                "original_sha256": photo.original_sha256,
                "taken_at": photo.taken_at,
                "latitude": fixed(photo.latitude, 6),
                "longitude": fixed(photo.longitude, 6),
            }
            for photo in photos
        ],
    }


# --- views ---------------------------------------------------------------------------------


def _photo_view(photo: MbPhoto, store: PhotoStore | None) -> PhotoView:
    path = store.path_for(photo.sha256, photo.media_type) if store is not None else Path()
    return PhotoView(
        id=photo.id,
        position=photo.position,
        sha256=photo.sha256,
        media_type=photo.media_type,
        width=photo.width,
        height=photo.height,
        stored_bytes=photo.stored_bytes,
        original_sha256=photo.original_sha256,
        original_name=photo.original_name,
        original_bytes=photo.original_bytes,
        taken_at=photo.taken_at,
        latitude=photo.latitude,
        longitude=photo.longitude,
        thumbnail=photo.thumbnail,
        path=path,
        added_by=photo.added_by,
        added_at=photo.added_at,
    )


def mb_view(
    session: Session,
    mb: MeasurementBook,
    viewer: Actor | None,
    *,
    store: PhotoStore | None = None,
    written: tuple[list[_Item], MbTotals] | None = None,
) -> MbView:
    """Every figure of an MB; `written`: its items and figures as just stored (a save skips
    reading back and computing again what it wrote)."""
    order = session.get_one(WorkOrder, mb.work_order_id)
    project = session.get_one(Project, order.project_id)
    if written is None:
        items = _stored_items(session, mb)
        totals = compute_mb([entry.item for entry in items])
    else:
        items, totals = written
    status = Status(mb.status)
    allowed: tuple[Action, ...] = ()
    editable = False
    if viewer is not None and viewer.tenant == mb.tenant_code:
        is_creator = viewer.login == mb.created_by
        allowed = tuple(
            t.action for t in MB_WORKFLOW.allowed(status, viewer.roles, is_creator=is_creator)
        )
        editable = MB_WORKFLOW.can_edit(status, viewer.roles, is_creator=is_creator)
    warnings: tuple[str, ...] = ()
    if status not in EDITABLE:
        warnings = _stored_figures_differ(mb, items, totals)
    if status in EDITABLE:
        warnings = _warnings(items, totals)
        in_force = estimate_in_force(session, order)
        if in_force.id != mb.estimate_id:
            warnings += (f"{in_force.number} is in force now; saving measures this MB against it.",)
    previous = _previous_approved(session, mb)
    creator = session.scalar(select(User.name).where(User.login == mb.created_by))
    return MbView(
        id=mb.id,
        number=mb.number,
        tenant=mb.tenant_code,
        tenant_name=tenant_names(session).get(mb.tenant_code, mb.tenant_code),
        work_order=WorkOrderRef(
            order.id,
            order.number,
            order.organisation,
            order.work_order_date,
            order.start_date,
            order.end_date,
            WorkOrderStatus(order.status),
        ),
        project=ProjectRef(project.id, project.number, project.name),
        location=location_of(project),
        estimate_number=session.get_one(Estimate, mb.estimate_id).number,
        status=status,
        period=Period(mb.period_start, mb.period_end),
        measurement_date=mb.measurement_date,
        remarks=mb.remarks,
        created_by=mb.created_by,
        created_by_name=creator or mb.created_by,
        created_at=mb.created_at,
        version=mb.version,
        lines=tuple(
            MbLineView(position, entry.item, figures, entry.estimate_rows, entry.remarks)
            for position, (entry, figures) in enumerate(zip(items, totals.items, strict=True), 1)
        ),
        photos=tuple(_photo_view(photo, store) for photo in _photos(session, mb)),
        totals=totals,
        total_in_words=rupees_in_words(totals.total),
        previous_mb=None if previous is None else previous.number,
        approved_at=mb.approved_at,
        content_hash=mb.content_hash,
        previous_hash=mb.previous_hash,
        history=history_of(session, RECORD_TYPE, mb.id),
        mb_history=tuple(mb_summaries(session, [order])),
        allowed_actions=allowed,
        editable=editable,
        warnings=warnings,
    )


def get_mb(db: Database, number: str, *, viewer: Actor | None = None) -> MbView:
    with db.read() as session:
        return mb_view(session, find_mb(session, number, viewer), viewer, store=photo_store(db))


def search_mbs(
    db: Database,
    *,
    tenant: str | None,
    work_order: str | None = None,
    ward: str = "",
    project_name: str = "",
    number: str = "",
    statuses: Sequence[Status] = (),
    created_from: date | None = None,
    created_to: date | None = None,
) -> list[MbSummary]:
    """MBs of a ULB (`tenant=None`: every ULB here, for the read-only command line), newest
    first. Text filters match anywhere, ignoring case; dates are India calendar dates."""
    from mukta_desktop.domain.dates import INDIA

    with db.read() as session:
        stmt = (
            select(MeasurementBook, WorkOrder, Project)
            .join(WorkOrder, WorkOrder.id == MeasurementBook.work_order_id)
            .join(Project, Project.id == WorkOrder.project_id)
        )
        conditions: list[ColumnElement[bool]] = []
        if tenant is not None:
            conditions.append(MeasurementBook.tenant_code == tenant)
        if work_order:
            conditions.append(WorkOrder.number == work_order.strip())
        if ward.strip():
            conditions.append(func.lower(Project.ward).contains(ward.strip().lower()))
        if project_name.strip():
            conditions.append(func.lower(Project.name).contains(project_name.strip().lower()))
        if number.strip():
            conditions.append(func.lower(MeasurementBook.number).contains(number.strip().lower()))
        if statuses:
            conditions.append(MeasurementBook.status.in_([s.value for s in statuses]))
        if created_from is not None:
            start = datetime.combine(created_from, datetime.min.time(), INDIA)
            conditions.append(MeasurementBook.created_at >= start)
        if created_to is not None:
            end = datetime.combine(created_to, datetime.max.time(), INDIA)
            conditions.append(MeasurementBook.created_at <= end)
        if conditions:
            stmt = stmt.where(*conditions)
        stmt = stmt.order_by(MeasurementBook.created_at.desc(), MeasurementBook.number.desc())
        return [summary_of(mb, order, project) for mb, order, project in session.execute(stmt)]


def mb_inbox(db: Database, actor: Actor) -> list[MbSummary]:
    """MBs waiting for the actor's roles in their ULB, and the actor's own editable ones."""
    waiting = waiting_for(MB_WORKFLOW)
    statuses = [s.value for s, roles in waiting.items() if roles & actor.roles]
    with db.read() as session:
        conditions: list[ColumnElement[bool]] = []
        if statuses:
            conditions.append(MeasurementBook.status.in_(statuses))
        if actor.has(Role.MB_CREATOR):
            conditions.append(
                (MeasurementBook.created_by == actor.login)
                & MeasurementBook.status.in_([s.value for s in EDITABLE])
            )
        if not conditions:
            return []
        stmt = (
            select(MeasurementBook, WorkOrder, Project)
            .join(WorkOrder, WorkOrder.id == MeasurementBook.work_order_id)
            .join(Project, Project.id == WorkOrder.project_id)
            .where(MeasurementBook.tenant_code == actor.tenant, or_(*conditions))
            .order_by(MeasurementBook.updated_at.desc())
        )
        return [summary_of(mb, order, project) for mb, order, project in session.execute(stmt)]


# --- photos --------------------------------------------------------------------------------


def _check_photo_slot(session: Session, mb: MeasurementBook, actor: Actor) -> None:
    _require_editable(mb, actor)
    count = (
        session.scalar(select(func.count()).select_from(MbPhoto).where(MbPhoto.mb_id == mb.id)) or 0
    )
    if count >= MAX_PHOTOS:
        raise ValidationError(
            f"{mb.number} has {count} photos already; an MB takes at most {MAX_PHOTOS}. "
            "Remove one first.",
            field="photo",
        )


def add_photo(db: Database, actor: Actor, number: str, source: Path) -> PhotoView:
    """Attach a site photo: checked, turned upright, downscaled, hashed and stored by hash
    (the slow part runs before the database is locked)."""
    with db.read() as session:
        _check_photo_slot(session, find_mb(session, number, actor), actor)
    prepared = prepare_photo(source)
    return attach_prepared(db, actor, number, prepared)


def attach_prepared(db: Database, actor: Actor, number: str, prepared: PreparedPhoto) -> PhotoView:
    store = photo_store(db)
    store.put(prepared.data, prepared.media_type)
    with db.unit_of_work() as session:
        mb = find_mb(session, number, actor)
        return _photo_view(attach_in(session, actor, mb, prepared), store)


def attach_in(
    session: Session, actor: Actor, mb: MeasurementBook, prepared: PreparedPhoto
) -> MbPhoto:
    """Record a prepared (and already stored) photo on an MB."""
    _check_photo_slot(session, mb, actor)
    same = session.scalar(
        select(MbPhoto.original_name).where(
            MbPhoto.mb_id == mb.id, MbPhoto.sha256 == prepared.sha256
        )
    )
    if same is not None:
        raise ValidationError(
            f"{prepared.original_name} is the same picture as {same}, already attached.",
            field="photo",
        )
    position = session.scalar(
        select(func.coalesce(func.max(MbPhoto.position), -1)).where(MbPhoto.mb_id == mb.id)
    )
    photo = MbPhoto(
        id=new_id(),
        mb_id=mb.id,
        position=(position if position is not None else -1) + 1,
        sha256=prepared.sha256,
        media_type=prepared.media_type,
        width=prepared.width,
        height=prepared.height,
        stored_bytes=len(prepared.data),
        original_sha256=prepared.original_sha256,
        original_name=prepared.original_name[:260],
        original_bytes=prepared.original_bytes,
        taken_at=prepared.taken_at,
        latitude=prepared.latitude,
        longitude=prepared.longitude,
        thumbnail=prepared.thumbnail,
        added_by=actor.login,
    )
    session.add(photo)
    mb.version += 1
    mb.updated_at = utcnow()
    session.flush()
    return photo


def remove_photo(db: Database, actor: Actor, number: str, photo_id: str) -> None:
    """Take a photo off an editable MB (the stored file stays: other MBs may share it)."""
    with db.unit_of_work() as session:
        mb = find_mb(session, number, actor)
        _require_editable(mb, actor)
        photo = session.get(MbPhoto, photo_id)
        if photo is None or photo.mb_id != mb.id:
            raise NotFound(f"{mb.number} has no such photo.")
        session.delete(photo)
        mb.version += 1
        mb.updated_at = utcnow()
