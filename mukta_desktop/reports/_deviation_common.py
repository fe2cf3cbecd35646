"""Wording the deviation statement's PDF and Excel versions share."""

from __future__ import annotations

from decimal import Decimal

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.deviation import DeviationRow
from mukta_desktop.domain.numbers import ZERO, format_indian
from mukta_desktop.services.estimate_views import EstimateView

from ._common import project_line

TITLE = "DEVIATION STATEMENT"
EXTRA = "Extra item"
REMOVED = "Item removed"


def compared_line(before: EstimateView, after: EstimateView) -> str:
    return (
        f"Revised estimate {after.number} of {format_date(after.estimate_date)} "
        f"({after.status.label}) against {before.number} of "
        f"{format_date(before.estimate_date)} ({before.status.label})"
    )


def heading_lines(before: EstimateView, after: EstimateView) -> tuple[str, str]:
    return project_line(after), compared_line(before, after)


def remark(row: DeviationRow) -> str:
    if row.extra:
        return EXTRA
    if row.removed:
        return REMOVED
    return ""


def signed_quantity(value: Decimal) -> str:
    text = format_indian(value, 4)
    return f"+{text}" if value > ZERO else text


def signed_percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format_indian(value, 2)
    return f"+{text}" if value > ZERO else text
