"""Decimal quantities and money: parsing, rounding at the documented points, Indian formatting.

Every quantity and amount is a `Decimal`. Rounding is ROUND_HALF_UP, and only where DESIGN.md
§2 says: 4 decimals for measured quantities, 2 for amounts, whole rupees for display of totals.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationError

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
_PAISE = Decimal("0.01")
_QTY = Decimal("0.0001")
_RUPEE = Decimal("1")

# Amounts and quantities we accept from a user: up to this many whole digits.
MAX_AMOUNT = Decimal("99999999999.99")

# Digits, optionally grouped: Western `1,234,567` or Indian `12,34,567`. The last group has
# exactly three digits, so a decimal comma (`123,45`, meaning 123.45) is refused, not read as
# 12345.
_NUMBER_RE = re.compile(
    r"^[+-]?(\d+|\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d*)?$|^[+-]?\.\d+$"
)


def round2(value: Decimal) -> Decimal:
    """Round an amount to paise, half-up (49.765 → 49.77)."""
    return value.quantize(_PAISE, rounding=ROUND_HALF_UP)


def round4(value: Decimal) -> Decimal:
    """Round a measured quantity to 4 decimals, half-up."""
    return value.quantize(_QTY, rounding=ROUND_HALF_UP)


def round_rupees(value: Decimal) -> Decimal:
    """Whole rupees, half-up (50 paise and above go up)."""
    return value.quantize(_RUPEE, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """Number of digits after the decimal point that the value carries (2.50 → 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_decimal(
    text: str,
    *,
    field: str,
    places: int = 2,
    minimum: Decimal | None = ZERO,
    maximum: Decimal | None = MAX_AMOUNT,
) -> Decimal:
    """Parse a number typed by a user: `1234.5`, `1,234.50` or Indian `12,34,567.89`.

    Refuses anything else with a message naming the field and what is allowed.
    """
    cleaned = text.strip().replace(" ", "").replace("₹", "")
    allowed = _allowed_text(places, minimum, maximum)
    if not cleaned or not _NUMBER_RE.match(cleaned):
        raise ValidationError(f"{field}: '{text.strip()}' is not a number; {allowed}.", field=field)
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already filters
        raise ValidationError(
            f"{field}: '{text}' is not a number; {allowed}.", field=field
        ) from exc
    return check_decimal(value, field=field, places=places, minimum=minimum, maximum=maximum)


def check_decimal(
    value: Decimal,
    *,
    field: str,
    places: int = 2,
    minimum: Decimal | None = ZERO,
    maximum: Decimal | None = MAX_AMOUNT,
) -> Decimal:
    """Check range and number of decimals of a value; return it unchanged."""
    allowed = _allowed_text(places, minimum, maximum)
    if not value.is_finite():
        raise ValidationError(f"{field}: not a number; {allowed}.", field=field)
    if minimum is not None and value < minimum:
        what = "negative" if minimum == ZERO else f"below {format_indian(minimum, places)}"
        raise ValidationError(f"{field}: {value} is {what}; {allowed}.", field=field)
    if maximum is not None and value > maximum:
        raise ValidationError(f"{field}: {value} is too large; {allowed}.", field=field)
    if decimal_places(value.normalize()) > places:
        raise ValidationError(
            f"{field}: {value} has more than {places} decimals; {allowed}.", field=field
        )
    return value


def _allowed_text(places: int, minimum: Decimal | None, maximum: Decimal | None) -> str:
    low = "0" if minimum is None or minimum == ZERO else format_indian(minimum, places)
    if maximum is None:
        return f"allowed: a number from {low} with up to {places} decimals"
    return f"allowed: {low} to {format_indian(maximum, places)} with up to {places} decimals"


def format_indian(value: Decimal, places: int = 2) -> str:
    """Indian digit grouping: 1234567.891 → '12,34,567.89' (half-up to `places`)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):.{places}f}"
    whole, _, frac = text.partition(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        whole = ",".join([*groups, tail])
    return f"{sign}{whole}.{frac}" if places else f"{sign}{whole}"


def format_money(value: Decimal) -> str:
    """An amount as shown on screen and paper: '12,34,567.89'."""
    return format_indian(value, 2)


def plain_text(value: Decimal) -> str:
    """A quantity or percentage as people write it, without trailing zeros: 1, 120, 2.5, 7.5."""
    return f"{value.normalize():f}"


def to_str2(value: Decimal) -> str:
    """An amount as a plain string with exactly two decimals ('5026.14'): JSON, files."""
    return f"{round2(value):.2f}"
