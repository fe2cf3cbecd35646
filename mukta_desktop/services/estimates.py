"""Detailed estimates: price SOR lines, create, save drafts, view, list, the inbox, workflow.

Every action checks the actor's roles here, not only in hidden buttons. Only the creator edits,
and only while the estimate is Drafted or Pending correction; Approved and Rejected are final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import cast

from sqlalchemy import ColumnElement, Row, Table, delete, insert, or_, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.estimate import (
    Line,
    LineCategory,
    Overhead,
    OverheadKind,
    Totals,
    check_has_lines,
    check_overheads,
    compute,
)
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.measurements import (
    check_row,
    item_quantity,
    row_warning,
)
from mukta_desktop.domain.numbers import check_decimal
from mukta_desktop.domain.roles import Role, require
from mukta_desktop.domain.sor import HEAD_LABELS, RateHeads, SorStatus
from mukta_desktop.domain.workflow import (
    EDITABLE,
    ESTIMATE_WORKFLOW,
    Action,
    Status,
    waiting_for,
)
from mukta_desktop.models import (
    Estimate,
    EstimateLine,
    EstimateOverhead,
    MeasurementRowRecord,
    Project,
    Sor,
    SorRate,
)
from mukta_desktop.models.base import utcnow

from . import measured
from .database import Database
from .estimate_views import (
    EstimateDraft,
    EstimateSummary,
    EstimateView,
    LineDraft,
    LineView,
    OverheadDraft,
    OverheadView,
    ProjectRef,
)
from .measurement_rows import insert_sql, read_rows, row_values
from .numbering import next_number
from .projects import require_open
from .sor_store import current_rate, heads_of, sor_by_code, tenant_names
from .timeline import history_of, record_event
from .users import Actor
from .words import rupees_in_words

RECORD_TYPE = "ESTIMATE"
# Actions that turn an estimate back or down say why: the creator has to act on it.
COMMENT_REQUIRED = frozenset({Action.SEND_BACK, Action.SEND_BACK_TO_ORIGINATOR, Action.REJECT})
SAVE_DRAFT = "save-draft"
MAX_RATE = Decimal("99999999.99")
MAX_LINES = 2000
MIN_RATE_QUANTITY = Decimal("0.0001")
MAX_RATE_QUANTITY = Decimal("99999.9999")


# ---------------------------------------------------------------- pricing and checking


def price_sor_line(db: Database, sor_code: str, *, at: date, tenant: str) -> LineDraft:
    """A new SOR line with the rate in force on `at` for the ULB, frozen into the line."""
    with db.read() as session:
        return price_in(session, sor_code, at=at, tenant=tenant)


def price_in(session: Session, sor_code: str, *, at: date, tenant: str) -> LineDraft:
    sor = sor_by_code(session, sor_code)
    if sor.status != SorStatus.ACTIVE:
        raise ValidationError(f"{sor.code} is inactive and cannot be added to an estimate.")
    rates = list(session.scalars(select(SorRate).where(SorRate.sor_id == sor.id)))
    info = current_rate(rates, at, tenant, tenant_names(session))
    if info is None:
        raise ValidationError(
            f"{sor.code} has no rate in force on {format_date(at)} for your ULB, so it cannot "
            "be added. A rate administrator can add one, or choose another SOR.",
            field="sor_code",
        )
    return LineDraft(
        category=LineCategory.SOR,
        description=sor.description,
        unit=sor.uom_code,
        rate=info.total,
        rate_quantity=sor.rate_quantity,
        sor_code=sor.code,
        rate_id=info.id,
        heads=info.heads,
    )


def check_draft(draft: EstimateDraft, *, complete: bool) -> None:
    """Refuse what no draft may hold (numbers out of range, a SOR line without its code).

    A draft being typed may be incomplete: no lines yet, a row just added and still blank, a
    non-SOR line not yet described. `complete=True` (submitting, re-submitting, a file from
    the command line) also refuses those, naming the line and row.
    """
    if complete:
        check_has_lines([_line(d) for d in draft.lines])
    if len(draft.lines) > MAX_LINES:
        raise ValidationError(f"An estimate holds at most {MAX_LINES} lines.", field="lines")
    for number, line in enumerate(draft.lines, start=1):
        where = f"Line {number}"
        if line.category is LineCategory.NON_SOR:
            if complete and not line.description.strip():
                raise ValidationError(f"{where}: describe the non-SOR item.", field="description")
            if complete and not line.unit.strip():
                raise ValidationError(f"{where}: give the unit.", field="unit")
            check_decimal(line.rate, field=f"{where}, rate", places=2, maximum=MAX_RATE)
            # The rate is per this many units; 0 would divide by zero, a negative one would
            # turn the amount negative.
            check_decimal(
                line.rate_quantity,
                field=f"{where}, rate quantity",
                places=4,
                minimum=MIN_RATE_QUANTITY,
                maximum=MAX_RATE_QUANTITY,
            )
        elif not line.sor_code:
            raise ValidationError(f"{where}: a SOR line needs its SOR code.", field="sor_code")
        for row_number, row in enumerate(line.rows, start=1):
            blank = all(factor is None for factor in row.factors())
            if blank and not complete:
                continue
            check_row(row, where=f"{where}, row {row_number}")
        if not complete:
            continue
        quantity = item_quantity(line.rows)
        if quantity < 0:
            raise ValidationError(
                f"{where}: the deductions exceed the measurements (quantity {quantity}); "
                "a line's quantity may not be negative.",
                field="rows",
            )
    check_overheads([_overhead(o) for o in draft.overheads])


def _line(draft: LineDraft) -> Line:
    return Line(
        category=draft.category,
        description=draft.description,
        unit=draft.unit,
        rate=draft.rate,
        rows=draft.rows,
        rate_quantity=draft.rate_quantity,
        sor_code=draft.sor_code,
        heads=draft.heads,
        used_quantity=draft.used_quantity,
        used_rate=draft.used_rate,
    )


def _overhead(draft: OverheadDraft) -> Overhead:
    return Overhead(draft.code, draft.description, draft.kind, draft.percent, draft.lump_sum)


def _freeze_sor_lines(session: Session, draft: EstimateDraft, tenant: str) -> EstimateDraft:
    """SOR lines carry the stored rate they name (or the rate in force on the estimate date
    when they name none): a rate typed over a SOR line is never taken."""
    lines: list[LineDraft] = []
    named = _rates_named(session, {line.rate_id for line in draft.lines if line.rate_id})
    for number, line in enumerate(draft.lines, start=1):
        if line.category is not LineCategory.SOR:
            lines.append(line)
            continue
        if line.rate_id is None:
            try:
                priced = price_in(
                    session, line.sor_code or "", at=draft.estimate_date, tenant=tenant
                )
            except (ValidationError, NotFound) as exc:
                raise ValidationError(f"Line {number}: {exc.message}", field="sor_code") from None
        else:
            found = named.get(line.rate_id)
            if found is None or found[1].code != line.sor_code:
                raise ValidationError(
                    f"Line {number}: the rate it names is not a rate of {line.sor_code}.",
                    field="sor_code",
                )
            rate, sor = found
            priced = replace(
                line,
                rate=rate.total,
                heads=heads_of(rate),
                rate_quantity=sor.rate_quantity,
                unit=sor.uom_code,
            )
        lines.append(
            replace(
                priced,
                rows=line.rows,
                origin_line_id=line.origin_line_id,
                used_quantity=line.used_quantity,
                used_rate=line.used_rate,
                reason=line.reason,
                id=line.id,
                description=line.description or priced.description,
            )
        )
    return replace(draft, lines=tuple(lines))


def _rates_named(session: Session, ids: set[str]) -> dict[str, tuple[SorRate, Sor]]:
    """The rates (with their SORs) that lines name, in a query per 900, not two per line."""
    found: dict[str, tuple[SorRate, Sor]] = {}
    wanted = sorted(ids)
    for offset in range(0, len(wanted), 900):
        chunk = wanted[offset : offset + 900]
        for rate, sor in session.execute(
            select(SorRate, Sor).join(Sor, Sor.id == SorRate.sor_id).where(SorRate.id.in_(chunk))
        ):
            found[rate.id] = (rate, sor)
    return found


# ---------------------------------------------------------------- writing

_LINES = cast(Table, EstimateLine.__table__)
_ROWS = cast(Table, MeasurementRowRecord.__table__)
_OVERHEADS = cast(Table, EstimateOverhead.__table__)
_INSERT_ROWS = insert_sql(_ROWS)


def _write_contents(
    session: Session, estimate: Estimate, draft: EstimateDraft
) -> tuple[EstimateDraft, Totals]:
    """Replace the lines, rows and overheads of an editable estimate (bulk: an estimate may
    hold thousands of rows and is saved every few seconds). Returns the draft as stored (every
    line with its id) and its figures.

    Plain executemany inserts on the tables: the ORM's bulk insert splits the rows into a
    statement per run of rows with the same blank (None) fields, which for measurement rows
    (blank factors come and go) meant a statement per row. The measurement rows go to the
    driver directly, their Decimals as the exact text `DecimalText` stores.
    """
    line_ids = list(
        session.scalars(select(EstimateLine.id).where(EstimateLine.estimate_id == estimate.id))
    )
    for offset in range(0, len(line_ids), 900):
        chunk = line_ids[offset : offset + 900]
        session.execute(delete(_ROWS).where(_ROWS.c.line_id.in_(chunk)))
    session.execute(delete(_LINES).where(_LINES.c.estimate_id == estimate.id))
    session.execute(delete(_OVERHEADS).where(_OVERHEADS.c.estimate_id == estimate.id))
    # Statements on the tables bypass the session: objects of the old contents it may still
    # hold would read stale (their ids come back with new values).
    old = set(line_ids)
    for obj in list(session.identity_map.values()):
        if (
            isinstance(obj, EstimateLine | EstimateOverhead) and obj.estimate_id == estimate.id
        ) or (isinstance(obj, MeasurementRowRecord) and obj.line_id in old):
            session.expunge(obj)
    line_rows: list[dict[str, object]] = []
    measurement_rows: list[tuple[object, ...]] = []
    stored: list[LineDraft] = []
    for position, line in enumerate(draft.lines):
        line_id = line.id or new_id()
        stored.append(line if line.id == line_id else replace(line, id=line_id))
        heads = line.heads.as_dict() if line.heads is not None else dict.fromkeys(HEAD_LABELS)
        line_rows.append(
            {
                "id": line_id,
                "estimate_id": estimate.id,
                "position": position,
                "category": line.category.value,
                "sor_id": None,
                "sor_code": line.sor_code,
                "rate_id": line.rate_id,
                "description": line.description,
                "unit": line.unit,
                "rate": line.rate,
                "rate_quantity": line.rate_quantity,
                **heads,
                "origin_line_id": line.origin_line_id,
                "used_quantity": line.used_quantity,
                "used_rate": line.used_rate,
                "reason": line.reason,
            }
        )
        measurement_rows.extend(row_values(line_id, line.rows))
    if line_rows:
        session.execute(insert(_LINES), line_rows)
    if measurement_rows:
        session.connection().exec_driver_sql(_INSERT_ROWS, measurement_rows)
    if draft.overheads:
        session.execute(
            insert(_OVERHEADS),
            [
                {
                    "id": new_id(),
                    "estimate_id": estimate.id,
                    "position": position,
                    "code": o.code,
                    "description": o.description,
                    "kind": o.kind.value,
                    "percent": o.percent,
                    "lump_sum": o.lump_sum,
                }
                for position, o in enumerate(draft.overheads)
            ],
        )
    estimate.estimate_date = draft.estimate_date
    estimate.description = draft.description.strip()
    totals = compute([_line(d) for d in draft.lines], [_overhead(o) for o in draft.overheads])
    estimate.total = totals.total
    estimate.updated_at = utcnow()
    session.expire(estimate, ["lines", "overheads"])
    return replace(draft, lines=tuple(stored)), totals


def _event(
    session: Session,
    estimate: Estimate,
    actor: Actor,
    action: str,
    before: str | None,
    after: str,
    comment: str,
) -> None:
    record_event(session, RECORD_TYPE, estimate.id, actor, action, before, after, comment)


def create_estimate(
    db: Database,
    actor: Actor,
    *,
    project_number: str,
    draft: EstimateDraft,
    today: date,
    comment: str = "",
) -> EstimateView:
    """Save draft: a new estimate of a project, numbered ES/<year>/<n>, status Drafted."""
    require(actor.has(Role.ESTIMATE_CREATOR), "create estimates", "ESTIMATE_CREATOR")
    with db.unit_of_work() as session:
        project = find_project(session, project_number, actor)
        estimate = create_estimate_in(
            session, actor, project, draft, today=today, prefix="ES", comment=comment
        )
        return estimate_view(session, estimate, actor)


def create_estimate_in(
    session: Session,
    actor: Actor,
    project: Project,
    draft: EstimateDraft,
    *,
    today: date,
    prefix: str,
    revision_of: Estimate | None = None,
    comment: str = "",
    complete: bool = False,
) -> Estimate:
    require_open(project, "estimates")
    draft = _freeze_sor_lines(session, draft, project.tenant_code)
    check_draft(draft, complete=complete)
    measured.check_revision_quantities(
        session, None if revision_of is None else revision_of.id, draft
    )
    estimate = Estimate(
        id=new_id(),
        number=next_number(session, prefix, project.tenant_code, today),
        project_id=project.id,
        tenant_code=project.tenant_code,
        revision_of_id=None if revision_of is None else revision_of.id,
        revision_no=0 if revision_of is None else _next_revision_no(session, revision_of),
        estimate_date=draft.estimate_date,
        status=Status.DRAFTED.value,
        created_by=actor.login,
        version=1,
    )
    session.add(estimate)
    session.flush()
    _write_contents(session, estimate, draft)
    _event(session, estimate, actor, SAVE_DRAFT, None, Status.DRAFTED.value, comment)
    session.flush()
    return estimate


def _next_revision_no(session: Session, original: Estimate) -> int:
    existing = session.scalars(
        select(Estimate.revision_no).where(Estimate.revision_of_id == original.id)
    ).all()
    return max(existing, default=0) + 1


def find_project(session: Session, number: str, actor: Actor) -> Project:
    project = session.scalar(select(Project).where(Project.number == number.strip()))
    if project is None or project.tenant_code != actor.tenant:
        raise NotFound(f"No project with number '{number.strip()}' in your ULB.")
    return project


def save_estimate(
    db: Database,
    actor: Actor,
    number: str,
    draft: EstimateDraft,
    *,
    expected_version: int | None = None,
) -> EstimateView:
    """Save the editor's draft over an editable estimate (autosave calls this too)."""
    with db.unit_of_work() as session:
        estimate = find_estimate(session, number)
        stored, totals = save_in(session, actor, estimate, draft, expected_version=expected_version)
        return estimate_view(session, estimate, actor, draft=stored, totals=totals)


