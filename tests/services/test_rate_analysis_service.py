"""Rate analysis use cases: preview and save (services.rate_analysis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mukta_desktop.domain.errors import NotFound, PermissionDenied, ValidationError
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.models import RateAnalysis, RateAnalysisCharge, RateAnalysisLine, SorRate
from mukta_desktop.services.database import Database
from mukta_desktop.services.rate_analysis import (
    ChargeInput,
    LineInput,
    preview_analysis,
    save_analysis,
)
from mukta_desktop.services.sor_catalog import NewSor, add_rate, create_sor, get_sor, modify_sor
from mukta_desktop.services.users import Actor

D = Decimal
TODAY = date(2026, 11, 21)
TOMORROW = TODAY + timedelta(days=1)

ADMIN = Actor("admin", "State admin", "od", frozenset({Role.MDMS_STATE_ADMIN}))
CITY_ADMIN = Actor("jatni", "Jatni admin", "od.jatni", frozenset({Role.MDMS_CITY_ADMIN}))


def new(db: Database, type_code: str, description: str, heads: RateHeads | None = None,
        *, uom: str = "CUM", rate_quantity: str = "1") -> str:
    sub_type, variant = {"M": ("NA1", "NA"), "L": ("US", "NA"), "E": ("NA2", "NA"),
                         "W": ("CC", "GF")}[type_code]
    detail = create_sor(db, ADMIN, NewSor(type_code, sub_type, variant, uom, D(rate_quantity),
                                          description, first_rate=heads), today=TODAY)
    return detail.code


@pytest.fixture
def items(db: Database) -> dict[str, str]:
    """The DESIGN.md example's basic items, a works target and a few others."""
    return {
        "MA": new(db, "M", "Aggregate", RateHeads(material=D("100"), conveyance=D("20"),
                                                  royalty=D("5"))),
        "LA": new(db, "L", "Labourer", RateHeads(labour=D("400")), uom="NOS"),
        "TARGET": new(db, "W", "Concrete by analysis"),
        "BRICKS": new(db, "M", "Bricks per thousand", RateHeads(material=D("5200.00"),
                                                                conveyance=D("400.00")),
                      uom="NOS", rate_quantity="1000"),
        "MIXER": new(db, "E", "Mixer hour", RateHeads(machinery=D("310.00")), uom="HOUR"),
        "WORKS": new(db, "W", "Another works item", RateHeads(labour=D("100.00"))),
        "NORATE": new(db, "M", "Material without a rate"),
        "PER10": new(db, "W", "Works item per 10 CUM", rate_quantity="10"),
    }


EXAMPLE = [LineInput("MA", D("2")), LineInput("LA", D("4"))]


def example_lines(items: dict[str, str]) -> list[LineInput]:
    return [LineInput(items[line.basic_code], line.quantity) for line in EXAMPLE]


def test_preview_design_example(db: Database, items: dict[str, str]) -> None:
    info = preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items), at=TODAY)
    ma, la = info.lines
    c = ma.contribution
    assert (c.material, c.conveyance, c.royalty) == (D("2.00"), D("0.40"), D("0.10"))
    assert la.contribution.labour == D("16.00")
    assert info.heads.sum_without_cess() == D("18.50")
    assert info.heads.labour_cess == D("0.19")
    assert info.total == D("18.69")
    assert (ma.code, ma.description, ma.uom, ma.quantity, ma.rate_total, ma.rate_quantity) == (
        items["MA"], "Aggregate", "CUM", D("2"), D("125.00"), D("1"))
    assert (la.uom, la.rate_total) == ("NOS", D("400.00"))
    assert info.analysis_quantity == D("100")
    assert info.effective_from == TODAY
    assert info.tenant == "od"
    assert info.charges == ()


def test_preview_rate_per_thousand_units(db: Database, items: dict[str, str]) -> None:
    info = preview_analysis(
        db, analysis_quantity=D("10"),
        lines=[LineInput(items["BRICKS"], D("4500")), LineInput(items["MIXER"], D("6"))],
        at=TODAY)
    bricks, mixer = info.lines
    assert bricks.rate_quantity == D("1000")
    assert (bricks.contribution.material, bricks.contribution.conveyance) == (
        D("2340.00"), D("180.00"))
    assert mixer.contribution.machinery == D("186.00")
    assert info.heads.sum_without_cess() == D("2706.00")
    assert info.heads.labour_cess == D("27.06")
    assert info.total == D("2733.06")


