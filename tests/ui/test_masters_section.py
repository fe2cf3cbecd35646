"""The Masters section lists the seeded master lists, read-only."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import JE, make_ctx

from mukta_desktop.services.database import Database
from mukta_desktop.ui.masters_section import MastersSection


def _column(model, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_lists_every_master(qtbot: QtBot, db: Database, qtmodeltester: ModelTester) -> None:
    section = MastersSection(make_ctx(db, JE))
    qtbot.addWidget(section)
    models = section.models
    assert _column(models["SOR types"], 0) == ["M", "L", "E", "W"]
    sub_types = _column(models["Sub types"], 1)
    assert {"EW", "FL", "RC", "BI", "IW", "US", "SS", "SD", "HS", "NA1", "NA2"} <= set(sub_types)
    assert len([c for c in sub_types if c not in {"US", "SS", "SD", "HS", "NA1", "NA2"}]) == 18
    units = dict(zip(_column(models["Units"], 0), _column(models["Units"], 2), strict=True))
    assert {"CUM", "QNTL", "MT", "NOS", "KG", "LTR", "SQM", "HOUR", "RMT", "KL"} <= set(units)
    assert "QTL" in units["QNTL"]
    assert "MTR" in units["RMT"]
    overheads = models["Overheads"]
    rows = {overheads.index(r, 0).data(): overheads.index(r, 3).data()
            for r in range(overheads.rowCount())}
    assert rows["SC"] == "7.5 %"
    assert rows["GST"] == "18 %"
    tenants = _column(models["ULBs"], 0)
    assert len(tenants) == 27
    assert "od.dhenkanal" in tenants
    assert "Labour cess" in _column(models["Rate heads"], 0)
    for model in models.values():
        qtmodeltester.check(model)
