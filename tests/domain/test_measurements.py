"""Measurement rows (DESIGN.md §2 "Measurements"): N × L × B × D, blanks, zeros, bounds,
4-decimal half-up rounding, plus and minus rows."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import (
    MeasurementRow,
    RowKind,
    check_row,
    item_quantity,
    row_warning,
)
from mukta_desktop.domain.sor import line_amount

D = Decimal
FACTORS = ("number", "length", "breadth", "depth")
LABELS = {"number": "No.", "length": "L", "breadth": "B", "depth": "D"}


def row(
    n: str | None = None,
    length: str | None = None,
    b: str | None = None,
    d: str | None = None,
    *,
    kind: RowKind = RowKind.PLUS,
) -> MeasurementRow:
    def dec(text: str | None) -> Decimal | None:
        return None if text is None else D(text)

    return MeasurementRow(
        kind=kind, number=dec(n), length=dec(length), breadth=dec(b), depth=dec(d)
    )


# --- the design example ----------------------------------------------------------------------


def test_design_example_row_quantity_and_amount() -> None:
    r = row("2", "10.5", "0.45", "0.3")
    check_row(r, where="Row 1")
    assert r.quantity == D("2.8350")
    assert str(r.quantity) == "2.8350"  # kept at 4 decimals
    assert row_warning(r, where="Row 1") is None
    amount = line_amount(r.quantity, D("5026.14"))
    assert amount == D("14249.11")  # 14249.1069 half-up
    assert str(amount) == "14249.11"


def test_quantity_is_decimal_with_four_places() -> None:
    r = row("3")
    assert isinstance(r.quantity, Decimal)
    assert r.quantity.as_tuple().exponent == -4
    assert str(r.quantity) == "3.0000"


# --- blanks count as 1 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factors", "expected"),
    [
        (("2", None, None, None), "2.0000"),
        ((None, "10.5", None, None), "10.5000"),
        ((None, None, "0.45", None), "0.4500"),
        ((None, None, None, "0.3"), "0.3000"),
        ((None, "10.5", "0.45", "0.3"), "1.4175"),  # no count: one of it
        (("2", "10.5", None, "0.3"), "6.3000"),
        (("2", "10.5", "0.45", None), "9.4500"),
        (("2", None, None, "0.3"), "0.6000"),
    ],
)
def test_blank_factors_count_as_one(factors: tuple[str | None, ...], expected: str) -> None:
    r = row(*factors)
    check_row(r, where="Row 2")
    assert r.quantity == D(expected)
    assert row_warning(r, where="Row 2") is None  # a blank is not a zero


def test_all_blank_row_refused_naming_the_row() -> None:
    r = row()
    with pytest.raises(ValidationError) as caught:
        check_row(r, where="Item 3, row 7")
    assert "Item 3, row 7" in caught.value.message
    assert "No., L, B, D" in caught.value.message


def test_all_blank_minus_row_refused_too() -> None:
    with pytest.raises(ValidationError, match="Row 4"):
        check_row(row(kind=RowKind.MINUS), where="Row 4")


# --- a typed zero is a real zero -----------------------------------------------------------


@pytest.mark.parametrize("which", FACTORS)
def test_typed_zero_is_a_real_zero_with_a_warning(which: str) -> None:
    values: dict[str, str | None] = {
        "number": "2",
        "length": "10.5",
        "breadth": "0.45",
        "depth": "0.3",
    }
    values[which] = "0"
    r = row(values["number"], values["length"], values["breadth"], values["depth"])
    check_row(r, where="Row 5")  # valid ...
    assert r.quantity == D("0")  # ... and measures nothing (not 1, not the other factors)
    assert r.measures_nothing
    warning = row_warning(r, where="Row 5")
    assert warning is not None
    assert "Row 5" in warning
    assert "measures nothing" in warning


def test_zero_with_decimals_is_zero_too() -> None:
    r = row("0.0000", "10.5")
    check_row(r, where="Row 1")
    assert r.quantity == 0
    assert r.measures_nothing


def test_non_zero_row_has_no_warning() -> None:
    r = row("1", "0.0001")
    assert not r.measures_nothing
    assert row_warning(r, where="Row 1") is None
    assert r.quantity == D("0.0001")


def test_zero_minus_row_deducts_nothing() -> None:
    rows = [row("10"), row("0", "5", kind=RowKind.MINUS)]
    assert item_quantity(rows) == D("10.0000")


# --- refused inputs: negative, over the bound, more than 4 decimals --------------------------


@pytest.mark.parametrize("which", FACTORS)
def test_negative_factor_refused_naming_row_and_factor(which: str) -> None:
    values: dict[str, str | None] = {
        "number": "2",
        "length": "10.5",
        "breadth": "0.45",
        "depth": "0.3",
    }
    values[which] = "-1.5"
    r = row(values["number"], values["length"], values["breadth"], values["depth"])
    with pytest.raises(ValidationError) as caught:
        check_row(r, where="Row 6")
    message = caught.value.message
    assert f"Row 6, {LABELS[which]}:" in message
    assert "negative" in message
    assert caught.value.field == f"Row 6, {LABELS[which]}"


@pytest.mark.parametrize("which", FACTORS)
def test_over_range_factor_refused_naming_row_and_factor(which: str) -> None:
    values: dict[str, str | None] = {"number": None, "length": None, "breadth": None, "depth": None}
    values[which] = "100000"
    r = row(values["number"], values["length"], values["breadth"], values["depth"])
    with pytest.raises(ValidationError) as caught:
        check_row(r, where="Row 8")
    message = caught.value.message
    assert f"Row 8, {LABELS[which]}:" in message
    assert "too large" in message
    assert "99,999.9999" in message  # says what is allowed


@pytest.mark.parametrize("value", ["99999.99991", "100000.0000", "1E+6"])
def test_just_over_the_bound_refused(value: str) -> None:
    with pytest.raises(ValidationError, match=r"Row 1, L"):
        check_row(row(length=value), where="Row 1")


def test_the_bound_itself_is_allowed() -> None:
    r = row("99999.9999")
    check_row(r, where="Row 1")
    assert r.quantity == D("99999.9999")


@pytest.mark.parametrize("which", FACTORS)
def test_five_decimals_refused_naming_row_and_factor(which: str) -> None:
    values: dict[str, str | None] = {"number": "1", "length": "1", "breadth": "1", "depth": "1"}
    values[which] = "0.12345"
    r = row(values["number"], values["length"], values["breadth"], values["depth"])
    with pytest.raises(ValidationError) as caught:
        check_row(r, where="Row 9")
    message = caught.value.message
    assert f"Row 9, {LABELS[which]}:" in message
    assert "more than 4 decimals" in message


def test_four_decimals_allowed() -> None:
    r = row("1", "0.1234", "1.0001", "12345.6789")
    check_row(r, where="Row 1")


def test_first_bad_factor_is_the_one_named() -> None:
    with pytest.raises(ValidationError, match=r"Row 2, No\.:"):
        check_row(row("-1", "-2"), where="Row 2")


# --- rounding at 4 decimals, half-up ---------------------------------------------------------


@pytest.mark.parametrize(
    ("factors", "exact", "half_up", "half_even"),
    [
        # 1.2345 × 0.5 = 0.61725: the 5th decimal is a 5 after an even digit.
        ((None, "1.2345", "0.5", None), "0.61725", "0.6173", "0.6172"),
        # 0.0001 × 0.5 = 0.00005: half-up gives 0.0001, half-to-even gives nothing.
        ((None, "0.0001", "0.5", None), "0.00005", "0.0001", "0.0000"),
        # 2 × 1.0125 × 0.25 × 0.5 = 0.253125 → 0.2531 either way (below half)
        (("2", "1.0125", "0.25", "0.5"), "0.253125", "0.2531", "0.2531"),
        # 3 × 0.1235 × 0.5 = 0.18525 → 0.1853 (half-up) vs 0.1852 (even)
        (("3", "0.1235", "0.5", None), "0.18525", "0.1853", "0.1852"),
    ],
)
def test_row_rounds_half_up_at_four_decimals(
    factors: tuple[str | None, ...], exact: str, half_up: str, half_even: str
) -> None:
    r = row(*factors)
    product = D(1)
    for factor in factors:
        if factor is not None:
            product *= D(factor)
    assert product == D(exact)
    assert r.quantity == D(half_up)
    assert str(r.quantity) == half_up
    # Python's round() is half-to-even: that would be a bug here.
    assert round(D(exact), 4) == D(half_even)


def test_rounding_is_exact_for_large_factors_within_the_bounds() -> None:
    """Four factors ≤ 99,999.9999 with 4 decimals make up to 37 digits: more than the default
    28-digit context holds, which rounded twice (half-even, then half-up) before the fix."""
    factors = ("87211.7946", "85971.0795", "90275.9183", "56437.4308")
    r = row(*factors)
    check_row(r, where="Row 1")
    with localcontext() as ctx:
        ctx.prec = 60
        product = D(1)
        for factor in factors:
            product *= D(factor)
    assert str(product).split(".")[1][:5] == "21364"  # …125.21364…: rounds to .2136
    assert r.quantity == D("38200298212660436125.2136")


# --- item quantity: Σ plus − Σ minus ----------------------------------------------------------


def test_item_quantity_plus_minus_rows() -> None:
    rows = [row("10"), row("2", kind=RowKind.MINUS)]
    assert item_quantity(rows) == D("8")
    assert str(item_quantity(rows)) == "8.0000"


def test_item_quantity_several_rows() -> None:
    rows = [
        row("2", "10.5", "0.45", "0.3"),  # 2.8350
        row("1", "4.25", "0.45", "0.3"),  # 0.57375 → 0.5738
        row("1", "1.2", "0.45", "0.3", kind=RowKind.MINUS),  # 0.1620
        row(None, "1.2345", "0.5", None, kind=RowKind.MINUS),  # 0.61725 → 0.6173
    ]
    assert [r.signed_quantity for r in rows] == [
        D("2.8350"),
        D("0.5738"),
        D("-0.1620"),
        D("-0.6173"),
    ]
    # each row is rounded first, then summed: 2.8350 + 0.5738 − 0.1620 − 0.6173
    assert item_quantity(rows) == D("2.6295")


def test_item_quantity_of_no_rows_is_zero() -> None:
    assert item_quantity([]) == D("0")


def test_minus_row_quantity_is_unsigned_signed_quantity_negative() -> None:
    r = row("2", "1.5", kind=RowKind.MINUS)
    assert r.quantity == D("3.0000")
    assert r.signed_quantity == D("-3.0000")


def test_item_quantity_accepts_a_generator() -> None:
    assert item_quantity(row(str(n)) for n in (1, 2, 3)) == D("6.0000")
