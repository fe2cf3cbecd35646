"""What approved Measurement Books have measured of an estimate's lines, and the rules of a
revised estimate that depend on it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import item_quantity
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import MbLine, MeasurementBook, WorkOrder

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
    """No revised quantity below what approved MBs measured; nothing measured is removed."""
    if original_id is None:
        return
    used = used_quantities(session, original_id)
    kept = {line.origin_line_id for line in draft.lines if line.origin_line_id}
    for line_id, measured in used.items():
        if measured > ZERO and line_id not in kept:
            raise ValidationError(
                f"A line with {measured} already measured in approved MBs cannot be removed."
            )
    for number, line in enumerate(draft.lines, start=1):
        measured = used.get(line.origin_line_id or "", ZERO)
        quantity = item_quantity(line.rows)
        if quantity < measured:
            raise ValidationError(
                f"Line {number} ({line.sor_code or line.description}): the revised quantity "
                f"{quantity} is below the {measured} already measured in approved MBs."
            )