def save_in(
    session: Session,
    actor: Actor,
    estimate: Estimate,
    draft: EstimateDraft,
    *,
    expected_version: int | None = None,
) -> tuple[EstimateDraft, Totals]:
    """`save_estimate` inside a unit of work the caller owns; returns the draft as stored
    and its figures."""
    if estimate.tenant_code != actor.tenant:
        raise NotFound(f"No estimate with number '{estimate.number}' in your ULB.")
    _require_editable(estimate, actor)
    if expected_version is not None and estimate.version != expected_version:
        raise ValidationError(
            f"{estimate.number} was changed elsewhere since you opened it (version "
            f"{estimate.version}, yours {expected_version}); reopen it to see the changes."
        )
    draft = _freeze_sor_lines(session, draft, estimate.tenant_code)
    check_draft(draft, complete=False)
    measured.check_revision_quantities(session, estimate.revision_of_id, draft)
    draft = measured.with_current_use(session, estimate.revision_of_id, draft)
    stored = _write_contents(session, estimate, draft)
    estimate.version += 1
    session.flush()
    return stored


def _require_editable(estimate: Estimate, actor: Actor) -> None:
    status = Status(estimate.status)
    if status not in EDITABLE:
        raise PermissionDenied(
            f"{estimate.number} is {status.label}: only a Drafted or Pending correction "
            "estimate can be changed."
        )
    if estimate.created_by != actor.login or not actor.has(Role.ESTIMATE_CREATOR):
        raise PermissionDenied(
            f"Only the creator of {estimate.number} ({estimate.created_by}) may change it."
        )