def test_preview_with_percent_and_fixed_charges(db: Database, items: dict[str, str]) -> None:
    info = preview_analysis(
        db, analysis_quantity=D("100"), lines=example_lines(items),
        charges=[ChargeInput("Water charges", "PERCENT", D("1")),
                 ChargeInput("Carriage", "FIXED", D("1.50"), head="conveyance")],
        at=TODAY)
    water, carriage = info.charges
    assert (water.description, water.kind, water.value, water.head, water.amount) == (
        "Water charges", "PERCENT", D("1"), "additional", D("0.19"))
    assert (carriage.kind, carriage.head, carriage.amount) == ("FIXED", "conveyance",
                                                               D("1.50"))
    assert info.heads.additional == D("0.19")
    assert info.heads.conveyance == D("1.90")
    assert info.heads.sum_without_cess() == D("20.19")
    assert info.heads.labour_cess == D("0.20")
    assert info.total == D("20.39")


def test_preview_bad_charge_kind(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="Extra charge 'Water': kind FIXED or PERCENT"):
        preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items),
                         charges=[ChargeInput("Water", "SOMETIMES", D("1"))], at=TODAY)


def test_preview_uses_rates_in_force_on_the_day(db: Database, items: dict[str, str]) -> None:
    add_rate(db, ADMIN, items["LA"], RateHeads(labour=D("450")), effective_from=TOMORROW,
             tenant="od", today=TODAY)
    today = preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items),
                             at=TODAY)
    tomorrow = preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items),
                                at=TOMORROW)
    assert today.total == D("18.69")
    assert tomorrow.lines[1].contribution.labour == D("18.00")
    assert tomorrow.total == D("20.71")  # 20.50 + 0.205 → 0.21


def test_preview_for_a_ulb_uses_its_rates(db: Database, items: dict[str, str]) -> None:
    add_rate(db, CITY_ADMIN, items["LA"], RateHeads(labour=D("500")), effective_from=TODAY,
             tenant="od.jatni", today=TODAY)
    jatni = preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items),
                             at=TODAY, tenant="od.jatni")
    assert jatni.lines[1].contribution.labour == D("20.00")
    assert jatni.total == D("22.73")  # 22.50 + 0.225 → 0.23


def test_save_analysis(db: Database, items: dict[str, str]) -> None:
    rate = save_analysis(
        db, ADMIN, items["TARGET"], analysis_quantity=D("100"), lines=example_lines(items),
        charges=[ChargeInput("Water charges", "PERCENT", D("1"))],
        effective_from=TODAY, today=TODAY)
    assert rate.source == "ANALYSIS"
    assert rate.total == D("18.88")
    assert rate.heads.labour_cess == D("0.19")
    assert rate.tenant == "od"
    assert rate.effective_from == TODAY

    detail = get_sor(db, items["TARGET"], at=TODAY)
    assert detail.current is not None
    assert detail.current.source == "ANALYSIS"
    assert detail.current.total == D("18.88")
    assert detail.current.heads.additional == D("0.19")
    analysis = detail.analysis
    assert analysis is not None
    assert analysis.analysis_quantity == D("100")
    assert analysis.effective_from == TODAY
    assert [(line.code, line.quantity) for line in analysis.lines] == [
        (items["MA"], D("2")), (items["LA"], D("4"))]
    assert analysis.lines[1].contribution.labour == D("16.00")
    assert [(c.description, c.amount) for c in analysis.charges] == [
        ("Water charges", D("0.19"))]
    assert analysis.total == D("18.88")
    assert analysis.heads == detail.current.heads

    with db.read() as session:
        saved = session.scalars(select(RateAnalysis)).one()
        assert saved.rate_id == rate.id
        assert saved.created_by == "admin"
        assert session.scalar(select(func.count()).select_from(RateAnalysisLine)) == 2
        assert session.scalar(select(func.count()).select_from(RateAnalysisCharge)) == 1


