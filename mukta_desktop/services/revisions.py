"""Revised estimates and the deviation statement (DESIGN.md §2 "Revised estimate").

A revision is made from an approved estimate, which stays exactly as it was. It starts from the
original's lines and measurements; used quantity (measured in approved MBs) keeps the original
rate and the rest is priced at the rate in force on the revision's date. A revised quantity may
not fall below the used quantity, and a line with anything measured may not be removed. At most
two revisions of an estimate are approved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.deviation import ItemPair, Statement, build_statement
from mukta_desktop.domain.errors import NotFound, ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.numbers import ZERO, plain_text
from mukta_desktop.domain.roles import Role, require
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import Estimate, Project

from . import measured
from .database import Database
from .estimate_views import EstimateDraft, EstimateView, LineDraft, OverheadDraft
from .estimates import (
    MAX_APPROVED_REVISIONS,
    create_estimate_in,
    estimate_view,
    find_estimate,
    load_draft,
    price_in,
)
from .users import Actor


def revise(db: Database, actor: Actor, number: str, *, today: date) -> EstimateView:
    """A new revision (RE/<year>/<n>) of the approved estimate or of its latest approved
    revision, starting from its lines and measurements, priced as of today."""
    require(actor.has(Role.ESTIMATE_CREATOR), "revise estimates", "ESTIMATE_CREATOR")
    with db.unit_of_work() as session:
        revision = revise_in(session, actor, find_estimate(session, number), today=today)
        return estimate_view(session, revision, actor)


def revise_in(session: Session, actor: Actor, source: Estimate, *, today: date) -> Estimate:
    """`revise` inside a unit of work the caller owns."""
    require(actor.has(Role.ESTIMATE_CREATOR), "revise estimates", "ESTIMATE_CREATOR")
    if source.tenant_code != actor.tenant:
        raise NotFound(f"No estimate with number '{source.number}' in your ULB.")
    original = session.get_one(Estimate, source.revision_of_id) if source.revision_of_id else source
    base = in_force_of(session, original)
    if base.id == source.id and Status(source.status) is not Status.APPROVED:
        raise ValidationError(
            f"{source.number} is {Status(source.status).label}: only an approved estimate "
            "can be revised."
        )
    if base.id != source.id:
        raise ValidationError(
            f"Only the estimate in force can be revised: {base.number} "
            f"({Status(base.status).label}), not {source.number}."
        )
    _check_revision_count(session, original)
    open_revision = session.scalar(
        select(Estimate.number).where(
            Estimate.revision_of_id == original.id,
            Estimate.status.notin_([Status.APPROVED.value, Status.REJECTED.value]),
        )
    )
    if open_revision is not None:
        raise ValidationError(
            f"{open_revision} is already a revision in progress; finish or reject it first."
        )
    # Measured quantities are kept per line of the original (MBs of any revision count), the
    # same key `check_revision_quantities` reads with.
    used = measured.used_quantities(session, original.id)
    draft = _revision_draft(session, load_draft(session, base), used, today, base.tenant_code)
    project = session.get_one(Project, base.project_id)
    return create_estimate_in(
        session,
        actor,
        project,
        draft,
        today=today,
        prefix="RE",
        revision_of=original,
        comment=f"Revision of {base.number}",
    )


def in_force_of(session: Session, original: Estimate) -> Estimate:
    """The latest approved revision, or the original: what new MBs are made against."""
    latest = session.scalar(
        select(Estimate)
        .where(Estimate.revision_of_id == original.id, Estimate.status == Status.APPROVED.value)
        .order_by(Estimate.revision_no.desc())
        .limit(1)
    )
    return latest or original


def estimate_in_force(db: Database, number: str) -> str:
    """The number of the estimate in force for the estimate `number` belongs to."""
    with db.read() as session:
        estimate = find_estimate(session, number)
        original = (
            session.get_one(Estimate, estimate.revision_of_id)
            if estimate.revision_of_id
            else estimate
        )
        return in_force_of(session, original).number


def _check_revision_count(session: Session, original: Estimate) -> None:
    approved = session.scalars(
        select(Estimate.number).where(
            Estimate.revision_of_id == original.id, Estimate.status == Status.APPROVED.value
        )
    ).all()
    if len(approved) >= MAX_APPROVED_REVISIONS:
        raise ValidationError(
            f"{original.number} already has {MAX_APPROVED_REVISIONS} approved revisions "
            f"({', '.join(approved)}); it cannot be revised again."
        )


def _revision_draft(
    session: Session,
    base: EstimateDraft,
    used: Mapping[str, Decimal],
    today: date,
    tenant: str,
) -> EstimateDraft:
    lines: list[LineDraft] = []
    for line in base.lines:
        assert line.id is not None
        origin = line.origin_line_id or line.id
        measured = used.get(origin, ZERO)
        start = line
        if line.category is LineCategory.SOR and line.sor_code:
            # The unused and additional quantity is priced at the rate in force now.
            start = replace(
                price_in(session, line.sor_code, at=today, tenant=tenant),
                description=line.description,
            )
        lines.append(
            replace(
                start,
                rows=line.rows,
                origin_line_id=origin,
                id=None,
                used_quantity=measured if measured > ZERO else None,
                used_rate=(line.used_rate or line.rate) if measured > ZERO else None,
            )
        )
    return replace(base, estimate_date=today, lines=tuple(lines))


def deviation_statement(db: Database, number: str) -> tuple[EstimateView, EstimateView, Statement]:
    """The deviation statement of revision `number` against the estimate it revises (the
    original, or the previous approved revision when there is one)."""
    with db.read() as session:
        revision = find_estimate(session, number)
        if revision.revision_of_id is None:
            raise ValidationError(
                f"{revision.number} is not a revision; a deviation statement compares a "
                "revision with the estimate it revises."
            )
        previous = session.scalar(
            select(Estimate)
            .where(
                Estimate.revision_of_id == revision.revision_of_id,
                Estimate.status == Status.APPROVED.value,
                Estimate.revision_no < revision.revision_no,
            )
            .order_by(Estimate.revision_no.desc())
            .limit(1)
        ) or session.get_one(Estimate, revision.revision_of_id)
        before = estimate_view(session, previous, None)
        after = estimate_view(session, revision, None)
    return before, after, _statement(before, after)


def _statement(before: EstimateView, after: EstimateView) -> Statement:
    before_lines = {(line.draft.origin_line_id or line.draft.id): line for line in before.lines}
    items: list[ItemPair] = []
    matched: set[str] = set()
    for line in after.lines:
        origin = line.draft.origin_line_id
        old = before_lines.get(origin or "") if origin else None
        if old is not None and origin is not None:
            matched.add(origin)
        items.append(
            ItemPair(
                code=line.draft.sor_code,
                description=line.draft.description,
                unit=line.draft.unit,
                rate=old.draft.rate if old is not None else line.draft.rate,
                original_quantity=None if old is None else old.quantity,
                original_amount=None if old is None else old.amount,
                revised_quantity=line.quantity,
                revised_amount=line.amount,
                reason=line.draft.reason,
            )
        )
    for key, old in before_lines.items():
        if key not in matched:
            items.append(
                ItemPair(
                    code=old.draft.sor_code,
                    description=old.draft.description,
                    unit=old.draft.unit,
                    rate=old.draft.rate,
                    original_quantity=old.quantity,
                    original_amount=old.amount,
                    revised_quantity=None,
                    revised_amount=None,
                    reason="",
                )
            )
    overheads: list[tuple[str, Decimal, Decimal]] = []
    after_overheads = {o.draft.code + o.draft.description: o for o in after.overheads}
    seen: set[str] = set()
    for o in before.overheads:
        key = o.draft.code + o.draft.description
        seen.add(key)
        new = after_overheads.get(key)
        overheads.append((_overhead_label(o.draft), o.amount, ZERO if new is None else new.amount))
    for key, new in after_overheads.items():
        if key not in seen:
            overheads.append((_overhead_label(new.draft), ZERO, new.amount))
    return build_statement(items, overheads)


def _overhead_label(draft: OverheadDraft) -> str:
    if draft.percent is not None:
        return f"{draft.description} @ {plain_text(draft.percent)} %"
    return draft.description