def act(
    db: Database, actor: Actor, number: str, action: Action, *, comment: str = ""
) -> EstimateView:
    """Take a workflow action, with its comment, after the role and state checks."""
    with db.unit_of_work() as session:
        estimate = find_estimate(session, number)
        act_in(session, actor, estimate, action, comment=comment)
        return estimate_view(session, estimate, actor)


def act_in(
    session: Session, actor: Actor, estimate: Estimate, action: Action, *, comment: str = ""
) -> None:
    """`act` inside a unit of work the caller owns."""
    if estimate.tenant_code != actor.tenant:
        raise NotFound(f"No estimate with number '{estimate.number}' in your ULB.")
    before = Status(estimate.status)
    transition = ESTIMATE_WORKFLOW.transition(
        before, action, actor.roles, is_creator=estimate.created_by == actor.login
    )
    if action in COMMENT_REQUIRED and not comment.strip():
        raise ValidationError(
            f"'{action.label}' needs a comment saying why, for the creator and the record.",
            field="comment",
        )
    if action in (Action.SUBMIT, Action.RESUBMIT):
        # What may be saved half-typed must be whole before anyone else sees it.
        stored = load_draft(session, estimate)
        check_draft(stored, complete=True)
        if estimate.revision_of_id is not None:
            # MBs may have been approved since the revision was saved: check and price it
            # against what they measured by now.
            measured.check_revision_quantities(session, estimate.revision_of_id, stored)
            current = measured.with_current_use(session, estimate.revision_of_id, stored)
            if current.lines != stored.lines:
                _write_contents(session, estimate, current)
    if action is Action.APPROVE and estimate.revision_of_id is not None:
        _check_revision_may_be_approved(session, estimate)
        stored = load_draft(session, estimate)
        measured.check_revision_quantities(session, estimate.revision_of_id, stored)
        if not measured.use_is_current(session, estimate.revision_of_id, stored):
            raise ValidationError(
                f"MBs approved since {estimate.number} was submitted changed the quantity "
                "measured at the original rate; send it back to the originator to re-price it."
            )
    estimate.status = transition.target.value
    estimate.version += 1
    estimate.updated_at = utcnow()
    _event(session, estimate, actor, action.value, before.value, transition.target.value, comment)
    session.flush()
    from .sync_queue import queue_estimate, step  # circular at module level

    queue_estimate(session, estimate, step(actor, action.value, comment))


