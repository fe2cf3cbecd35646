"""Deviation statement (DESIGN.md §2 "Revised estimate"): a real statement reproduced from
its rates and quantities, extra and removed items, Nil, percentages and totals."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mukta_desktop.domain.deviation import (
    ItemPair,
    Statement,
    Verdict,
    build_statement,
)
from mukta_desktop.domain.sor import line_amount

D = Decimal


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else D(text)


def load_sheet(reference: Path) -> list[list[Any]]:
    data = json.loads((reference / "deviation_statement_sample.json").read_text("utf-8"))
    rows: list[list[Any]] = data["rows"]
    return rows


def sample_statement(reference: Path) -> tuple[Statement, list[list[Any]]]:
    """The statement rebuilt from the sheet's rates and quantities (not its amounts)."""
    sheet = load_sheet(reference)
    items: list[ItemPair] = []
    for cells in sheet[4:10]:  # the six SOR items
        rate = D(cells[3])
        original_quantity = D(cells[4])
        revised_quantity = D(cells[6])
        items.append(
            ItemPair(
                code=None,
                description=cells[1],
                unit=cells[2],
                rate=rate,
                original_quantity=original_quantity,
                original_amount=line_amount(original_quantity, rate),
                revised_quantity=revised_quantity,
                revised_amount=line_amount(revised_quantity, rate),
                reason=sheet[3][10],
            )
        )
    # 7: the display board, a lump item: 1 × 1500 in the agreement, 1 × 1000 actually.
    board = sheet[10]
    items.append(
        ItemPair(
            code=None,
            description=board[1],
            unit="LS",
            rate=D("1500"),
            original_quantity=D("1"),
            original_amount=line_amount(D("1"), D("1500")),
            revised_quantity=D("1"),
            revised_amount=line_amount(D("1"), D("1000")),
        )
    )
    gst = sheet[11]
    statement = build_statement(items, [(gst[1], D(gst[5]), D(gst[7]))])
    return statement, sheet


# (original, revised, less, excess, percent, verdict) per item, as in the sheet
EXPECTED_ROWS = [
    ("6254", "5312", "942", "0", "-15.06", Verdict.LESS),
    ("4737", "4828", "0", "91", "1.92", Verdict.EXCESS),
    ("192226", "220252", "0", "28026", "14.58", Verdict.EXCESS),
    ("114067", "87202", "26865", "0", "-23.55", Verdict.LESS),
    ("111577", "113702", "0", "2125", "1.90", Verdict.EXCESS),
    ("16266", "16591", "0", "325", "2.00", Verdict.EXCESS),
    ("1500", "1000", "500", "0", "-33.33", Verdict.LESS),
]


def test_sample_rows_match_the_sheet(reference: Path) -> None:
    statement, sheet = sample_statement(reference)
    assert len(statement.rows) == 7
    for row, cells in zip(statement.rows, sheet[4:11], strict=True):
        # the sheet's own whole-rupee amounts
        assert row.original_amount == D(cells[5]), row.description
        assert row.revised_amount == D(cells[7]), row.description


@pytest.mark.parametrize("index", range(len(EXPECTED_ROWS)))
def test_sample_row_figures(reference: Path, index: int) -> None:
    statement, _ = sample_statement(reference)
    row = statement.rows[index]
    original, revised, less, excess, percent, verdict = EXPECTED_ROWS[index]
    assert row.number == index + 1
    assert row.original_amount == D(original)
    assert row.revised_amount == D(revised)
    assert row.amount_change == D(revised) - D(original)
    assert row.less == D(less)
    assert row.excess == D(excess)
    assert row.percent == D(percent)
    assert str(row.percent) == percent  # 2 decimals
    assert row.verdict is verdict
    assert not row.extra
    assert not row.removed


def test_earthwork_row_in_detail(reference: Path) -> None:
    statement, _ = sample_statement(reference)
    row = statement.rows[0]
    assert row.rate == D("160.98")
    assert row.unit == "Cum"
    assert row.original_quantity == D("38.85")
    assert row.revised_quantity == D("33.0")
    assert row.quantity_change == D("-5.85")
    # 160.98 × 38.85 = 6254.073 → 6254.07 → 6254; 160.98 × 33 = 5312.34 → 5312
    assert line_amount(D("38.85"), D("160.98")) == D("6254.07")
    assert line_amount(D("33.0"), D("160.98")) == D("5312.34")
    assert row.original_amount == D("6254")
    assert row.revised_amount == D("5312")
    assert row.less == D("942")
    assert row.excess == D("0")
    # -942 × 100 ÷ 6254 = -15.0623… → -15.06
    assert row.percent == D("-15.06")
    assert row.reason == "The work is deviated as per site condition"


def test_gsb_row_in_detail(reference: Path) -> None:
    statement, _ = sample_statement(reference)
    row = statement.rows[2]
    assert line_amount(D("120.44"), D("1596.03")) == D("192225.85")
    assert line_amount(D("138.0"), D("1596.03")) == D("220252.14")
    assert row.original_amount == D("192226")
    assert row.revised_amount == D("220252")
    assert row.excess == D("28026")
    assert row.less == D("0")
    assert row.quantity_change == D("17.56")
    assert row.verdict is Verdict.EXCESS


def test_whole_rupees_round_half_up(reference: Path) -> None:
    statement, _ = sample_statement(reference)
    # CC (1:2:4): 19.8 × 5742.5 = 113701.50 → 113702 (50 paise go up)
    assert line_amount(D("19.8"), D("5742.5")) == D("113701.50")
    assert statement.rows[4].revised_amount == D("113702")
    # 19.43 × 5742.5 = 111576.775 → 111576.78 → 111577
    assert statement.rows[4].original_amount == D("111577")


