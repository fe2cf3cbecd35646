"""Rate analysis (composition) of a works SOR (DESIGN.md §2 "Rate analysis")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.rate_analysis import AnalysisLine, ChargeKind, ExtraCharge, analyse
from mukta_desktop.domain.sor import RateHeads

D = Decimal

MATERIAL = AnalysisLine(
    "MA001", D("2"), RateHeads(material=D("100"), conveyance=D("20"), royalty=D("5"))
)
LABOUR = AnalysisLine("LA001", D("4"), RateHeads(labour=D("400")))


def test_design_example() -> None:
    result = analyse(D("100"), [MATERIAL, LABOUR])
    material, labour = result.line_heads
    assert (material.material, material.conveyance, material.royalty) == (
        D("2.00"), D("0.40"), D("0.10"))
    assert material.labour == D("0")
    assert labour.labour == D("16.00")
    assert result.heads.sum_without_cess() == D("18.50")
    assert result.heads.labour_cess == D("0.19")  # 0.185 half-up
    assert result.heads.total == D("18.69")
    assert result.total == D("18.69")
    assert result.charges == ()
    assert (result.heads.material, result.heads.conveyance, result.heads.royalty,
            result.heads.labour) == (D("2.00"), D("0.40"), D("0.10"), D("16.00"))


def test_rate_defined_for_more_than_one_unit() -> None:
    # Bricks at 5200 + 400 conveyance per 1000 NOS, 4500 bricks for Q = 10:
    # material round2(round2(5200 × 4500 / 10) / 1000) = round2(2340000.00 / 1000) = 2340.00
    bricks = AnalysisLine(
        "BR", D("4500"), RateHeads(material=D("5200.00"), conveyance=D("400.00")), D("1000")
    )
    result = analyse(D("10"), [bricks])
    assert result.line_heads[0].material == D("2340.00")
    assert result.line_heads[0].conveyance == D("180.00")
    assert result.heads.sum_without_cess() == D("2520.00")
    assert result.heads.labour_cess == D("25.20")
    assert result.total == D("2545.20")


def test_each_step_rounds_half_up() -> None:
    # A × q / Q = 33.33 × 1 / 3 = 11.11; / S = 11.11 / 2 = 5.555 → 5.56 (half-up, not 5.55)
    line = AnalysisLine("X", D("1"), RateHeads(material=D("33.33")), D("2"))
    result = analyse(D("3"), [line])
    assert result.line_heads[0].material == D("5.56")
    # 0.05 × 1 / 2 = 0.025 → 0.03 (half-to-even would give 0.02)
    line2 = AnalysisLine("Y", D("1"), RateHeads(labour=D("0.05")))
    assert analyse(D("2"), [line2]).line_heads[0].labour == D("0.03")


def test_inner_rounding_before_dividing_by_s() -> None:
    # A q / Q = 1.005 → 1.01 (round first), then / 2 = 0.505 → 0.51.
    # Without the inner rounding: 1.005 / 2 = 0.5025 → 0.50.
    line = AnalysisLine("Z", D("1"), RateHeads(material=D("100.50")), D("2"))
    assert analyse(D("100"), [line]).line_heads[0].material == D("0.51")


def test_basic_items_own_cess_is_not_carried() -> None:
    with_cess = AnalysisLine("W", D("1"), RateHeads(material=D("100.00"), labour_cess=D("1.00")))
    result = analyse(D("1"), [with_cess])
    assert result.line_heads[0].labour_cess == D("0")
    assert result.heads.labour_cess == D("1.00")  # 1 % of 100.00, computed afresh
    assert result.total == D("101.00")


def test_percent_charge_on_the_sum_of_heads() -> None:
    water = ExtraCharge("Water charges", ChargeKind.PERCENT, D("1"))
    result = analyse(D("100"), [MATERIAL, LABOUR], [water])
    assert result.charges == (D("0.19"),)  # 1 % of 18.50 = 0.185 → 0.19
    assert result.heads.additional == D("0.19")
    assert result.heads.sum_without_cess() == D("18.69")
    assert result.heads.labour_cess == D("0.19")  # 0.1869 → 0.19
    assert result.total == D("18.88")


def test_fixed_charge_booked_to_a_head() -> None:
    carriage = ExtraCharge("Carriage", ChargeKind.FIXED, D("1.50"), head="conveyance")
    result = analyse(D("100"), [MATERIAL, LABOUR], [carriage])
    assert result.charges == (D("1.50"),)
    assert result.heads.conveyance == D("1.90")
    assert result.heads.additional == D("0")
    assert result.heads.sum_without_cess() == D("20.00")
    assert result.heads.labour_cess == D("0.20")
    assert result.total == D("20.20")


def test_percent_charges_are_on_the_base_not_on_each_other() -> None:
    ten = ExtraCharge("Ten", ChargeKind.PERCENT, D("10"))
    fixed = ExtraCharge("Fixed", ChargeKind.FIXED, D("5"))
    result = analyse(D("100"), [MATERIAL, LABOUR], [fixed, ten, ten])
    assert result.charges == (D("5.00"), D("1.85"), D("1.85"))
    assert result.heads.additional == D("8.70")
    assert result.heads.sum_without_cess() == D("27.20")
    assert result.total == D("27.47")  # cess 0.272 → 0.27


def test_empty_analysis_refused() -> None:
    with pytest.raises(ValidationError, match="at least one basic SOR line") as info:
        analyse(D("100"), [])
    assert info.value.field == "lines"


@pytest.mark.parametrize("quantity", [D("0"), D("-1")])
def test_zero_line_quantity_refused(quantity: Decimal) -> None:
    bad = AnalysisLine("LA002", quantity, RateHeads(labour=D("400")))
    with pytest.raises(ValidationError) as info:
        analyse(D("100"), [MATERIAL, bad])
    assert str(info.value) == "Line 2 (LA002): quantity must be above zero."
    assert info.value.field == "quantity"


@pytest.mark.parametrize("quantity", [D("0"), D("-10")])
def test_zero_analysis_quantity_refused(quantity: Decimal) -> None:
    with pytest.raises(ValidationError, match="analysis quantity must be above zero"):
        analyse(quantity, [MATERIAL])


def test_zero_rate_quantity_refused() -> None:
    bad = AnalysisLine("M", D("1"), RateHeads(material=D("1")), D("0"))
    with pytest.raises(ValidationError, match=r"Line 1 \(M\): the rate's defined quantity"):
        analyse(D("1"), [bad])


def test_bad_charges_refused() -> None:
    with pytest.raises(ValidationError, match="unknown head labour_cess"):
        analyse(D("100"), [MATERIAL], [ExtraCharge("Cess", ChargeKind.FIXED, D("1"),
                                                   head="labour_cess")])
    with pytest.raises(ValidationError, match="'Refund' may not be negative"):
        analyse(D("100"), [MATERIAL], [ExtraCharge("Refund", ChargeKind.FIXED, D("-1"))])


def test_custom_cess_percent() -> None:
    result = analyse(D("100"), [MATERIAL, LABOUR], cess_percent=D("0"))
    assert result.total == D("18.50")