MAX_APPROVED_REVISIONS = 2


def _check_revision_may_be_approved(session: Session, revision: Estimate) -> None:
    approved = session.scalars(
        select(Estimate.number).where(
            Estimate.revision_of_id == revision.revision_of_id,
            Estimate.status == Status.APPROVED.value,
        )
    ).all()
    if len(approved) >= MAX_APPROVED_REVISIONS:
        raise ValidationError(
            f"The estimate already has {MAX_APPROVED_REVISIONS} approved revisions "
            f"({', '.join(approved)}); no more may be approved."
        )


# ---------------------------------------------------------------- reading


def find_estimate(session: Session, number: str) -> Estimate:
    estimate = session.scalar(select(Estimate).where(Estimate.number == number.strip()))
    if estimate is None:
        raise NotFound(f"No estimate with number '{number.strip()}'.")
    return estimate


def get_estimate(db: Database, number: str, *, viewer: Actor | None = None) -> EstimateView:
    with db.read() as session:
        return estimate_view(session, find_estimate(session, number), viewer)


def load_draft(session: Session, estimate: Estimate) -> EstimateDraft:
    lines = session.scalars(
        select(EstimateLine)
        .where(EstimateLine.estimate_id == estimate.id)
        .order_by(EstimateLine.position)
    ).all()
    rows_by_line = read_rows(session, _ROWS, [line.id for line in lines])
    overheads = session.scalars(
        select(EstimateOverhead)
        .where(EstimateOverhead.estimate_id == estimate.id)
        .order_by(EstimateOverhead.position)
    ).all()
    return EstimateDraft(
        estimate_date=estimate.estimate_date,
        description=estimate.description,
        lines=tuple(
            LineDraft(
                category=LineCategory(line.category),
                description=line.description,
                unit=line.unit,
                rate=line.rate,
                rate_quantity=line.rate_quantity,
                rows=tuple(rows_by_line[line.id]),
                sor_code=line.sor_code,
                rate_id=line.rate_id,
                heads=_line_heads(line),
                origin_line_id=line.origin_line_id,
                used_quantity=line.used_quantity,
                used_rate=line.used_rate,
                reason=line.reason,
                id=line.id,
            )
            for line in lines
        ),
        overheads=tuple(
            OverheadDraft(o.code, o.description, OverheadKind(o.kind), o.percent, o.lump_sum)
            for o in overheads
        ),
    )


