"""Work orders: an approved estimate's lines awarded to an organisation (a CBO), from a start
date to an end date. A work order follows the estimate in force (its latest approved
revision); cancelling needs a reason and no approved MB; a project closes when every work
order is completed or cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.mb import DEFAULT_PERIOD_DAYS, Period, next_period
from mukta_desktop.domain.measurements import item_quantity
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import FINAL, Status
from mukta_desktop.models import Estimate, MbLine, MeasurementBook, Project, WorkOrder
from mukta_desktop.models.base import utcnow

from .database import Database
from .estimate_views import EstimateDraft, ProjectRef
from .estimates import find_estimate, load_draft
from .mb_views import MbSummary, WorkOrderLine, WorkOrderStatus, WorkOrderSummary, WorkOrderView
from .numbering import next_number
from .projects import require_open
from .revisions import in_force_of
from .sor_store import tenant_names
from .timeline import history_of, record_event
from .users import Actor

RECORD_TYPE = "WORK_ORDER"
PROJECT_RECORD = "PROJECT"
MAX_PERIOD_DAYS = 31
WORK_ORDER_ROLES = frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR})


def _require_work_order_role(actor: Actor, what: str) -> None:
    if not actor.roles & WORK_ORDER_ROLES:
        raise PermissionDenied(
            f"You may not {what}: it needs the ESTIMATE_CREATOR or MB_CREATOR role."
        )


def original_of(session: Session, estimate: Estimate) -> Estimate:
    return (
        session.get_one(Estimate, estimate.revision_of_id) if estimate.revision_of_id else estimate
    )


def item_key(line_id: str | None, origin_line_id: str | None) -> str:
    """The item across revisions: the original estimate line (revisions point at it)."""
    key = origin_line_id or line_id
    assert key is not None
    return key


def create_work_order(
    db: Database,
    actor: Actor,
    *,
    estimate_number: str,
    organisation: str,
    start: date,
    end: date,
    today: date,
    work_order_date: date | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
) -> WorkOrderView:
    """A new work order (WO/<year>/<n>) for an approved estimate."""
    _require_work_order_role(actor, "create work orders")
    with db.unit_of_work() as session:
        order = create_work_order_in(
            session,
            actor,
            estimate_number=estimate_number,
            organisation=organisation,
            start=start,
            end=end,
            today=today,
            work_order_date=work_order_date,
            period_days=period_days,
        )
        return work_order_view(session, order)


def create_work_order_in(
    session: Session,
    actor: Actor,
    *,
    estimate_number: str,
    organisation: str,
    start: date,
    end: date,
    today: date,
    work_order_date: date | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
) -> WorkOrder:
    _require_work_order_role(actor, "create work orders")
    estimate = find_estimate(session, estimate_number)
    if estimate.tenant_code != actor.tenant:
        raise NotFound(f"No estimate with number '{estimate_number.strip()}' in your ULB.")
    original = original_of(session, estimate)
    if Status(original.status) is not Status.APPROVED:
        raise ValidationError(
            f"{original.number} is {Status(original.status).label}: a work order is made only "
            "from an approved estimate."
        )
    project = session.get_one(Project, original.project_id)
    require_open(project, "work orders")
    name = " ".join(organisation.split())
    if not name:
        raise ValidationError(
            "Give the organisation (CBO) the work is awarded to.", field="organisation"
        )
    if len(name) > 200:
        raise ValidationError(
            "The organisation name is at most 200 characters.", field="organisation"
        )
    if end < start:
        raise ValidationError(
            f"The work order ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y}).",
            field="end",
        )
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise ValidationError(
            f"An MB period lasts 1 to {MAX_PERIOD_DAYS} days, not {period_days}.",
            field="period_days",
        )
    issued = work_order_date or today
    if issued > today:
        raise ValidationError(
            f"The work order date {issued:%d/%m/%Y} lies in the future.", field="work_order_date"
        )
    existing = session.scalar(
        select(WorkOrder.number).where(
            WorkOrder.estimate_id == original.id,
            WorkOrder.status != WorkOrderStatus.CANCELLED.value,
        )
    )
    if existing is not None:
        raise ValidationError(
            f"{original.number} is already awarded by work order {existing}; cancel that one "
            "first to award it again."
        )
    order = WorkOrder(
        id=new_id(),
        number=next_number(session, "WO", original.tenant_code, issued),
        tenant_code=original.tenant_code,
        project_id=project.id,
        estimate_id=original.id,
        organisation=name,
        work_order_date=issued,
        start_date=start,
        end_date=end,
        period_days=period_days,
        status=WorkOrderStatus.ACTIVE.value,
        status_reason="",
        created_by=actor.login,
        version=1,
    )
    session.add(order)
    session.flush()
    record_event(session, RECORD_TYPE, order.id, actor, "create", None, order.status)
    session.flush()
    from .sync_queue import queue_work_order, step  # circular at module level

    queue_work_order(session, order, step(actor, "create"))
    return order


def find_work_order(session: Session, number: str, actor: Actor | None = None) -> WorkOrder:
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number.strip()))
    if order is None or (actor is not None and order.tenant_code != actor.tenant):
        raise NotFound(f"No work order with number '{number.strip()}' in your ULB.")
    return order


def estimate_in_force(session: Session, order: WorkOrder) -> Estimate:
    return in_force_of(session, session.get_one(Estimate, order.estimate_id))


def measured_by_item(
    session: Session, work_order_ids: Sequence[str], *, before: date | None = None
) -> dict[str, tuple[Decimal, Decimal]]:
    """Quantity and amount measured in approved MBs, per item key (`before`: only MBs whose
    period starts before that date)."""
    if not work_order_ids:
        return {}
    stmt = (
        select(MbLine.item_key, MbLine.quantity, MbLine.amount)
        .join(MeasurementBook, MeasurementBook.id == MbLine.mb_id)
        .where(
            MeasurementBook.work_order_id.in_(list(work_order_ids)),
            MeasurementBook.status == Status.APPROVED.value,
        )
    )
    if before is not None:
        stmt = stmt.where(MeasurementBook.period_start < before)
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for key, quantity, amount in session.execute(stmt):
        q, a = totals.get(key, (ZERO, ZERO))
        totals[key] = (q + quantity, a + amount)
    return totals


def work_order_lines(
    session: Session, order: WorkOrder, draft: EstimateDraft | None = None
) -> tuple[WorkOrderLine, ...]:
    if draft is None:
        draft = load_draft(session, estimate_in_force(session, order))
    measured = measured_by_item(session, [order.id])
    lines = []
    for position, line in enumerate(draft.lines, start=1):
        key = item_key(line.id, line.origin_line_id)
        quantity, amount = measured.get(key, (ZERO, ZERO))
        lines.append(
            WorkOrderLine(
                position=position,
                key=key,
                category=line.category,
                sor_code=line.sor_code if line.category is LineCategory.SOR else None,
                description=line.description,
                unit=line.unit,
                rate=line.rate,
                rate_quantity=line.rate_quantity,
                estimate_quantity=item_quantity(line.rows),
                measured_quantity=quantity,
                measured_amount=amount,
            )
        )
    return tuple(lines)


def mb_summaries(session: Session, orders: Sequence[WorkOrder]) -> list[MbSummary]:
    """The MBs of work orders, oldest period first."""
    if not orders:
        return []
    by_id = {o.id: o for o in orders}
    projects = {
        p.id: p
        for p in session.scalars(
            select(Project).where(Project.id.in_({o.project_id for o in orders}))
        )
    }
    books = session.scalars(
        select(MeasurementBook)
        .where(MeasurementBook.work_order_id.in_(list(by_id)))
        .order_by(MeasurementBook.period_start, MeasurementBook.created_at)
    )
    return [
        summary_of(mb, by_id[mb.work_order_id], projects[by_id[mb.work_order_id].project_id])
        for mb in books
    ]


def summary_of(mb: MeasurementBook, order: WorkOrder, project: Project) -> MbSummary:
    return MbSummary(
        id=mb.id,
        number=mb.number,
        work_order_number=order.number,
        project_number=project.number,
        project_name=project.name,
        ward=project.ward,
        period=Period(mb.period_start, mb.period_end),
        measurement_date=mb.measurement_date,
        status=Status(mb.status),
        total=mb.total,
        cumulative_total=mb.cumulative_total,
        created_by=mb.created_by,
        created_at=mb.created_at,
        updated_at=mb.updated_at,
    )


def new_mb_period(session: Session, order: WorkOrder) -> tuple[Period | None, str]:
    """The period the next MB of a work order covers, or why no MB may be made now."""
    if order.status != WorkOrderStatus.ACTIVE.value:
        status = WorkOrderStatus(order.status).label.lower()
        return None, f"Work order {order.number} is {status}; it takes no new MBs."
    project = session.get_one(Project, order.project_id)
    if project.status == "CLOSED":
        return None, f"Project {project.number} is closed; it takes no new MBs."
    books = session.scalars(
        select(MeasurementBook)
        .where(MeasurementBook.work_order_id == order.id)
        .order_by(MeasurementBook.period_start)
    ).all()
    open_book = next((b for b in books if Status(b.status) not in FINAL), None)
    if open_book is not None:
        return None, (
            f"{open_book.number} is {Status(open_book.status).label}; a new MB is made only "
            "when it is approved (or rejected)."
        )
    approved = [b for b in books if b.status == Status.APPROVED.value]
    previous_end = approved[-1].period_end if approved else None
    try:
        period = next_period(order.start_date, order.end_date, previous_end, days=order.period_days)
    except ValidationError as error:
        return None, error.message
    return period, ""


def work_order_view(session: Session, order: WorkOrder) -> WorkOrderView:
    project = session.get_one(Project, order.project_id)
    original = session.get_one(Estimate, order.estimate_id)
    in_force = in_force_of(session, original)
    lines = work_order_lines(session, order, load_draft(session, in_force))
    period, refusal = new_mb_period(session, order)
    return WorkOrderView(
        id=order.id,
        number=order.number,
        tenant=order.tenant_code,
        tenant_name=tenant_names(session).get(order.tenant_code, order.tenant_code),
        project=ProjectRef(project.id, project.number, project.name),
        location=location_of(project),
        estimate_number=original.number,
        estimate_in_force=in_force.number,
        organisation=order.organisation,
        work_order_date=order.work_order_date,
        start_date=order.start_date,
        end_date=order.end_date,
        period_days=order.period_days,
        status=WorkOrderStatus(order.status),
        status_reason=order.status_reason,
        created_by=order.created_by,
        version=order.version,
        lines=lines,
        mbs=tuple(mb_summaries(session, [order])),
        estimate_total=in_force.total,
        measured_total=sum((line.measured_amount for line in lines), ZERO),
        next_period=period,
        new_mb_refusal=refusal,
        history=history_of(session, RECORD_TYPE, order.id),
    )


def location_of(project: Project) -> str:
    ward = (
        f"Ward {project.ward}"
        if project.ward and not project.ward.lower().startswith("ward")
        else project.ward
    )
    return ", ".join(part for part in (ward, project.locality) if part)


def get_work_order(db: Database, number: str, *, viewer: Actor | None = None) -> WorkOrderView:
    with db.read() as session:
        return work_order_view(session, find_work_order(session, number, viewer))


def list_work_orders(
    db: Database,
    *,
    tenant: str | None,
    project_number: str | None = None,
    statuses: Sequence[WorkOrderStatus] = (),
) -> list[WorkOrderSummary]:
    """Work orders of a ULB (`tenant=None`: every ULB here, for the read-only command line),
    newest first."""
    with db.read() as session:
        stmt = (
            select(WorkOrder, Project, Estimate.number)
            .join(Project, Project.id == WorkOrder.project_id)
            .join(Estimate, Estimate.id == WorkOrder.estimate_id)
        )
        if tenant is not None:
            stmt = stmt.where(WorkOrder.tenant_code == tenant)
        if project_number:
            stmt = stmt.where(Project.number == project_number.strip())
        if statuses:
            stmt = stmt.where(WorkOrder.status.in_([s.value for s in statuses]))
        stmt = stmt.order_by(WorkOrder.created_at.desc(), WorkOrder.number.desc())
        return [
            WorkOrderSummary(
                id=order.id,
                number=order.number,
                project_number=project.number,
                project_name=project.name,
                estimate_number=estimate_number,
                organisation=order.organisation,
                start_date=order.start_date,
                end_date=order.end_date,
                status=WorkOrderStatus(order.status),
                created_by=order.created_by,
            )
            for order, project, estimate_number in session.execute(stmt)
        ]


def _approved_count(session: Session, order: WorkOrder) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(MeasurementBook)
            .where(
                MeasurementBook.work_order_id == order.id,
                MeasurementBook.status == Status.APPROVED.value,
            )
        )
        or 0
    )


def _open_books(session: Session, order: WorkOrder) -> list[MeasurementBook]:
    return [
        b
        for b in session.scalars(
            select(MeasurementBook).where(MeasurementBook.work_order_id == order.id)
        )
        if Status(b.status) not in FINAL
    ]


def _change_status(
    session: Session,
    order: WorkOrder,
    actor: Actor,
    status: WorkOrderStatus,
    action: str,
    reason: str,
) -> None:
    before = order.status
    order.status = status.value
    order.status_reason = reason
    order.version += 1
    order.updated_at = utcnow()
    record_event(session, RECORD_TYPE, order.id, actor, action, before, status.value, reason)
    session.flush()
    from .sync_queue import queue_work_order, step  # circular at module level

    queue_work_order(session, order, step(actor, action, reason))


def cancel_work_order(db: Database, actor: Actor, number: str, *, reason: str) -> WorkOrderView:
    """Cancel a work order, with a reason, while no MB of it is approved."""
    _require_work_order_role(actor, "cancel work orders")
    with db.unit_of_work() as session:
        order = find_work_order(session, number, actor)
        if order.status != WorkOrderStatus.ACTIVE.value:
            raise ValidationError(
                f"{order.number} is {WorkOrderStatus(order.status).label.lower()}; only an "
                "active work order can be cancelled."
            )
        if not reason.strip():
            raise ValidationError("Say why the work order is cancelled.", field="reason")
        approved = _approved_count(session, order)
        if approved:
            raise ValidationError(
                f"{order.number} has {approved} approved MB(s); a work order with approved "
                "measurements cannot be cancelled."
            )
        open_books = _open_books(session, order)
        if open_books:
            book = open_books[0]
            status = Status(book.status)
            then = (
                "discard it first (it was never submitted)"
                if status is Status.DRAFTED
                else "it must be rejected first"
            )
            raise ValidationError(f"{book.number} of {order.number} is {status.label}; {then}.")
        _change_status(session, order, actor, WorkOrderStatus.CANCELLED, "cancel", reason.strip())
        return work_order_view(session, order)


def complete_work_order(db: Database, actor: Actor, number: str) -> WorkOrderView:
    """Mark a work order completed: its last MB approved and none in workflow."""
    _require_work_order_role(actor, "complete work orders")
    with db.unit_of_work() as session:
        order = find_work_order(session, number, actor)
        if order.status != WorkOrderStatus.ACTIVE.value:
            raise ValidationError(
                f"{order.number} is {WorkOrderStatus(order.status).label.lower()} already."
            )
        open_books = _open_books(session, order)
        if open_books:
            raise ValidationError(
                f"{open_books[0].number} is {Status(open_books[0].status).label}; the last MB "
                "must be approved before the work order is completed."
            )
        if not _approved_count(session, order):
            raise ValidationError(
                f"{order.number} has no approved MB; cancel it instead if no work was done."
            )
        _change_status(session, order, actor, WorkOrderStatus.COMPLETED, "complete", "")
        return work_order_view(session, order)


def close_project(db: Database, actor: Actor, project_number: str) -> None:
    """Close a project: every work order completed or cancelled (so its last MB is approved).
    A closed project takes no new estimates, work orders or MBs."""
    _require_work_order_role(actor, "close projects")
    with db.unit_of_work() as session:
        project = session.scalar(select(Project).where(Project.number == project_number.strip()))
        if project is None or project.tenant_code != actor.tenant:
            raise NotFound(f"No project with number '{project_number.strip()}' in your ULB.")
        if project.status == "CLOSED":
            raise ValidationError(f"Project {project.number} is closed already.")
        active = session.scalars(
            select(WorkOrder.number).where(
                WorkOrder.project_id == project.id,
                WorkOrder.status == WorkOrderStatus.ACTIVE.value,
            )
        ).all()
        if active:
            raise ValidationError(
                f"Project {project.number} still has active work orders ({', '.join(active)}); "
                "complete or cancel them first."
            )
        project.status = "CLOSED"
        project.closed_at = utcnow()
        project.closed_by = actor.login
        project.version += 1
        record_event(session, PROJECT_RECORD, project.id, actor, "close", "OPEN", "CLOSED")
        session.flush()
        from .sync_queue import queue_project, step  # circular at module level

        queue_project(session, project, step(actor, "close"))
