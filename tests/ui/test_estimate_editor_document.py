"""The editor's document keeps every figure equal to domain.estimate.compute, incrementally."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LineCategory, OverheadKind, compute
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft, OverheadDraft
from mukta_desktop.ui.estimates.document import DocLine, EstimateDocument, row_problem

D = Decimal
DAY = date(2026, 11, 21)
FL_HEADS = RateHeads(material=D("1307.80"), labour=D("3598.02"), conveyance=D("66.01"),
                     royalty=D("4.55"), labour_cess=D("49.76"))
SC = OverheadDraft("SC", "Supervision Charge", OverheadKind.PERCENT, percent=D("7.5"))
GST = OverheadDraft("GST", "Goods and Service Tax", OverheadKind.PERCENT, percent=D("18"))


def sor_line(rows: tuple[MeasurementRow, ...] = (), rate: str = "5026.14",
             rate_quantity: str = "1") -> DocLine:
    return DocLine.from_draft(LineDraft(LineCategory.SOR, "Tile flooring", "SQM", D(rate),
                                        D(rate_quantity), rows, "FL00001", "r1", FL_HEADS))


def assert_matches_compute(doc: EstimateDocument) -> None:
    lines = [line.to_line() for line in doc.lines]
    from mukta_desktop.domain.estimate import Overhead

    overheads = [Overhead(o.code, o.description, o.kind, o.percent, o.lump_sum)
                 for o in doc.overheads]
    expected = compute(lines, overheads)
    assert doc.totals() == expected
    for line, domain_line in zip(doc.lines, lines, strict=True):
        assert line.quantity == domain_line.quantity
        assert line.amount == domain_line.amount


def test_the_design_example() -> None:
    row = MeasurementRow(RowKind.PLUS, "Hall", D(2), D("10.5"), D("0.45"), D("0.3"))
    doc = EstimateDocument(DAY, lines=[sor_line((row,))], overheads=[SC, GST])
    line = doc.lines[0]
    assert line.quantity == D("2.8350")
    assert line.amount == D("14249.11")
    assert doc.sor_total == D("14249.11")
    assert doc.overhead_amounts == [D("1068.68"), D("2564.84")]
    assert doc.total == D("17882.63")
    assert doc.total_rupees == D("17883")
    assert doc.analysis.labour == D("10200.39")  # 2.835 × 3598.02
    assert_matches_compute(doc)


def test_round_trip_through_a_draft() -> None:
    row = MeasurementRow(RowKind.MINUS, "door", D(1), D("1.2"), None, D("2.1"))
    draft = EstimateDraft(DAY, "Drain", (sor_line((row,)).to_draft(),), (SC,))
    assert EstimateDocument.from_draft(draft).to_draft() == draft


def test_each_overhead_code_once_but_lump_sums_repeat() -> None:
    doc = EstimateDocument(DAY, overheads=[SC])
    with pytest.raises(ValidationError, match="already on the estimate"):
        doc.check_new_overhead(SC)
    lump = OverheadDraft("LS", "Shifting of poles", OverheadKind.LUMPSUM, lump_sum=D("5000"))
    doc.insert_overhead(1, lump)
    doc.check_new_overhead(lump)  # may repeat


def test_row_problems() -> None:
    assert row_problem(MeasurementRow(), where="Row 1") == (
        "error", "Row 1: type at least one of No., L, B, D (a blank one counts as 1).")
    kind, text = row_problem(MeasurementRow(number=D(0)), where="Row 2") or ("", "")
    assert kind == "warning"
    assert "measures nothing" in text
    assert row_problem(MeasurementRow(number=D(2)), where="Row 3") is None


def _random_factor(rng: random.Random, huge: float) -> Decimal | None:
    choice = rng.random()
    if choice < 0.2:
        return None
    if choice < 0.25:
        return D(0)
    if choice < 0.25 + huge:  # the largest a factor may be: amounts beyond 28 digits
        return D("99999.9999")
    return D(rng.randint(0, 999_999)).scaleb(-rng.randint(2, 4))


def _random_row(rng: random.Random, huge: float) -> MeasurementRow:
    kind = RowKind.MINUS if rng.random() < 0.2 else RowKind.PLUS
    return MeasurementRow(kind, f"r{rng.randint(1, 99)}",
                          *(_random_factor(rng, huge) for _ in range(4)))


@pytest.mark.parametrize(("seed", "huge"), [(20261121, 0.0), (7, 0.0), (11, 0.002)])
def test_random_edits_keep_every_figure_equal_to_compute(seed: int, huge: float) -> None:
    """Seeded random edits; with `huge`, now and then a row of four maximal factors, whose
    amounts no longer fit 28 digits (the document then sums afresh, as compute does)."""
    rng = random.Random(seed)
    doc = EstimateDocument(DAY)
    for step in range(1500):
        action = rng.random()
        lines = doc.lines
        if action < 0.08 or not lines:
            if rng.random() < 0.7:
                line = sor_line(rate=f"{rng.randint(1, 999999)}.{rng.randint(0, 99):02d}",
                                rate_quantity=rng.choice(["1", "1", "120", "2.5"]))
            else:
                line = DocLine(LineCategory.NON_SOR, "Misc", "NOS",
                               D(rng.randint(0, 99999)).scaleb(-2))
            doc.insert_line(rng.randint(0, len(lines)), line)
        elif action < 0.12:
            doc.remove_line(rng.randrange(len(lines)))
        elif action < 0.45:
            line = rng.choice(lines)
            doc.insert_rows(line, rng.randint(0, len(line.rows)),
                            [_random_row(rng, huge) for _ in range(rng.randint(1, 3))])
        elif action < 0.75:
            line = rng.choice(lines)
            if line.rows:
                doc.set_row(line, rng.randrange(len(line.rows)), _random_row(rng, huge))
        elif action < 0.85:
            line = rng.choice(lines)
            if line.rows:
                removed = doc.remove_rows(line, rng.sample(range(len(line.rows)),
                                                           rng.randint(1, len(line.rows))))
                if rng.random() < 0.5:
                    doc.restore_rows(line, removed)
        elif action < 0.9:
            line = rng.choice(lines)
            if not line.is_sor:
                doc.update_line(line, {"rate": D(rng.randint(0, 99999)).scaleb(-2)})
        elif action < 0.95:
            if SC.code in doc.overhead_codes():
                doc.remove_overhead(rng.randrange(len(doc.overheads)))
            else:
                doc.insert_overhead(0, SC)
        else:
            lump = OverheadDraft("LS", "Lump sum", OverheadKind.LUMPSUM,
                                 lump_sum=D(rng.randint(0, 10**7)).scaleb(-2))
            if GST.code not in doc.overhead_codes():
                doc.insert_overhead(len(doc.overheads), GST)
            doc.insert_overhead(len(doc.overheads), lump)
        if step % 25 == 0:
            assert_matches_compute(doc)
    assert_matches_compute(doc)
    assert doc.revision > 1000
    # and a document made afresh from the draft has the same figures
    assert EstimateDocument.from_draft(doc.to_draft()).totals() == doc.totals()


def test_a_revision_line_keeps_the_used_quantity_at_its_rate_and_its_reason() -> None:
    """Part of a revision line measured in approved MBs stays at the old rate (compute's
    line_amount_with_used); the reason is edited like any line field, figures untouched."""
    line = DocLine.from_draft(LineDraft(
        LineCategory.SOR, "Tile flooring", "SQM", D("5432.14"), D(1),
        (MeasurementRow(RowKind.PLUS, "Hall", D(1), D(10), None, None),), "FL00001", "r2",
        FL_HEADS, origin_line_id="o1", used_quantity=D(4), used_rate=D("5026.14")))
    doc = EstimateDocument(DAY, lines=[line], overheads=[SC])
    assert line.amount == D("52697.40")  # 4 × 5026.14 + 6 × 5432.14
    assert_matches_compute(doc)
    before = doc.totals()
    assert doc.update_line(line, {"reason": "Hard soil"}) == {"reason": ""}
    assert doc.totals() == before
    assert doc.to_draft().lines[0].reason == "Hard soil"
    doc.set_row(line, 0, MeasurementRow(RowKind.PLUS, "Hall", D(1), D(12), None, None))
    assert line.amount == D("63561.68")  # 4 × 5026.14 + 8 × 5432.14
    assert_matches_compute(doc)