def _line_heads(line: EstimateLine) -> RateHeads | None:
    if line.material is None:
        return None
    return RateHeads(**{name: getattr(line, name) or Decimal(0) for name in HEAD_LABELS})


def estimate_view(
    session: Session,
    estimate: Estimate,
    viewer: Actor | None,
    *,
    draft: EstimateDraft | None = None,
    totals: Totals | None = None,
) -> EstimateView:
    """Every figure of an estimate; `draft` and `totals`: its contents as just stored and
    their figures (a save skips reading back and computing again what it wrote)."""
    if draft is None:
        draft = load_draft(session, estimate)
        totals = None
    lines = [_line(d) for d in draft.lines]
    overheads = [_overhead(o) for o in draft.overheads]
    if totals is None:
        totals = compute(lines, overheads)
    project = session.get_one(Project, estimate.project_id)
    revision_of = (
        session.get_one(Estimate, estimate.revision_of_id).number
        if estimate.revision_of_id
        else None
    )
    status = Status(estimate.status)
    allowed: tuple[Action, ...] = ()
    editable = False
    if viewer is not None and viewer.tenant == estimate.tenant_code:
        is_creator = viewer.login == estimate.created_by
        allowed = tuple(
            t.action for t in ESTIMATE_WORKFLOW.allowed(status, viewer.roles, is_creator=is_creator)
        )
        editable = ESTIMATE_WORKFLOW.can_edit(status, viewer.roles, is_creator=is_creator)
    warnings = tuple(
        w
        for n, line in enumerate(draft.lines, start=1)
        for r, row in enumerate(line.rows, start=1)
        if (w := row_warning(row, where=f"Line {n}, row {r}")) is not None
    )
    return EstimateView(
        id=estimate.id,
        number=estimate.number,
        project=ProjectRef(project.id, project.number, project.name),
        tenant=estimate.tenant_code,
        tenant_name=tenant_names(session).get(estimate.tenant_code, estimate.tenant_code),
        revision_of=revision_of,
        revision_no=estimate.revision_no,
        estimate_date=estimate.estimate_date,
        description=estimate.description,
        status=status,
        created_by=estimate.created_by,
        version=estimate.version,
        lines=tuple(
            LineView(d, quantity, amount)
            for d, quantity, amount in zip(
                draft.lines,
                totals.line_quantities or [line.quantity for line in lines],
                totals.line_amounts,
                strict=True,
            )
        ),
        overheads=tuple(
            OverheadView(d, amount)
            for d, amount in zip(draft.overheads, totals.overhead_amounts, strict=True)
        ),
        sor_total=totals.sor_total,
        non_sor_total=totals.non_sor_total,
        overhead_total=totals.overhead_total,
        total=totals.total,
        total_rupees=totals.total_rupees,
        total_in_words=rupees_in_words(totals.total),
        analysis=totals.analysis,
        history=history_of(session, RECORD_TYPE, estimate.id),
        allowed_actions=allowed,
        editable=editable,
        warnings=warnings,
    )


