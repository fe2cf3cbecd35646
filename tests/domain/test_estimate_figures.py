"""Estimate figures (DESIGN.md §2 "Estimate" and "Revised estimate"): line amounts, overheads
on the SOR + non-SOR total, lump sums, totals, the cost analysis and revised-line pricing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import (
    LUMP_SUM_CODE,
    CostAnalysis,
    Line,
    LineCategory,
    Overhead,
    OverheadKind,
    check_has_lines,
    check_overheads,
    compute,
    line_amount_with_used,
)
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.sor import RateHeads, SorType, complete_heads

D = Decimal

# Heads as in tests/domain/test_sor_rates.py; labour cess computed (49.76 and 4347.23).
FL00001 = complete_heads(
    SorType.WORKS,
    RateHeads(
        material=D("1307.80"), labour=D("3598.02"), machinery=D("66.01"), additional=D("4.55")
    ),
)
CC00001 = complete_heads(
    SorType.WORKS,
    RateHeads(
        material=D("329935.45"),
        labour=D("7095.84"),
        machinery=D("49760.82"),
        conveyance=D("32001.01"),
        royalty=D("15930.00"),
    ),
)

SC = Overhead("SC", "Supervision Charge", OverheadKind.PERCENT, percent=D("7.5"))
GST = Overhead("GST", "Goods and Services Tax", OverheadKind.PERCENT, percent=D("18"))


def rows(
    *factors: tuple[str | None, ...], minus: tuple[str, ...] = ()
) -> tuple[MeasurementRow, ...]:
    def dec(text: str | None) -> Decimal | None:
        return None if text is None else D(text)

    plus = [
        MeasurementRow(RowKind.PLUS, "", *(dec(f) for f in (*f4, None, None, None)[:4]))
        for f4 in factors
    ]
    less = [MeasurementRow(RowKind.MINUS, "", D(n)) for n in minus]
    return (*plus, *less)


def fl_line() -> Line:
    return Line(
        category=LineCategory.SOR,
        description="Flooring",
        unit="SQM",
        rate=D("5026.14"),
        rows=rows(("2", "10.5", "0.45", "0.3")),
        sor_code="FL00001",
        heads=FL00001,
    )


def non_sor_line(rate: str = "1234.56", quantity: str = "2.5") -> Line:
    return Line(
        category=LineCategory.NON_SOR,
        description="Display board",
        unit="No",
        rate=D(rate),
        rows=rows((quantity,)),
    )


def cc_line() -> Line:
    return Line(
        category=LineCategory.SOR,
        description="Cement concrete",
        unit="CUM",
        rate=D("439070.35"),
        rows=rows(("60",)),
        rate_quantity=D("120"),
        sor_code="CC00001",
        heads=CC00001,
    )


def lump(amount: str, description: str = "Lump sum") -> Overhead:
    return Overhead(LUMP_SUM_CODE, description, OverheadKind.LUMPSUM, lump_sum=D(amount))


# --- the heads these examples rest on -------------------------------------------------------


def test_example_rates() -> None:
    assert FL00001.labour_cess == D("49.76")
    assert FL00001.total == D("5026.14")
    assert CC00001.labour_cess == D("4347.23")
    assert CC00001.total == D("439070.35")


# --- lines ----------------------------------------------------------------------------------


def test_sor_line_quantity_and_amount() -> None:
    line = fl_line()
    assert line.quantity == D("2.8350")
    assert line.amount == D("14249.11")  # 14249.1069


def test_non_sor_line_amount() -> None:
    line = non_sor_line()
    assert line.quantity == D("2.5")
    assert line.amount == D("3086.40")


def test_line_quantity_is_plus_minus_rows() -> None:
    line = Line(LineCategory.NON_SOR, "x", "No", D("120.50"), rows(("10",), minus=("2",)))
    assert line.quantity == D("8")
    assert line.amount == D("964.00")


def test_rate_quantity_120_line() -> None:
    line = cc_line()
    # 60 × 439070.35 ÷ 120 = 219535.175 → 219535.18 (half-up; half-even would give .18 too,
    # so check the exact product as well)
    assert line.quantity * line.rate / line.rate_quantity == D("219535.175")
    assert line.amount == D("219535.18")


def test_rate_quantity_half_paise_goes_up() -> None:
    # 1 × 100.25 ÷ 10 = 10.025 → 10.03 (half-to-even would give 10.02)
    line = Line(LineCategory.SOR, "x", "CUM", D("100.25"), rows(("1",)), rate_quantity=D("10"))
    assert line.amount == D("10.03")


# --- totals and overheads -------------------------------------------------------------------


def test_sor_non_sor_overheads_and_lump_sums() -> None:
    lines = [fl_line(), non_sor_line()]
    overheads = [SC, GST, lump("500"), lump("250.25", "Site board")]
    totals = compute(lines, overheads)

    assert totals.line_amounts == (D("14249.11"), D("3086.40"))
    assert totals.sor_total == D("14249.11")
    assert totals.non_sor_total == D("3086.40")
    # base 17335.51: SC 7.5 % = 1300.16325 → 1300.16; GST 18 % = 3120.3918 → 3120.39
    assert totals.overhead_amounts == (D("1300.16"), D("3120.39"), D("500.00"), D("250.25"))
    assert totals.overhead_total == D("5170.80")
    assert totals.total == D("22506.31")
    assert str(totals.total) == "22506.31"  # stored exact, not in whole rupees
    assert totals.total_rupees == D("22506")


def test_gst_is_on_the_line_total_not_on_supervision_charge() -> None:
    totals = compute([fl_line(), non_sor_line()], [SC, GST])
    # GST on (SOR + non-SOR + SC) would be 18 % of 18635.67 = 3354.42
    assert totals.overhead_amounts[1] == D("3120.39")
    assert totals.overhead_amounts[1] != D("3354.42")
    # and the order of overheads does not matter
    swapped = compute([fl_line(), non_sor_line()], [GST, SC])
    assert swapped.overhead_amounts == (D("3120.39"), D("1300.16"))
    assert swapped.total == totals.total == D("21756.06")


@pytest.mark.parametrize(
    ("percent", "base", "expected"),
    [
        ("7.5", "3.00", "0.23"),  # 0.225: half-up (half-even would give 0.22)
        ("18", "0.25", "0.05"),  # 0.045 (half-even: 0.04)
        ("7.5", "17335.51", "1300.16"),
        ("18", "17335.51", "3120.39"),
        ("0", "17335.51", "0.00"),
    ],
)
def test_percent_overhead_rounds_half_up(percent: str, base: str, expected: str) -> None:
    overhead = Overhead("X", "x", OverheadKind.PERCENT, percent=D(percent))
    amount = overhead.amount_on(D(base))
    assert amount == D(expected)
    assert str(amount) == expected


def test_lump_sum_ignores_the_base() -> None:
    assert lump("500").amount_on(D("17335.51")) == D("500.00")
    assert lump("0").amount_on(D("99")) == D("0.00")


def test_total_is_the_sum_of_its_parts() -> None:
    lines = [fl_line(), cc_line(), non_sor_line()]
    totals = compute(lines, [SC, GST, lump("1000")])
    assert totals.sor_total == D("14249.11") + D("219535.18")
    assert totals.non_sor_total == D("3086.40")
    base = D("236870.69")
    assert totals.sor_total + totals.non_sor_total == base
    # SC 17765.30175 → 17765.30; GST 42636.7242 → 42636.72
    assert totals.overhead_amounts == (D("17765.30"), D("42636.72"), D("1000.00"))
    assert totals.total == D("298272.71")
    assert totals.total_rupees == D("298273")


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        ("100.50", "101"),  # 50 paise goes up (round() would give 100)
        ("101.50", "102"),
        ("100.49", "100"),
        ("100.51", "101"),
        ("99.99", "100"),
    ],
)
def test_total_shown_in_whole_rupees_half_up(rate: str, shown: str) -> None:
    totals = compute([non_sor_line(rate=rate, quantity="1")], [])
    assert totals.total == D(rate)
    assert totals.total_rupees == D(shown)
    assert str(totals.total_rupees) == shown


def test_python_round_would_be_wrong_for_the_shown_total() -> None:
    totals = compute([non_sor_line(rate="100.50", quantity="1")], [])
    assert round(totals.total) == 100  # half-to-even: the bug the design warns about
    assert totals.total_rupees == 101


def test_no_overheads() -> None:
    totals = compute([fl_line()], [])
    assert totals.overhead_amounts == ()
    assert totals.overhead_total == D("0")
    assert totals.total == D("14249.11")
    assert totals.total_rupees == D("14249")


def test_only_non_sor_lines() -> None:
    totals = compute([non_sor_line()], [SC])
    assert totals.sor_total == D("0")
    assert totals.non_sor_total == D("3086.40")
    assert totals.overhead_amounts == (D("231.48"),)  # 231.48
    assert totals.total == D("3317.88")


# --- overheads: each code once, lump sums may repeat ----------------------------------------


def test_each_overhead_code_once() -> None:
    check_overheads([SC, GST])
    with pytest.raises(ValidationError) as caught:
        check_overheads(
            [SC, GST, Overhead("SC", "Supervision Charge", OverheadKind.PERCENT, percent=D("5"))]
        )
    assert "SC" in caught.value.message
    assert "Supervision Charge" in caught.value.message
    assert "once" in caught.value.message
    assert caught.value.field == "overheads"


def test_lump_sums_may_repeat() -> None:
    check_overheads([SC, lump("100"), lump("200"), lump("0"), GST])


def test_lump_sum_needs_an_amount() -> None:
    with pytest.raises(ValidationError, match="Site board"):
        check_overheads([Overhead(LUMP_SUM_CODE, "Site board", OverheadKind.LUMPSUM)])


def test_lump_sum_may_not_be_negative() -> None:
    with pytest.raises(ValidationError, match="Site board"):
        check_overheads([lump("-1", "Site board")])


# --- cost analysis ----------------------------------------------------------------------------

# Written out from DESIGN.md, not taken from the module under test.
MATERIAL_HEADS = ("material", "conveyance", "royalty", "dmf", "emf", "additional", "labour_cess")


@pytest.mark.parametrize("head", MATERIAL_HEADS)
def test_material_heads_count_as_material(head: str) -> None:
    heads = RateHeads(**{head: D("10.01")})
    line = Line(LineCategory.SOR, "x", "CUM", D("10.01"), rows(("3",)), heads=heads)
    totals = compute([line], [])
    assert totals.analysis == CostAnalysis(D("30.03"), D("0"), D("0"))


def test_labour_and_machinery_heads() -> None:
    heads = RateHeads(labour=D("7.00"), machinery=D("5.00"))
    line = Line(LineCategory.SOR, "x", "CUM", D("12.00"), rows(("3",)), heads=heads)
    assert compute([line], []).analysis == CostAnalysis(D("0"), D("21.00"), D("15.00"))


def test_fl00001_analysis() -> None:
    totals = compute([fl_line()], [])
    # material = 1307.80 + 4.55 + 49.76 = 1362.11 per SQM × 2.835 = 3861.58185
    # labour 3598.02 × 2.835 = 10200.3867; machinery 66.01 × 2.835 = 187.13835
    assert totals.analysis == CostAnalysis(D("3861.58"), D("10200.39"), D("187.14"))
    a = totals.analysis
    assert a.material + a.labour + a.machinery == totals.sor_total


def test_analysis_with_rate_quantity() -> None:
    totals = compute([cc_line()], [])
    # per 120 CUM: material 329935.45 + 32001.01 + 15930.00 + 4347.23 = 382213.69
    # × 60 ÷ 120 = 191106.845 → 191106.85; labour 3547.92; machinery 24880.41
    assert totals.analysis == CostAnalysis(D("191106.85"), D("3547.92"), D("24880.41"))


def test_non_sor_lines_contribute_nothing_to_the_analysis() -> None:
    totals = compute([fl_line(), non_sor_line(), cc_line()], [SC, GST])
    assert totals.analysis == CostAnalysis(
        D("3861.58") + D("191106.85"),
        D("10200.39") + D("3547.92"),
        D("187.14") + D("24880.41"),
    )
    only_non_sor = compute([non_sor_line()], [SC])
    assert only_non_sor.analysis == CostAnalysis(D("0"), D("0"), D("0"))


def test_overheads_are_not_in_the_analysis() -> None:
    with_overheads = compute([fl_line()], [SC, GST, lump("999")])
    assert with_overheads.analysis == compute([fl_line()], []).analysis


# --- revised lines: used quantity at the original rate ---------------------------------------


def test_revised_line_worked_example() -> None:
    # +10 −2 = 8; 5 already measured at 100.00; the rest at the rate now in force, 120.50
    line = Line(
        LineCategory.SOR,
        "x",
        "CUM",
        D("120.50"),
        rows(("10",), minus=("2",)),
        used_quantity=D("5"),
        used_rate=D("100.00"),
    )
    assert line.quantity == D("8")
    # round2(5 × 100.00) + round2(3 × 120.50) = 500.00 + 361.50
    assert line.amount == D("861.50")
    assert compute([line], []).sor_total == D("861.50")
    # at the new rate throughout it would be 964.00
    assert line_amount_with_used(D("8"), D("120.50"), D("1")) == D("964.00")


def test_revised_line_parts_are_rounded_separately() -> None:
    # per 3 units: used 1 at 100 → 33.33; the other 1 at 100 → 33.33; total 66.66
    amount = line_amount_with_used(D("2"), D("100"), D("3"), D("1"), D("100"))
    assert amount == D("66.66")
    # pricing the 2 units in one go would give 66.67
    assert line_amount_with_used(D("2"), D("100"), D("3")) == D("66.67")


def test_revised_line_parts_with_rate_quantity() -> None:
    # CC00001-like, per 120: 30 used at 434723.12 → 108680.78; 30 more at 439070.35 →
    # 109767.5875 → 109767.59
    amount = line_amount_with_used(D("60"), D("439070.35"), D("120"), D("30"), D("434723.12"))
    assert amount == D("108680.78") + D("109767.59")
    assert amount == D("218448.37")


def test_all_used() -> None:
    assert line_amount_with_used(D("5"), D("120.50"), D("1"), D("5"), D("100")) == D("500.00")


@pytest.mark.parametrize(
    ("used", "used_rate"), [(None, None), ("0", "100"), ("5", None), (None, "100")]
)
def test_nothing_used_prices_everything_at_the_rate(
    used: str | None, used_rate: str | None
) -> None:
    amount = line_amount_with_used(
        D("8"),
        D("120.50"),
        D("1"),
        None if used is None else D(used),
        None if used_rate is None else D(used_rate),
    )
    assert amount == D("964.00")


def test_rate_quantity_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        line_amount_with_used(D("1"), D("1"), D("0"))


# --- at least one line ------------------------------------------------------------------------


def test_check_has_lines() -> None:
    with pytest.raises(ValidationError) as caught:
        check_has_lines([])
    assert "at least one SOR or non-SOR line" in caught.value.message
    assert caught.value.field == "lines"
    check_has_lines([fl_line()])
    check_has_lines([non_sor_line()])
