"""Every table model of the SOR screens passes Qt's model tester, with rows in it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.services.sor_views import (
    AnalysisLineInfo,
    ChargeInfo,
    RateInfo,
    SorPage,
    SorRow,
)
from mukta_desktop.sor_files.report import ImportProblem
from mukta_desktop.ui.sor.models import (
    AnalysisChargesTableModel,
    AnalysisInputTableModel,
    AnalysisLinesTableModel,
    BasicItem,
    ChargeDraft,
    ChargesInputTableModel,
    ImportProblemsTableModel,
    RateHeadsTableModel,
    RateHistoryTableModel,
    SorTableModel,
)

HEADS = RateHeads(material=Decimal("1307.80"), labour=Decimal("3598.02"),
                  conveyance=Decimal("66.01"), royalty=Decimal("4.55"),
                  labour_cess=Decimal("49.76"))
DAY = date(2026, 11, 21)
RIGHT = Qt.AlignmentFlag.AlignRight


def _row(number: int, rate: Decimal | None = Decimal("5026.14")) -> SorRow:
    return SorRow(f"id{number}", f"FL{number:05d}", f"Tile flooring {number}", "W", "FL", "GF",
                  "SQM", Decimal("1"), "ACTIVE", rate, DAY if rate is not None else None,
                  "od" if rate is not None else None)


def _aligned_right(model: object, row: int, column: int) -> bool:
    value = model.data(model.index(row, column), Qt.ItemDataRole.TextAlignmentRole)  # type: ignore[attr-defined]
    return bool(value & RIGHT)


def test_sor_table_model(qtmodeltester: ModelTester) -> None:
    model = SorTableModel({"W": "Works"}, {"FL": "Flooring"})
    requested: list[int] = []
    model.fetch_requested.connect(requested.append)
    model.set_page(SorPage((_row(0), _row(1), _row(2), _row(9, None)), total=6))
    qtmodeltester.check(model)
    assert model.data(model.index(0, 6)) == "5,026.14"
    assert _aligned_right(model, 0, 6)
    assert model.data(model.index(3, 6)) == ""  # no rate yet
    assert model.data(model.index(0, 7)) == "21/11/2026"
    assert model.data(model.index(0, 2)) == "Works"
    assert model.data(model.index(0, 3)) == "Flooring"
    # the tester scrolled: the model asked for the rows after the 4 it has, once
    assert requested == [4]
    assert not model.canFetchMore(QModelIndex())  # one request at a time
    model.fetchMore(QModelIndex())
    assert requested == [4]
    model.append_page(SorPage((_row(10), _row(11)), total=6))
    assert model.rowCount() == 6
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_rate_heads_table_model(qtmodeltester: ModelTester) -> None:
    model = RateHeadsTableModel()
    qtmodeltester.check(model)
    model.set_heads(HEADS)
    qtmodeltester.check(model)
    assert model.rowCount() == 10
    assert model.data(model.index(9, 0)) == "Total"
    assert model.data(model.index(9, 1)) == "5,026.14"
    assert model.data(model.index(9, 0), Qt.ItemDataRole.FontRole).bold()
    assert _aligned_right(model, 0, 1)


def test_rate_history_table_model(qtmodeltester: ModelTester) -> None:
    rates = [RateInfo("r2", "od.jatni", "Jatni", DAY, None, HEADS, HEADS.total, "MANUAL"),
             RateInfo("r1", "od", "Odisha", date(2025, 4, 1), date(2026, 11, 20), HEADS,
                      HEADS.total, "IMPORT")]
    model = RateHistoryTableModel(rates)
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "—"
    assert model.data(model.index(1, 2)) == "20/11/2026"
    assert model.data(model.index(1, 3)) == "5,026.14"
    assert model.data(model.index(1, 4)) == "Import"


def test_analysis_tables(qtmodeltester: ModelTester) -> None:
    lines = AnalysisLinesTableModel([
        AnalysisLineInfo("M1", "Sand", "CUM", Decimal("2"), Decimal("125"), Decimal("1"),
                         RateHeads(material=Decimal("2.00"), conveyance=Decimal("0.40"))),
        AnalysisLineInfo("M4", "Bricks", "NOS", Decimal("0.5"), Decimal("5600"),
                         Decimal("1000"), RateHeads(material=Decimal("0.03")))])
    qtmodeltester.check(lines)
    assert lines.data(lines.index(0, 5)) == "2.40"
    assert lines.data(lines.index(1, 4)) == "5,600.00 / 1000"
    charges = AnalysisChargesTableModel([
        ChargeInfo("Water charges", "PERCENT", Decimal("1"), "additional", Decimal("0.19")),
        ChargeInfo("Carriage", "FIXED", Decimal("12.5"), "conveyance", Decimal("12.50"))])
    qtmodeltester.check(charges)
    assert charges.data(charges.index(0, 2)) == "1 %"
    assert charges.data(charges.index(1, 2)) == "12.50"
    assert charges.data(charges.index(1, 3)) == "Conveyance"


def test_import_problems_table_model(qtmodeltester: ModelTester) -> None:
    model = ImportProblemsTableModel([
        ImportProblem("unit 'BUCKETS' is not known", "SOR", 4, "UOM"),
        ImportProblem("the file is not a workbook")])
    qtmodeltester.check(model)
    assert [model.data(model.index(0, c)) for c in range(4)] == [
        "SOR", "4", "UOM", "unit 'BUCKETS' is not known"]
    assert model.data(model.index(1, 1)) == ""


def test_analysis_input_table_model(qtmodeltester: ModelTester) -> None:
    model = AnalysisInputTableModel()
    errors: list[str] = []
    model.input_error.connect(errors.append)
    sand = BasicItem("M1", "Sand", "M", "CUM", Decimal("1"), Decimal("125"))
    assert model.add_line(sand, Decimal("2"))
    assert model.add_line(BasicItem("L1", "Labourer", "L", "NOS", Decimal("1"),
                                    Decimal("400")), Decimal("4"))
    assert not model.add_line(sand, Decimal("1"))
    assert "already in the analysis" in errors[-1]
    qtmodeltester.check(model)
    cell = model.index(0, model.QUANTITY)
    assert model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(cell, "2.5")
    assert model.data(cell) == "2.5"
    assert not model.setData(cell, "-1")
    assert "Quantity of M1" in errors[-1]
    assert model.data(model.index(0, model.RATE)) == "125.00"  # as known when added
    model.set_preview([
        AnalysisLineInfo("M1", "Sand", "CUM", Decimal("2.5"), Decimal("130.00"), Decimal("1"),
                         RateHeads(material=Decimal("3.25"))),
        AnalysisLineInfo("L1", "Labourer", "NOS", Decimal("4"), Decimal("400.00"), Decimal("1"),
                         RateHeads(labour=Decimal("16.00")))])
    assert model.data(model.index(1, model.CONTRIBUTION)) == "16.00"
    assert model.data(model.index(0, model.RATE)) == "130.00"  # as in force on the date
    model.set_preview(None)
    assert model.data(model.index(0, model.CONTRIBUTION)) == ""
    assert model.data(model.index(0, model.RATE)) == "125.00"
    model.remove_line(0)
    assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_charges_input_table_model(qtmodeltester: ModelTester) -> None:
    model = ChargesInputTableModel()
    errors: list[str] = []
    model.input_error.connect(errors.append)
    model.add_charge(ChargeDraft("Water charges", "PERCENT", Decimal("1")))
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "1 %"
    assert model.setData(model.index(0, model.KIND), "FIXED")
    assert model.data(model.index(0, 1)) == "Fixed ₹"
    assert model.setData(model.index(0, model.VALUE), "1,250.50")
    assert model.data(model.index(0, 2)) == "1250.5"
    assert not model.setData(model.index(0, model.KIND), "SOMETIMES")
    assert "PERCENT or FIXED" in errors[-1]
    assert not model.setData(model.index(0, model.DESCRIPTION), "  ")
    model.set_amounts([Decimal("1250.50")])
    assert model.data(model.index(0, 3)) == "1,250.50"
    qtmodeltester.check(model)


def test_a_charge_kind_change_keeps_the_value_within_the_new_kind() -> None:
    model = ChargesInputTableModel()
    errors: list[str] = []
    model.input_error.connect(errors.append)
    model.add_charge(ChargeDraft("Carriage", "FIXED", Decimal("250.00")))
    model.add_charge(ChargeDraft("Overheads", "PERCENT", Decimal("12.3456")))
    model.add_charge(ChargeDraft("Water charges", "PERCENT", Decimal("12.5")))
    # a fixed ₹ 250 is not 250 %: refused, the charge unchanged
    assert not model.setData(model.index(0, model.KIND), "PERCENT")
    assert errors[-1].startswith("'Carriage' cannot become a percentage: Percentage of "
                                 "'Carriage': 250 is too large; allowed: 0 to 100")
    assert model.rows[0] == ChargeDraft("Carriage", "FIXED", Decimal("250.00"))
    # 12.3456 has more decimals than rupees and paise
    assert not model.setData(model.index(1, model.KIND), "FIXED")
    assert errors[-1].startswith("'Overheads' cannot become a fixed amount: Amount of "
                                 "'Overheads': 12.3456 has more than 2 decimals")
    assert model.rows[1].kind == "PERCENT"
    # a value that fits both kinds changes kind
    assert model.setData(model.index(2, model.KIND), "FIXED")
    assert model.rows[2] == ChargeDraft("Water charges", "FIXED", Decimal("12.5"))
    assert model.data(model.index(2, model.VALUE)) == "12.5"
    assert model.setData(model.index(0, model.KIND), "FIXED")  # no change is fine
    assert len(errors) == 2