def list_estimates(
    db: Database, *, tenant: str | None, text: str = "", statuses: Sequence[Status] = ()
) -> list[EstimateSummary]:
    """The estimates of a ULB (`tenant=None`: of every ULB in this installation, for the
    read-only command line), newest change first."""
    with db.read() as session:
        stmt = select(Estimate, Project).join(Project, Project.id == Estimate.project_id)
        if tenant is not None:
            stmt = stmt.where(Estimate.tenant_code == tenant)
        if statuses:
            stmt = stmt.where(Estimate.status.in_([s.value for s in statuses]))
        for token in text.lower().split():
            stmt = stmt.where(
                (Estimate.number + " " + Project.name + " " + Project.number).ilike(f"%{token}%")
            )
        return _summaries(
            session, _pairs(session.execute(stmt.order_by(Estimate.updated_at.desc())).all())
        )


def _summaries(
    session: Session, found: Sequence[tuple[Estimate, Project]]
) -> list[EstimateSummary]:
    originals = {e.revision_of_id for e, _ in found if e.revision_of_id is not None}
    numbers = (
        {
            estimate_id: number
            for estimate_id, number in session.execute(
                select(Estimate.id, Estimate.number).where(Estimate.id.in_(originals))
            )
        }
        if originals
        else {}
    )
    return [
        EstimateSummary(
            e.id,
            e.number,
            p.number,
            p.name,
            numbers.get(e.revision_of_id) if e.revision_of_id else None,
            e.estimate_date,
            Status(e.status),
            e.total,
            e.created_by,
            e.updated_at,
        )
        for e, p in found
    ]


