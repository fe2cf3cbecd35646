"""Reading figures out of a pushed record's canonical JSON: decimals are strings there, and
a value that is not a number is refused naming where it was."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import MeasurementRow, RowKind


def dec(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"{where}: '{value}' is not a number.") from None


def rows(raw: Any, where: str) -> tuple[MeasurementRow, ...]:
    """The measurement rows of a line (plus/minus, name, No., L, B, D)."""
    try:
        return tuple(
            MeasurementRow(
                RowKind(str(r.get("kind", "PLUS"))),
                str(r.get("name", "")),
                dec(r.get("number"), where),
                dec(r.get("length"), where),
                dec(r.get("breadth"), where),
                dec(r.get("depth"), where),
            )
            for r in raw
        )
    except ValueError:
        raise ValidationError(f"{where}: a row's kind is neither plus nor minus.") from None