def test_saved_analysis_keeps_the_basic_rates_it_used(db: Database,
                                                     items: dict[str, str]) -> None:
    save_analysis(db, ADMIN, items["TARGET"], analysis_quantity=D("100"),
                  lines=example_lines(items), effective_from=TODAY, today=TODAY)
    add_rate(db, ADMIN, items["LA"], RateHeads(labour=D("450")), effective_from=TOMORROW,
             tenant="od", today=TODAY)
    later = get_sor(db, items["TARGET"], at=date(2027, 1, 1))
    assert later.current is not None
    assert later.current.total == D("18.69")
    assert later.analysis is not None
    assert later.analysis.lines[1].rate_total == D("400.00")
    assert later.analysis.total == D("18.69")


def test_saved_analysis_revises_an_existing_rate(db: Database, items: dict[str, str]) -> None:
    save_analysis(db, ADMIN, items["WORKS"], analysis_quantity=D("100"),
                  lines=example_lines(items), effective_from=TOMORROW, today=TODAY)
    history = get_sor(db, items["WORKS"], at=TOMORROW).history
    assert [(r.effective_from, r.effective_to, r.total, r.source) for r in history] == [
        (TOMORROW, None, D("18.69"), "ANALYSIS"),
        (TODAY, TODAY, D("101.00"), "MANUAL"),
    ]
    with pytest.raises(ValidationError, match="not after the latest rate"):
        save_analysis(db, ADMIN, items["WORKS"], analysis_quantity=D("100"),
                      lines=example_lines(items), effective_from=TOMORROW, today=TODAY)


def test_save_in_the_past_refused(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="in the past"):
        save_analysis(db, ADMIN, items["TARGET"], analysis_quantity=D("100"),
                      lines=example_lines(items), effective_from=TODAY - timedelta(days=1),
                      today=TODAY)


def test_works_item_refused_as_a_line(db: Database, items: dict[str, str]) -> None:
    lines = [*example_lines(items), LineInput(items["WORKS"], D("1"))]
    with pytest.raises(ValidationError) as info:
        preview_analysis(db, analysis_quantity=D("100"), lines=lines, at=TODAY)
    assert str(info.value) == (
        f"Line 3: {items['WORKS']} is a works item; an analysis is made of material, labour "
        "and machinery SORs."
    )
    assert info.value.field == "lines"


def test_line_without_rate_refused(db: Database, items: dict[str, str]) -> None:
    lines = [LineInput(items["NORATE"], D("1"))]
    with pytest.raises(ValidationError) as info:
        preview_analysis(db, analysis_quantity=D("100"), lines=lines, at=TODAY)
    assert str(info.value) == f"Line 1: {items['NORATE']} has no rate in force on 21/11/2026."
    # a rate not yet in force does not count either
    with pytest.raises(ValidationError, match="has no rate in force on 20/11/2026"):
        preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items),
                         at=TODAY - timedelta(days=1))


def test_duplicate_line_refused(db: Database, items: dict[str, str]) -> None:
    lines = [*example_lines(items), LineInput(items["MA"].lower(), D("3"))]
    with pytest.raises(ValidationError) as info:
        preview_analysis(db, analysis_quantity=D("100"), lines=lines, at=TODAY)
    assert str(info.value) == f"Line 3: {items['MA']} is already in the analysis."


