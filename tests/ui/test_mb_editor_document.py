"""The MB document (no widgets): every figure equal to domain.mb.compute_mb after any edit,
computed incrementally; the ceiling per SOR item, live, in the domain's words."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.mb import MbItem, Period, check_ceilings, compute_mb
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.sor import RateHeads, line_amount
from mukta_desktop.services.mb_views import MbLineDraft, MbLineView
from mukta_desktop.ui.mb.document import MbDocLine, MbDocument

D = Decimal
PERIOD = Period(date(2026, 7, 8), date(2026, 7, 14))
FL = RateHeads(material=D("1307.80"), labour=D("3598.02"), conveyance=D("66.01"),
               royalty=D("4.55"), labour_cess=D("49.76"))
PCC = RateHeads(material=D("3920.55"), labour=D("1210.00"), machinery=D("85.00"),
                labour_cess=D("52.16"))
SLAB = RateHeads(material=D("300000.00"), labour=D("120000.00"), machinery=D("14723.12"),
                 labour_cess=D("4347.23"))


def r(n: str | None, length: str | None = None, b: str | None = None, d: str | None = None,
      *, minus: bool = False) -> MeasurementRow:
    def dec(text: str | None) -> Decimal | None:
        return None if text is None else D(text)

    return MeasurementRow(RowKind.MINUS if minus else RowKind.PLUS, "", dec(n), dec(length),
                          dec(b), dec(d))


def item(key: str, *rows: MeasurementRow, sor: str | None, rate: str, estimate: str,
         previous: str = "0", heads: RateHeads | None = None,
         rate_quantity: str = "1") -> MbItem:
    previous_quantity = D(previous)
    return MbItem(key, LineCategory.SOR if sor else LineCategory.NON_SOR, f"Item {key}", "CUM",
                  D(rate), D(rate_quantity), D(estimate), previous_quantity,
                  line_amount(previous_quantity, D(rate), D(rate_quantity)), rows, sor, heads)


def document(items: list[MbItem]) -> MbDocument:
    totals = compute_mb(items)
    views = [MbLineView(n, i, f, (r("1", "2"),)) for n, (i, f) in
             enumerate(zip(items, totals.items, strict=True), start=1)]
    return MbDocument.from_lines(PERIOD, PERIOD.end, "", views)


def items_of(doc: MbDocument) -> list[MbItem]:
    return [line.to_item() for line in doc.items]


def sample() -> list[MbItem]:
    return [
        item("a", r("2", "10.5", "0.45", "0.3"), r("1", "3.5", "0.6", "0.45", minus=True),
             sor="FL1", rate="5026.14", estimate="60", previous="20.5", heads=FL),
        item("b", r("1", "45", "1.2", "0.3"), sor="FL1", rate="5026.14", estimate="50",
             heads=FL),
        item("c", r("1", "123.25", "0.6", "0.1"), sor="PCC", rate="5645.65", estimate="12",
             previous="3.2", heads=PCC),
        item("d", r("1", "60", "3.75", "0.15"), sor="SLAB", rate="439070.35", estimate="40",
             heads=SLAB, rate_quantity="120"),
        item("e", r("1"), sor=None, rate="1500", estimate="2"),
    ]


def test_the_figures_equal_compute_mb_and_design_example() -> None:
    doc = document([item("a", r("2", "10.5", "0.45", "0.3"), sor="FL1", rate="5026.14",
                         estimate="8", heads=FL)])
    line = doc.items[0]
    assert line.quantity == D("2.8350")  # DESIGN: N 2, L 10.5, B 0.45, D 0.3
    assert line.amount == D("14249.11")
    assert doc.total == D("14249.11")
    assert doc.mb_totals() == compute_mb(items_of(doc))


def test_edits_keep_every_figure_equal_to_compute_mb() -> None:
    doc = document(sample())
    assert doc.mb_totals() == compute_mb(sample())
    rng = random.Random(7)
    for step in range(200):
        line = doc.items[rng.randrange(len(doc.items))]
        choice = rng.randrange(4)
        if choice == 0 and line.rows:
            doc.set_row(line, rng.randrange(len(line.rows)),
                        r(str(rng.randint(1, 4)), f"{rng.randint(1, 9999) / 100:.2f}",
                          None if step % 3 else "0.45", minus=rng.random() < 0.2))
        elif choice == 1:
            doc.insert_rows(line, len(line.rows), [r(str(rng.randint(1, 3)), "1.25")])
        elif choice == 2 and line.rows:
            removed = doc.remove_rows(line, [0])
            if rng.random() < 0.5:
                doc.restore_rows(line, removed)
        elif line.rows:
            doc.set_row(line, 0, r("0.5"))
        assert doc.mb_totals() == compute_mb(items_of(doc)), f"after step {step}"


def test_the_ceiling_is_live_per_sor_item_in_the_domains_words() -> None:
    # DESIGN: estimate +10 −2 = 8; approved so far 5; this MB 3.5 → refused; 3.0 → ok
    doc = document([item("a", r("3"), sor="FL1", rate="5026.14", estimate="8", previous="5",
                         heads=FL)])
    line = doc.items[0]
    assert doc.ceiling_problem(line) is None
    doc.set_row(line, 0, r("3.5"))
    problem = doc.ceiling_problem(line)
    assert problem is not None
    with pytest.raises(ValidationError) as refused:
        check_ceilings(items_of(doc), [ln.figures() for ln in doc.items])
    assert problem == refused.value.message
    assert "up-to-date quantity 8.5000 CUM" in problem
    assert "estimate quantity 8.0000 CUM" in problem
    assert "revised estimate" in problem
    assert [(ln.key, text) for ln, text in doc.problems_in_order()] == [("a", problem)]
    doc.set_row(line, 0, r("3.0"))
    assert doc.ceiling_problem(line) is None
    assert doc.problems_in_order() == []


def test_lines_of_one_sor_share_the_ceiling() -> None:
    doc = document([
        item("a", r("30"), sor="FL1", rate="5026.14", estimate="60", previous="20.5",
             heads=FL),
        item("b", r("40"), sor="FL1", rate="5026.14", estimate="50", heads=FL),
        item("c", r("1"), sor=None, rate="1500", estimate="2"),
    ])
    first, second, board = doc.items
    assert doc.group_of(first) == [first, second]
    assert doc.ceiling_problem(first) is None  # 90.5 of 110
    doc.set_row(second, 0, r("60"))  # 110.5 of 110: both lines of the SOR are over
    assert doc.ceiling_problem(first) == doc.ceiling_problem(second)
    assert "(2 lines)" in (doc.ceiling_problem(first) or "")
    assert doc.ceiling_problem(board) is None
    doc.set_row(board, 0, r("2.5"))  # a non-SOR line on its own
    assert [ln.key for ln, _ in doc.problems_in_order()] == ["a", "c"]


def test_deductions_below_zero_are_a_problem_too() -> None:
    doc = document([item("a", r("1"), sor="FL1", rate="5026.14", estimate="8", previous="1",
                         heads=FL)])
    line = doc.items[0]
    doc.set_row(line, 0, r("2", minus=True))
    assert "below zero" in (doc.ceiling_problem(line) or "")


def test_the_draft_the_editor_saves() -> None:
    doc = document(sample())
    assert doc.revision == 0
    doc.set_row(doc.items[4], 0, r("2"))
    old = doc.set_period(Period(PERIOD.start, date(2026, 7, 12)), date(2026, 7, 12))
    assert old == (PERIOD, PERIOD.end)
    assert doc.revision == 2
    draft = doc.to_mb_draft()
    assert draft.period == Period(PERIOD.start, date(2026, 7, 12))
    assert draft.measurement_date == date(2026, 7, 12)
    assert draft.lines[4] == MbLineDraft("e", (r("2"),), "")
    assert [line.key for line in draft.lines] == ["a", "b", "c", "d", "e"]
    assert doc.items[0].estimate_rows == (r("1", "2"),)


def test_index_of_is_the_line_itself() -> None:
    doc = document(sample())
    assert [doc.index_of(line) for line in doc.items] == [0, 1, 2, 3, 4]
    stranger = MbDocLine(LineCategory.NON_SOR, "x", "NOS", D(1))
    with pytest.raises(ValueError, match="not in this MB"):
        doc.index_of(stranger)
