"""Amounts in words, Indian style (lakh, crore), as estimates and bills print them."""

from __future__ import annotations

from decimal import Decimal

from num2words.lang_EN_IN import Num2Word_EN_IN

from mukta_desktop.domain.numbers import ZERO, round_rupees

CRORE = 10**7
# num2words' Indian English stops below 10^10 (999 crore): larger amounts are said in crores
# of crores ("One Thousand Crore ..."), as Indian usage does.
_NUM2WORDS_LIMIT = 10**10
# Only the Indian English converter: `num2words` itself imports every language it knows.
_EN_IN = Num2Word_EN_IN()


def _words(number: int) -> list[str]:
    if number >= _NUM2WORDS_LIMIT:
        crores, rest = divmod(number, CRORE)
        return [*_words(crores), "crore", *(_words(rest) if rest else [])]
    text = _EN_IN.to_cardinal(number)
    return [word for word in text.replace(",", "").replace("-", " ").split() if word != "and"]


def rupees_in_words(amount: Decimal) -> str:
    """'Rupees Twelve Lakh Thirty Four Thousand Five Hundred Sixty Seven Only' (whole
    rupees, half-up)."""
    rupees = round_rupees(amount)
    if rupees == ZERO:
        return "Rupees Zero Only"
    sign = "Minus " if rupees < ZERO else ""
    words = " ".join(word.capitalize() for word in _words(int(abs(rupees))))
    return f"Rupees {sign}{words} Only"
