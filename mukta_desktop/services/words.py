"""Amounts in words, Indian style (lakh, crore), as estimates and bills print them."""

from __future__ import annotations

from decimal import Decimal

from num2words import num2words

from mukta_desktop.domain.numbers import ZERO, round_rupees


def rupees_in_words(amount: Decimal) -> str:
    """'Rupees Twelve Lakh Thirty Four Thousand Five Hundred Sixty Seven Only' (whole
    rupees, half-up)."""
    rupees = round_rupees(amount)
    if rupees == ZERO:
        return "Rupees Zero Only"
    sign = "Minus " if rupees < ZERO else ""
    text = num2words(int(abs(rupees)), lang="en_IN")
    plain = text.replace(",", "").replace("-", " ").split()
    words = " ".join(word.capitalize() for word in plain if word != "and")
    return f"Rupees {sign}{words} Only"
