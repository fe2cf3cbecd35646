"""Decimal rounding, parsing and Indian formatting (DESIGN.md §2 "Numbers")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.numbers import (
    MAX_AMOUNT,
    check_decimal,
    decimal_places,
    format_indian,
    format_money,
    parse_decimal,
    round2,
    round4,
    round_rupees,
    to_str2,
)

D = Decimal


# --- rounding: half-up at the documented points -------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.675", "2.68"),  # a float cannot hold 2.675; round(2.675, 2) gives 2.67
        ("49.765", "49.77"),  # the labour cess example
        ("2.665", "2.67"),  # half-to-even would give 2.66
        ("2.664999", "2.66"),
        ("0.005", "0.01"),
        ("-2.675", "-2.68"),  # half away from zero
        ("14249.1069", "14249.11"),
        ("5026.14", "5026.14"),
        ("7", "7.00"),
    ],
)
def test_round2_half_up(value: str, expected: str) -> None:
    result = round2(D(value))
    assert result == D(expected)
    assert str(result) == expected  # always exactly two decimals


def test_round2_is_not_pythons_round() -> None:
    # Python's round() on Decimal is half-to-even, on float it sees 2.67499999...
    assert round(D("2.665"), 2) == D("2.66")
    assert round(2.675, 2) == 2.67
    assert round2(D("2.665")) == D("2.67")
    assert round2(D("2.675")) == D("2.68")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.83505", "2.8351"),
        ("2.83504999", "2.8350"),
        ("0.00005", "0.0001"),
        ("2.00025", "2.0003"),  # half-to-even would give 2.0002
        ("2.835", "2.8350"),
    ],
)
def test_round4_half_up(value: str, expected: str) -> None:
    result = round4(D(value))
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", "1"),
        ("0.49", "0"),
        ("2.5", "3"),  # half-to-even would give 2
        ("1234567.50", "1234568"),
        ("1234567.49", "1234567"),
        ("-0.5", "-1"),
    ],
)
def test_round_rupees_half_up(value: str, expected: str) -> None:
    assert round_rupees(D(value)) == D(expected)
    assert str(round_rupees(D(value))) == expected


def test_round_rupees_differs_from_builtin_round() -> None:
    assert round(D("2.5")) == 2  # banker's rounding: a bug for bills
    assert round_rupees(D("2.5")) == D("3")


def test_decimal_places() -> None:
    assert decimal_places(D("2.50")) == 2
    assert decimal_places(D("2")) == 0
    assert decimal_places(D("1E+2")) == 0
    assert decimal_places(D("0.0001")) == 4


# --- Indian formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("1234567.891", 2, "12,34,567.89"),
        ("1234567.895", 2, "12,34,567.90"),
        ("123456789.5", 2, "12,34,56,789.50"),
        ("-1234567.891", 2, "-12,34,567.89"),
        ("-999.999", 2, "-1,000.00"),
        ("0", 2, "0.00"),
        ("0.5", 2, "0.50"),
        ("7", 2, "7.00"),
        ("999", 2, "999.00"),
        ("1000", 2, "1,000.00"),
        ("100000", 2, "1,00,000.00"),
        ("-0.004", 2, "0.00"),  # rounds to zero: no "-0.00"
        ("1234567.5", 0, "12,34,568"),
        ("1234567.49", 0, "12,34,567"),
        ("-1234567.5", 0, "-12,34,568"),
        ("12", 0, "12"),
        ("2.83505", 4, "2.8351"),
        ("12345.6789", 4, "12,345.6789"),
    ],
)
def test_format_indian(value: str, places: int, expected: str) -> None:
    assert format_indian(D(value), places) == expected


def test_format_money() -> None:
    assert format_money(D("439070.35")) == "4,39,070.35"
    assert format_money(D("5026.14")) == "5,026.14"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5026.14", "5026.14"), ("5026.1", "5026.10"), ("2.675", "2.68"), ("1E+3", "1000.00"),
     ("0", "0.00"), ("1234567.891", "1234567.89")],
)
def test_to_str2(value: str, expected: str) -> None:
    assert to_str2(D(value)) == expected


# --- parsing user input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.5"),
        ("1,234.50", "1234.50"),
        ("12,34,567.89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("  42 ", "42"),
        ("₹ 1,234.50", "1234.50"),
        ("0", "0"),
        (".5", "0.5"),
        ("99999999999.99", "99999999999.99"),
        ("12,345", "12345"),
        ("1,00,00,000", "10000000"),
        ("+7.25", "7.25"),
    ],
)
def test_parse_decimal_accepts(text: str, expected: str) -> None:
    value = parse_decimal(text, field="Rate")
    assert isinstance(value, Decimal)
    assert value == D(expected)


@pytest.mark.parametrize("text", ["123,45", "1,23", "1,234,56", "12,34,56", "1,2345"])
def test_parse_decimal_refuses_misplaced_grouping_commas(text: str) -> None:
    # '123,45' is most likely 123.45 typed with a decimal comma: reading it as 12345 would be
    # a hundredfold error, so it is refused like any other malformed number.
    with pytest.raises(ValidationError, match="is not a number"):
        parse_decimal(text, field="Rate")


def test_parse_decimal_keeps_exact_text_value() -> None:
    assert str(parse_decimal("1,234.50", field="Rate")) == "1234.50"


def test_parse_decimal_quantity_places() -> None:
    assert parse_decimal("2.8350", field="Quantity", places=4) == D("2.835")


@pytest.mark.parametrize("text", ["abc", "1.2.3", "", "   ", "1,2", "12,3456", "1e5", "NaN",
                                  "Infinity", "--5", "5-"])
def test_parse_decimal_refuses_non_numbers(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal(text, field="Rate")
    message = str(info.value)
    assert message.startswith("Rate: ")
    assert "is not a number" in message
    assert "allowed: 0 to 99,99,99,99,999.99 with up to 2 decimals" in message
    assert info.value.field == "Rate"


def test_parse_decimal_refuses_negative() -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal("-5", field="Quantity")
    assert str(info.value) == (
        "Quantity: -5 is negative; allowed: 0 to 99,99,99,99,999.99 with up to 2 decimals."
    )
    assert info.value.field == "Quantity"


def test_parse_decimal_negative_allowed_without_minimum() -> None:
    assert parse_decimal("-5", field="Adjustment", minimum=None) == D("-5")


def test_parse_decimal_below_a_positive_minimum() -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal("0", field="Rate quantity", places=4, minimum=D("0.0001"),
                      maximum=D("99999.9999"))
    assert str(info.value) == (
        "Rate quantity: 0 is below 0.0001; allowed: 0.0001 to 99,999.9999 with up to 4 decimals."
    )


def test_parse_decimal_refuses_too_many_decimals() -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal("1.234", field="Rate")
    assert str(info.value) == (
        "Rate: 1.234 has more than 2 decimals; allowed: 0 to 99,99,99,99,999.99 "
        "with up to 2 decimals."
    )
    # trailing zeros are not extra decimals
    assert parse_decimal("1.2300", field="Rate") == D("1.23")


def test_parse_decimal_refuses_too_large() -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal("1,00,00,00,00,000", field="Amount")
    assert str(info.value) == (
        "Amount: 100000000000 is too large; allowed: 0 to 99,99,99,99,999.99 "
        "with up to 2 decimals."
    )
    with pytest.raises(ValidationError, match="Amount: 100000 is too large; allowed: 0 to 99,999"):
        parse_decimal("100000", field="Amount", places=0, maximum=D("99999"))


def test_parse_decimal_without_maximum_names_the_range() -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal("x", field="N", maximum=None)
    assert "allowed: a number from 0 with up to 2 decimals" in str(info.value)


def test_check_decimal_returns_value_unchanged() -> None:
    assert str(check_decimal(D("12.50"), field="Rate")) == "12.50"
    assert check_decimal(MAX_AMOUNT, field="Rate") == MAX_AMOUNT


def test_check_decimal_refuses_nan_and_infinity() -> None:
    for bad in (D("NaN"), D("Infinity")):
        with pytest.raises(ValidationError, match=r"^Rate: not a number; allowed"):
            check_decimal(bad, field="Rate")