def test_unknown_line_code(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(NotFound, match="No SOR with code 'SOR_999999'"):
        preview_analysis(db, analysis_quantity=D("100"),
                         lines=[LineInput("SOR_999999", D("1"))], at=TODAY)


def test_empty_and_zero_quantities_refused(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="at least one basic SOR line"):
        preview_analysis(db, analysis_quantity=D("100"), lines=[], at=TODAY)
    with pytest.raises(ValidationError, match=r"Line 2 \(.*\) quantity: 0 is below 0.0001"):
        preview_analysis(db, analysis_quantity=D("100"),
                         lines=[LineInput(items["MA"], D("2")), LineInput(items["LA"], D("0"))],
                         at=TODAY)
    with pytest.raises(ValidationError, match=r"Analysis quantity: 0 is below 0\.0001"):
        save_analysis(db, ADMIN, items["TARGET"], analysis_quantity=D("0"),
                      lines=example_lines(items), effective_from=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="at least one basic SOR line"):
        save_analysis(db, ADMIN, items["TARGET"], analysis_quantity=D("100"), lines=[],
                      effective_from=TODAY, today=TODAY)


def test_non_works_target_refused(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as info:
        save_analysis(db, ADMIN, items["BRICKS"], analysis_quantity=D("100"),
                      lines=example_lines(items), effective_from=TOMORROW, today=TODAY)
    assert str(info.value) == (
        f"{items['BRICKS']} is not a works item; only works SORs have a rate analysis."
    )


def test_target_defined_for_more_than_one_unit_refused(db: Database,
                                                      items: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="rate is defined for 10 CUM"):
        save_analysis(db, ADMIN, items["PER10"], analysis_quantity=D("100"),
                      lines=example_lines(items), effective_from=TODAY, today=TODAY)


def test_only_state_admin_saves(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(PermissionDenied, match="You may not save rate analyses"):
        save_analysis(db, CITY_ADMIN, items["TARGET"], analysis_quantity=D("100"),
                      lines=example_lines(items), effective_from=TODAY, today=TODAY)


def test_refused_save_leaves_nothing(db: Database, items: dict[str, str]) -> None:
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(SorRate))
    for target in (items["PER10"], items["BRICKS"]):
        with pytest.raises(ValidationError):
            save_analysis(db, ADMIN, target, analysis_quantity=D("100"),
                          lines=example_lines(items), effective_from=TODAY, today=TODAY)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(SorRate)) == before
        assert session.scalar(select(func.count()).select_from(RateAnalysis)) == 0


def test_a_rate_of_nothing_is_not_saved(db: Database, items: dict[str, str]) -> None:
    """1 unit of a ₹1 item in an analysis of 1000 contributes round2(0.001) = 0.00."""
    tiny = new(db, "M", "One-rupee item", RateHeads(material=D("1.00")))
    with pytest.raises(ValidationError, match="at least one head above zero"):
        save_analysis(db, ADMIN, items["TARGET"], analysis_quantity=D("1000"),
                      lines=[LineInput(tiny, D("1"))], effective_from=TODAY, today=TODAY)
    assert get_sor(db, items["TARGET"], at=TODAY).current is None


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("PERCENT", "250", r"\(%\): 250 is too large; allowed: 0 to 100.0000"),
        ("PERCENT", "1.23456", "more than 4 decimals"),
        ("FIXED", "1.005", "more than 2 decimals"),
        ("FIXED", "-5", "is negative"),
    ],
)
def test_extra_charges_are_checked(
    db: Database, items: dict[str, str], kind: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items),
                         charges=[ChargeInput("Water", kind, D(value))], at=TODAY)


def test_analysis_quantity_is_checked(db: Database, items: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match=r"Analysis quantity: 100\.00001 has more than 4"):
        preview_analysis(db, analysis_quantity=D("100.00001"), lines=example_lines(items),
                         at=TODAY)


def test_inactive_basic_sor_refused(db: Database, items: dict[str, str]) -> None:
    modify_sor(db, ADMIN, items["LA"], status="INACTIVE", today=TODAY)
    with pytest.raises(ValidationError, match=r"Line 2: .* is inactive"):
        preview_analysis(db, analysis_quantity=D("100"), lines=example_lines(items), at=TODAY)


def test_analysis_of_a_rate_not_yet_in_force_is_shown(db: Database, items: dict[str, str]) -> None:
    save_analysis(db, ADMIN, items["TARGET"], analysis_quantity=D("100"),
                  lines=example_lines(items), effective_from=TOMORROW, today=TODAY)
    detail = get_sor(db, items["TARGET"], at=TODAY)
    assert detail.current is None
    assert detail.analysis is not None
    assert (detail.analysis.effective_from, detail.analysis.total) == (TOMORROW, D("18.69"))
    # A rate typed later replaces it: its analysis is no longer shown beside it.
    add_rate(db, ADMIN, items["TARGET"], RateHeads(labour=D("50.00")),
             effective_from=TOMORROW + timedelta(days=1), tenant="od", today=TODAY)
    later = get_sor(db, items["TARGET"], at=TOMORROW + timedelta(days=1))
    assert later.current is not None
    assert later.analysis is None