def inbox(db: Database, actor: Actor) -> list[EstimateSummary]:
    """What waits for the actor's roles in their ULB, and the actor's own editable drafts."""
    waiting = waiting_for(ESTIMATE_WORKFLOW)
    statuses = [s for s, roles in waiting.items() if roles & actor.roles]
    with db.read() as session:
        base = (
            select(Estimate, Project)
            .join(Project, Project.id == Estimate.project_id)
            .where(Estimate.tenant_code == actor.tenant)
        )
        conditions: list[ColumnElement[bool]] = []
        if statuses:
            conditions.append(Estimate.status.in_([s.value for s in statuses]))
        if actor.has(Role.ESTIMATE_CREATOR):
            conditions.append(
                (Estimate.created_by == actor.login)
                & Estimate.status.in_([s.value for s in EDITABLE])
            )
        if not conditions:
            return []
        stmt = base.where(or_(*conditions)).order_by(Estimate.updated_at.desc())
        return _summaries(session, _pairs(session.execute(stmt).all()))


def _pairs(rows: Sequence[Row[Estimate, Project]]) -> list[tuple[Estimate, Project]]:
    # Result.tuples() is deprecated in SQLAlchemy 2.1 (rows unpack directly).
    return [(estimate, project) for estimate, project in rows]
