"""What approved Measurement Books have measured of an estimate's lines, and the rules of a
revised estimate that depend on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import item_quantity
from mukta_desktop.domain.numbers import ZERO

from .estimate_views import EstimateDraft

# How much of each original line approved MBs have measured, by line id. The Measurement
# Book issue supplies the real figures; until then nothing is measured.
UsedQuantities = Callable[[Session, str], Mapping[str, Decimal]]


def nothing_measured(session: Session, estimate_id: str) -> Mapping[str, Decimal]:
    return {}


used_quantities: UsedQuantities = nothing_measured


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
