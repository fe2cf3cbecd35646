"""Turning cell values (text, int, float from openpyxl, Decimal from JSON) into text and Decimal.

No float arithmetic: a float cell becomes `Decimal(repr(value))`, the shortest text that reads
back as the same float, so 1307.8 stays 1307.8.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mukta_desktop.domain.numbers import format_indian

# Spreadsheet sums such as 32001.010000000002 are 2-decimal amounts with binary float noise;
# anything further from its rounding than this is a real extra decimal.
FLOAT_NOISE = Decimal("0.000001")
# A number in a text cell is written out in digits up to this exponent, else as 1E+1000000.
_PLAIN_DIGITS = 40
_SHOWN_CHARACTERS = 40


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
        if not value.is_finite() or abs(value.adjusted()) > _PLAIN_DIGITS:
            return str(value)  # 1E+1000000 stays short (and normalize() would overflow)
        return f"{_stripped(value):f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def number_of(
    value: object, *, places: int, maximum: Decimal, above_zero: bool = False
) -> Decimal | None:
    """A cell as a Decimal from 0 (or above 0) to `maximum` with at most `places` decimals;
    None when blank.

    Nothing is rounded except binary noise of a float cell: a value with more decimals is
    refused, however far out its extra digit is. Raises BadValue with a message fit for the user.
    """
    number = _decimal(value)
    if number is None:
        return None
    if number < 0:
        raise BadValue(f"{_shown(number)} is negative; amounts and quantities may not be negative")
    # Compared exactly, whatever the exponent (1E+1000000), before anything works on the digits.
    if number > maximum:
        low = "above 0" if above_zero else "0"
        raise BadValue(
            f"{_shown(number)} is too large; allowed: {low} to "
            f"{format_indian(maximum, places)} with up to {places} decimals"
        )
    return _checked(number, places, allow_noise=isinstance(value, float))


def plain(number: Decimal) -> Decimal:
    """The same value without trailing zeros and in plain notation (120.00 -> 120, 1.50 -> 1.5).

    Exact for any number of digits (normalize() would round to the context's 28 digits); for
    values within the import's bounds only: the digits are written out in full.
    """
    return Decimal(f"{_stripped(number):f}")


def _decimal(value: object) -> Decimal | None:
    """A cell as a finite Decimal, None when blank."""
    if value is None:
        return None
    if isinstance(value, float):
        return _finite(Decimal(repr(value)), repr(value))
    if isinstance(value, str):
        shown = value.strip()
        if not shown:
            return None
        cleaned = unquote(shown).replace(",", "").replace("₹", "").replace(" ", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise BadValue(f"'{_cut(shown)}' is not a number") from None
        return _finite(number, shown)
    if isinstance(value, bool):
        raise BadValue(f"'{value}' is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return _finite(value, str(value))
    raise BadValue(f"'{_cut(text_of(value))}' is not a number")


def _finite(number: Decimal, shown: str) -> Decimal:
    if not number.is_finite():
        raise BadValue(f"'{_cut(shown)}' is not a number")
    return number


def _checked(number: Decimal, places: int, *, allow_noise: bool) -> Decimal:
    if _places(number) <= places:
        return number
    if allow_noise:  # a float cell: at most 17 significant digits, and within the maximum
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if abs(number - rounded) <= FLOAT_NOISE:
            return rounded
    raise BadValue(f"{_shown(number)} has more than {places} decimals")


def _stripped(number: Decimal) -> Decimal:
    """The same finite value without trailing zeros (1.50 -> 1.5, 100 -> 1E+2), built exactly
    from its digits: no context, so no rounding and no overflow."""
    if number.is_zero():
        return Decimal(0)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    kept = bytes(digits).rstrip(b"\0")
    return Decimal((sign, tuple(kept), exponent + len(digits) - len(kept)))


def _places(number: Decimal) -> int:
    """How many decimals a finite value really has (2.50 -> 1, 0.1000…0001 -> all of them)."""
    exponent = _stripped(number).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _shown(number: Decimal) -> str:
    return _cut(str(number))


def _cut(text: str) -> str:
    """A value as quoted in a message: long ones cut short."""
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 3] + "..."
