"""SOR rate rules (DESIGN.md §2 "SOR rate"): heads, labour cess, amounts, effective dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.sor import (
    INPUT_HEADS,
    STATE_TENANT,
    DatedRate,
    RateHeads,
    SorType,
    check_heads,
    check_new_rate_date,
    complete_heads,
    effective_rate,
    labour_cess,
    line_amount,
    rate_periods,
)

D = Decimal

FL00001 = RateHeads(
    material=D("1307.80"), labour=D("3598.02"), machinery=D("66.01"), additional=D("4.55")
)
# CC00001, per 120 CUM: the real heads of the published rate.
CC00001 = RateHeads(
    material=D("329935.45"), labour=D("7095.84"), machinery=D("49760.82"),
    conveyance=D("32001.01"), royalty=D("15930.00"),
)


# --- totals and labour cess ----------------------------------------------------------------


def test_fl00001_heads_cess_and_total() -> None:
    assert FL00001.sum_without_cess() == D("4976.38")
    assert labour_cess(FL00001) == D("49.76")
    complete = complete_heads(SorType.WORKS, FL00001)
    assert complete.labour_cess == D("49.76")
    assert complete.total == D("5026.14")
    # the typed heads are untouched
    assert complete.material == D("1307.80")
    assert complete.additional == D("4.55")


def test_cc00001_heads_cess_and_total() -> None:
    assert CC00001.sum_without_cess() == D("434723.12")
    assert labour_cess(CC00001) == D("4347.23")
    complete = complete_heads(SorType.WORKS, CC00001)
    assert complete.total == D("439070.35")


def test_cess_half_up_at_49_765() -> None:
    heads = RateHeads(material=D("4000.00"), labour=D("976.50"))
    assert heads.sum_without_cess() == D("4976.50")
    exact = heads.sum_without_cess() * D("1") / D("100")
    assert exact == D("49.765")
    # Python's round() is half-to-even and would give 49.76; the rule is half-up.
    assert round(exact, 2) == D("49.76")
    assert labour_cess(heads) == D("49.77")
    assert complete_heads(SorType.WORKS, heads).total == D("5026.27")


def test_cess_percent_is_configurable() -> None:
    assert labour_cess(FL00001, D("2")) == D("99.53")  # 99.5276
    assert complete_heads(SorType.WORKS, FL00001, D("0")).total == D("4976.38")


@pytest.mark.parametrize("sor_type", [SorType.MATERIAL, SorType.LABOUR, SorType.MACHINERY])
def test_material_labour_machinery_carry_no_cess(sor_type: SorType) -> None:
    # even a cess typed in by mistake is dropped
    complete = complete_heads(sor_type, FL00001.with_cess(D("12.00")))
    assert complete.labour_cess == D("0")
    assert complete.total == D("4976.38")


def test_works_cess_replaces_a_typed_cess() -> None:
    complete = complete_heads(SorType.WORKS, FL00001.with_cess(D("1.00")))
    assert complete.labour_cess == D("49.76")


def test_total_counts_every_head() -> None:
    heads = RateHeads(*(D(f"{n}.01") for n in range(1, 10)))
    assert heads.sum_without_cess() == D("36.08")  # heads 1..8
    assert heads.total == D("45.09")  # plus cess head 9.01
    assert len(INPUT_HEADS) == 8
    assert "labour_cess" not in INPUT_HEADS


def test_from_mapping_refuses_unknown_heads() -> None:
    assert RateHeads.from_mapping({"material": D("1.00")}).material == D("1.00")
    with pytest.raises(ValidationError, match="Unknown rate head"):
        RateHeads.from_mapping({"cement": D("1.00")})


def test_check_heads() -> None:
    check_heads(complete_heads(SorType.WORKS, FL00001))
    with pytest.raises(ValidationError, match="Basic labour may not be negative") as info:
        check_heads(RateHeads(material=D("10.00"), labour=D("-1.00")))
    assert info.value.field == "labour"
    with pytest.raises(ValidationError, match="Royalty has more than 2 decimals"):
        check_heads(RateHeads(royalty=D("1.005")))
    with pytest.raises(ValidationError, match="at least one head above zero"):
        check_heads(RateHeads())


# --- amounts -------------------------------------------------------------------------------


def test_amount_of_measured_quantity() -> None:
    assert line_amount(D("2.8350"), D("5026.14")) == D("14249.11")  # 14249.1069


def test_amount_with_rate_for_120_units() -> None:
    # CC00001 is per 120 CUM: 1 CUM costs 439070.35 / 120 = 3658.919583...
    assert line_amount(D("1"), D("439070.35"), D("120")) == D("3658.92")
    assert line_amount(D("120"), D("439070.35"), D("120")) == D("439070.35")
    assert line_amount(D("2.5"), D("439070.35"), D("120")) == D("9147.30")  # 9147.2989...


def test_amount_half_up() -> None:
    assert line_amount(D("1"), D("0.125"), D("1")) == D("0.13")
    assert line_amount(D("0.5"), D("0.05")) == D("0.03")  # 0.025


def test_amount_refuses_zero_rate_quantity() -> None:
    with pytest.raises(ValidationError, match="above zero"):
        line_amount(D("1"), D("10"), D("0"))


# --- effective dates -----------------------------------------------------------------------

JAN = date(2024, 1, 1)
JUL = date(2024, 7, 1)
NEXT = date(2025, 4, 1)


def _state(day: date, total: str) -> DatedRate:
    return DatedRate(STATE_TENANT, day, D(total), key=total)


def _ulb(tenant: str, day: date, total: str) -> DatedRate:
    return DatedRate(tenant, day, D(total), key=f"{tenant}:{total}")


STATE_SERIES = [_state(JUL, "110.00"), _state(JAN, "100.00"), _state(NEXT, "125.00")]


def test_rate_in_force_is_latest_not_after_the_day() -> None:
    def total(at: date) -> Decimal | None:
        chosen = effective_rate(STATE_SERIES, at)
        return None if chosen is None else chosen.total

    assert total(date(2023, 12, 31)) is None  # before the first rate
    assert total(JAN) == D("100.00")  # from its first day
    assert total(date(2024, 6, 30)) == D("100.00")  # the day before the next
    assert total(JUL) == D("110.00")
    assert total(date(2025, 3, 31)) == D("110.00")  # the future rate is not yet in force
    assert total(NEXT) == D("125.00")
    assert total(date(2030, 1, 1)) == D("125.00")


def test_effective_rate_passes_the_key_through() -> None:
    chosen = effective_rate(STATE_SERIES, date(2024, 8, 1))
    assert chosen is not None
    assert chosen.key == "110.00"


def test_effective_rate_of_nothing() -> None:
    assert effective_rate([], JAN) is None


def test_ulb_rate_wins_for_that_ulb_only() -> None:
    rates = [*STATE_SERIES, _ulb("od.jatni", date(2024, 8, 1), "115.00")]
    at = date(2024, 9, 1)
    jatni = effective_rate(rates, at, "od.jatni")
    assert jatni is not None
    assert (jatni.tenant, jatni.total) == ("od.jatni", D("115.00"))
    other = effective_rate(rates, at, "od.dhenkanal")
    assert other is not None
    assert (other.tenant, other.total) == (STATE_TENANT, D("110.00"))
    state = effective_rate(rates, at, STATE_TENANT)
    assert state is not None
    assert (state.tenant, state.total) == (STATE_TENANT, D("110.00"))
    assert effective_rate(rates, at) == state


def test_ulb_sees_state_rate_before_its_own_starts() -> None:
    rates = [*STATE_SERIES, _ulb("od.jatni", date(2024, 8, 1), "115.00")]
    before = effective_rate(rates, date(2024, 7, 31), "od.jatni")
    assert before is not None
    assert (before.tenant, before.total) == (STATE_TENANT, D("110.00"))


def test_ulb_rate_still_wins_after_a_newer_state_rate() -> None:
    rates = [*STATE_SERIES, _ulb("od.jatni", date(2024, 8, 1), "115.00")]
    chosen = effective_rate(rates, date(2025, 5, 1), "od.jatni")
    assert chosen is not None
    assert chosen.total == D("115.00")


def test_latest_ulb_rate_of_its_series() -> None:
    rates = [_ulb("od.jatni", JUL, "90.00"), _ulb("od.jatni", JAN, "80.00"), *STATE_SERIES]
    chosen = effective_rate(rates, date(2024, 12, 1), "od.jatni")
    assert chosen is not None
    assert chosen.total == D("90.00")


def test_rate_periods_end_the_day_before_the_next_rate() -> None:
    periods = rate_periods(STATE_SERIES)
    assert [(p.effective_from, p.effective_to, p.rate.total) for p in periods] == [
        (NEXT, None, D("125.00")),
        (JUL, date(2025, 3, 31), D("110.00")),
        (JAN, date(2024, 6, 30), D("100.00")),
    ]


def test_rate_periods_across_a_month_and_leap_day() -> None:
    periods = rate_periods([_state(date(2024, 1, 1), "1"), _state(date(2024, 3, 1), "2")])
    assert periods[1].effective_to == date(2024, 2, 29)
    assert rate_periods([]) == []
    single = rate_periods([_state(JAN, "1")])
    assert [(p.effective_from, p.effective_to) for p in single] == [(JAN, None)]


# --- the date of a new rate ----------------------------------------------------------------

TODAY = date(2026, 11, 21)


def test_new_rate_from_today_or_later() -> None:
    check_new_rate_date(TODAY, None, today=TODAY)
    check_new_rate_date(date(2027, 4, 1), date(2026, 4, 1), today=TODAY)


def test_new_rate_in_the_past_refused() -> None:
    with pytest.raises(ValidationError) as info:
        check_new_rate_date(date(2026, 11, 20), None, today=TODAY)
    assert str(info.value) == (
        "Effective from 20/11/2026 is in the past; a new rate starts today (21/11/2026) or later."
    )
    assert info.value.field == "effective_from"


@pytest.mark.parametrize("latest", [date(2026, 12, 1), date(2026, 12, 2)])
def test_new_rate_on_or_before_latest_refused(latest: date) -> None:
    with pytest.raises(ValidationError) as info:
        check_new_rate_date(date(2026, 12, 1), latest, today=TODAY)
    assert str(info.value) == (
        f"Effective from 01/12/2026 is not after the latest rate ({latest:%d/%m/%Y}); "
        "rate history is never rewritten."
    )


def test_bulk_load_may_carry_a_past_date_but_not_rewrite_history() -> None:
    check_new_rate_date(date(2024, 4, 1), date(2023, 4, 1), today=TODAY, allow_past=True)
    check_new_rate_date(date(2024, 4, 1), None, today=TODAY, allow_past=True)
    with pytest.raises(ValidationError, match="not after the latest rate"):
        check_new_rate_date(date(2023, 4, 1), date(2024, 4, 1), today=TODAY, allow_past=True)
    with pytest.raises(ValidationError, match="not after the latest rate"):
        check_new_rate_date(date(2024, 4, 1), date(2024, 4, 1), today=TODAY, allow_past=True)
