"""What approved Measurement Books have measured of an estimate's lines, and the rules of a
revised estimate that depend on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import item_quantity
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import EstimateLine, MbLine, MeasurementBook, WorkOrder

from .estimate_views import EstimateDraft


def used_quantities(session: Session, original_id: str) -> Mapping[str, Decimal]:
    """How much of each item approved MBs have measured, by the original estimate line's id
    (MBs of every work order of the estimate, made against any of its revisions)."""
    used: dict[str, Decimal] = {}
    for key, quantity in session.execute(
        select(MbLine.item_key, MbLine.quantity)
        .join(MeasurementBook, MeasurementBook.id == MbLine.mb_id)
        .join(WorkOrder, WorkOrder.id == MeasurementBook.work_order_id)
        .where(
            WorkOrder.estimate_id == original_id,
            MeasurementBook.status == Status.APPROVED.value,
        )
    ):
        used[key] = used.get(key, ZERO) + quantity
    return used


def check_revision_quantities(
    session: Session, original_id: str | None, draft: EstimateDraft
) -> None:
    """No revised quantity below what approved MBs measured; nothing measured is removed;
    each original item on one line only (an MB measures an item once)."""
    if original_id is None:
        return
    seen: dict[str, int] = {}
    for number, line in enumerate(draft.lines, start=1):
        if line.origin_line_id is None:
            continue
        if line.origin_line_id in seen:
            raise ValidationError(
                f"Lines {seen[line.origin_line_id]} and {number} both continue the same line of "
                "the original estimate; keep one (add a new line for new work).",
                field="lines",
            )
        seen[line.origin_line_id] = number
    used = used_quantities(session, original_id)
    for line_id, measured in used.items():
        if measured > ZERO and line_id not in seen:
            gone = session.get(EstimateLine, line_id)
            name = "A line" if gone is None else f"'{gone.sor_code or gone.description}'"
            raise ValidationError(
                f"{name} has {measured} already measured in approved MBs; it cannot be removed."
            )
    for number, line in enumerate(draft.lines, start=1):
        measured = used.get(line.origin_line_id or "", ZERO)
        quantity = item_quantity(line.rows)
        if quantity < measured:
            raise ValidationError(
                f"Line {number} ({line.sor_code or line.description}): the revised quantity "
                f"{quantity} is below the {measured} already measured in approved MBs."
            )


def with_current_use(
    session: Session, original_id: str | None, draft: EstimateDraft
) -> EstimateDraft:
    """A revision's lines with the quantity approved MBs have measured so far, kept at the
    original line's rate (MBs go on being approved while a revision is prepared)."""
    if original_id is None:
        return draft
    used = used_quantities(session, original_id)
    lines = []
    for line in draft.lines:
        measured = used.get(line.origin_line_id or "", ZERO)
        if measured <= ZERO:
            lines.append(replace(line, used_quantity=None, used_rate=None))
            continue
        rate = line.used_rate
        if rate is None:
            origin = session.get(EstimateLine, line.origin_line_id)
            rate = line.rate if origin is None else origin.rate
        lines.append(replace(line, used_quantity=measured, used_rate=rate))
    return replace(draft, lines=tuple(lines))


def use_is_current(session: Session, original_id: str | None, draft: EstimateDraft) -> bool:
    """Whether a stored revision priced the quantities approved MBs have measured by now."""
    return with_current_use(session, original_id, draft).lines == draft.lines
