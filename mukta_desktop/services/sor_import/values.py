"""Turning cell values (text, int, float from openpyxl, Decimal from JSON) into text and Decimal.

No float arithmetic: a float cell becomes `Decimal(repr(value))`, the shortest text that reads
back as the same float, so 1307.8 stays 1307.8.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mukta_desktop.domain.numbers import decimal_places

# Spreadsheet sums such as 32001.010000000002 are 2-decimal amounts with binary float noise;
# anything further from its rounding than this is a real extra decimal.
FLOAT_NOISE = Decimal("0.000001")


class BadValue(Exception):
    """A cell value that cannot be used; the message is shown to the user as is."""


def unquote(text: str) -> str:
    """Strip one pair of wrapping double quotes, as the rate-analysis template writes its text.

    The template writes JSON string literals ('"3\\'-6\\\\""'): when the text decodes as one, the
    decoded text is used so that escaped inner quotes come out plain.
    """
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return text
    try:
        decoded = json.loads(text)
    except ValueError:
        return text[1:-1].strip()
    return decoded.strip() if isinstance(decoded, str) else text[1:-1].strip()


def text_of(value: object) -> str:
    """A cell as text, trimmed and unquoted; '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unquote(value.strip())
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value.is_finite() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def number_of(value: object, *, places: int) -> Decimal | None:
    """A cell as a non-negative Decimal with at most `places` decimals; None when blank.

    Raises BadValue with a message fit for the user.
    """
    number: Decimal | None
    if value is None:
        return None
    if isinstance(value, float):
        number = _checked(_finite(Decimal(repr(value)), repr(value)), places, allow_noise=True)
    elif isinstance(value, str):
        number = _from_text(value, places)
    elif isinstance(value, bool):
        raise BadValue(f"'{value}' is not a number")
    elif isinstance(value, int):
        number = _checked(Decimal(value), places, allow_noise=False)
    elif isinstance(value, Decimal):
        number = _checked(_finite(value, str(value)), places, allow_noise=False)
    else:
        raise BadValue(f"'{text_of(value)}' is not a number")
    if number is not None and number < 0:
        raise BadValue(f"{number} is negative; amounts and quantities may not be negative")
    return number


def _from_text(value: str, places: int) -> Decimal | None:
    shown = value.strip()
    if not shown:
        return None
    cleaned = unquote(shown).replace(",", "").replace("₹", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise BadValue(f"'{shown}' is not a number") from None
    return _checked(_finite(number, shown), places, allow_noise=False)


def _finite(number: Decimal, shown: str) -> Decimal:
    if not number.is_finite():
        raise BadValue(f"'{shown}' is not a number")
    return number


def _checked(number: Decimal, places: int, *, allow_noise: bool) -> Decimal:
    if decimal_places(number.normalize()) <= places:
        return number
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if allow_noise and abs(number - rounded) <= FLOAT_NOISE:
        return rounded
    raise BadValue(f"{number} has more than {places} decimals")