def test_sample_totals(reference: Path) -> None:
    statement, sheet = sample_statement(reference)
    assert len(statement.overheads) == 1
    gst = statement.overheads[0]
    assert gst.description == "Add for GST charges @12%"
    assert gst.original_amount == D("53590")
    assert gst.revised_amount == D("53866")
    assert gst.amount_change == D("276")

    total = sheet[12]
    assert total[1] == "TOTAL"
    assert statement.original_total == D(total[5]) == D("500217")
    assert statement.revised_total == D(total[7]) == D("502753")
    assert statement.total_change == D("2536")
    # items only (the overhead row is not an item): less 942 + 26865 + 500
    assert statement.total_less == D("28307")
    assert statement.total_excess == D("91") + D("28026") + D("2125") + D("325")
    assert statement.total_excess - statement.total_less + gst.amount_change == D("2536")
    # 2536 × 100 ÷ 500217 = 0.50698… → 0.51
    assert statement.percent == D("0.51")


# --- extra, removed, nil --------------------------------------------------------------------


def pair(
    original_quantity: str | None,
    revised_quantity: str | None,
    rate: str = "100.00",
    reason: str = "",
) -> ItemPair:
    oq, rq = _dec(original_quantity), _dec(revised_quantity)
    return ItemPair(
        code="SOR1",
        description="Item",
        unit="CUM",
        rate=D(rate),
        original_quantity=oq,
        original_amount=None if oq is None else line_amount(oq, D(rate)),
        revised_quantity=rq,
        revised_amount=None if rq is None else line_amount(rq, D(rate)),
        reason=reason,
    )


def test_extra_item() -> None:
    statement = build_statement([pair(None, "2.5", reason="Found on site")])
    row = statement.rows[0]
    assert row.extra
    assert not row.removed
    assert row.percent is None  # nothing to compare with
    assert row.original_quantity == D("0")
    assert row.original_amount == D("0")
    assert row.revised_quantity == D("2.5")
    assert row.revised_amount == D("250")
    assert row.quantity_change == D("2.5")
    assert row.excess == D("250")
    assert row.verdict is Verdict.EXCESS
    assert row.reason == "Found on site"
    assert statement.original_total == D("0")
    assert statement.revised_total == D("250")
    assert statement.percent is None


def test_removed_item() -> None:
    statement = build_statement([pair("3", None), pair("1", "1")])
    row = statement.rows[0]
    assert row.removed
    assert not row.extra
    assert row.revised_quantity == D("0")
    assert row.revised_amount == D("0")
    assert row.quantity_change == D("-3")
    assert row.less == D("300")
    assert row.percent == D("-100.00")
    assert row.verdict is Verdict.LESS
    assert statement.original_total == D("400")
    assert statement.revised_total == D("100")
    assert statement.percent == D("-75.00")


def test_nil_item() -> None:
    statement = build_statement([pair("3", "3")])
    row = statement.rows[0]
    assert row.verdict is Verdict.NIL
    assert row.amount_change == D("0")
    assert row.less == row.excess == D("0")
    assert row.percent == D("0.00")
    assert row.quantity_change == D("0")
    assert statement.total_change == D("0")


def test_nil_when_the_change_vanishes_in_whole_rupees() -> None:
    # 10.00 × 100.01 = 1000.10 → 1000; 10.004 × 100.01 = 1000.50004 → 1000.50 → 1001
    same = build_statement([pair("10", "10.001", rate="100.01")]).rows[0]
    assert same.original_amount == same.revised_amount == D("1000")
    assert same.verdict is Verdict.NIL
    assert same.quantity_change == D("0.001")
    up = build_statement([pair("10", "10.004", rate="100.01")]).rows[0]
    assert up.revised_amount == D("1001")
    assert up.verdict is Verdict.EXCESS


def test_percent_half_up() -> None:
    # 800 → 900.10 (900 in whole rupees): +100 on 800 = 12.50 %
    item = ItemPair(None, "x", "LS", D("1"), D("1"), D("800"), D("1"), D("900.10"))
    row = build_statement([item]).rows[0]
    assert row.revised_amount == D("900")
    assert row.percent == D("12.50")
    # 4000 → 4005: 0.125 % → 0.13 (half-to-even would give 0.12); and the saving likewise
    item = ItemPair(None, "x", "LS", D("1"), D("1"), D("4000"), D("1"), D("4005"))
    assert build_statement([item]).rows[0].percent == D("0.13")
    assert round(D("0.125"), 2) == D("0.12")
    item = ItemPair(None, "x", "LS", D("1"), D("1"), D("4000"), D("1"), D("3995"))
    assert build_statement([item]).rows[0].percent == D("-0.13")


def test_zero_original_amount_has_no_percent() -> None:
    item = ItemPair(None, "x", "LS", D("0"), D("0"), D("0"), D("1"), D("50"))
    row = build_statement([item]).rows[0]
    assert row.percent is None
    assert not row.extra  # it was in the original, at nothing


def test_rows_are_numbered_in_order() -> None:
    statement = build_statement([pair("1", "2"), pair(None, "1"), pair("3", None)])
    assert [r.number for r in statement.rows] == [1, 2, 3]
    assert [(r.extra, r.removed) for r in statement.rows] == [
        (False, False),
        (True, False),
        (False, True),
    ]
    # 100 + 0 + 300 → 200 + 100 + 0
    assert statement.original_total == D("400")
    assert statement.revised_total == D("300")
    assert statement.total_less == D("300")
    assert statement.total_excess == D("200")


def test_empty_statement() -> None:
    statement = build_statement([])
    assert statement.rows == ()
    assert statement.overheads == ()
    assert statement.original_total == statement.revised_total == D("0")
    assert statement.percent is None
