"""Renders the estimate editor with a demo estimate (offscreen) and checks it is not empty.

With MUKTA_SCREENSHOTS=1 the pictures are written to docs/screenshots/estimate-editor*.png:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen .venv/bin/pytest \
        tests/ui/test_estimate_editor_screenshots.py
"""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.domain.estimate import LineCategory, OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft, OverheadDraft
from mukta_desktop.services.estimates import create_estimate, price_sor_line
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.ui.estimates.editor import EstimateEditor
from mukta_desktop.ui.estimates.editor_models import MeasurementsTableModel as M

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
D = Decimal
ULB = "od.dhenkanal"


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    if os.environ.get("MUKTA_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def _row(kind: RowKind, name: str, *factors: str | None) -> MeasurementRow:
    n, length, breadth, depth = (None if f is None else D(f) for f in factors)
    return MeasurementRow(kind, name, n, length, breadth, depth)


P, MINUS = RowKind.PLUS, RowKind.MINUS
ROWS = {
    "DEMO-W-001": (
        _row(P, "Long walls", "2", "10.60", "0.90", "1.20"),
        _row(P, "Cross walls", "3", "4.20", "0.90", "1.20"),
        _row(P, "Pillars", "4", "1.20", "1.20", "1.50"),
    ),
    "DEMO-W-002": (
        _row(P, "Long walls", "2", "10.60", "0.90", "0.15"),
        _row(P, "Cross walls", "3", "4.20", "0.90", "0.15"),
    ),
    "DEMO-W-003": (
        _row(P, "Long walls, footing", "2", "10.40", "0.60", "0.90"),
        _row(P, "Cross walls, footing", "3", "4.40", "0.60", "0.90"),
        _row(MINUS, "Pipe openings", "4", "0.30", "0.60", "0.30"),
    ),
    "DEMO-W-005": (
        _row(P, "Hall", "1", "10.00", "6.50", None),
        _row(P, "Verandah", "1", "10.00", "2.10", None),
        _row(MINUS, "Pillars", "4", "0.30", "0.30", None),
    ),
}


def _demo_estimate(db: Database) -> str:
    actor = make_ctx(db, frozenset({Role.ESTIMATE_CREATOR}), tenant=ULB, login="demo").actor
    project = create_project(db, actor, NewProject("Community hall, ward 7"), today=TODAY)
    lines = [replace(price_sor_line(db, code, at=TODAY, tenant=ULB), rows=rows)
             for code, rows in ROWS.items()]
    lines.append(LineDraft(LineCategory.NON_SOR, "Shifting of electric pole", "NOS",
                           D("12500.00"), rows=(_row(P, "Near the gate", "1", None, None, None),)))
    overheads = (
        OverheadDraft("SC", "Supervision Charge", OverheadKind.PERCENT, percent=D("7.5")),
        OverheadDraft("GST", "Goods and Service Tax", OverheadKind.PERCENT, percent=D("18")),
    )
    view = create_estimate(
        db, actor, project_number=project.number,
        draft=EstimateDraft(TODAY, "Community hall: foundation and flooring", tuple(lines),
                            overheads),
        today=TODAY)
    return view.number


def _save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()  # pending layout requests first
    picture = widget.grab()
    assert not picture.isNull()
    assert picture.width() >= 1000
    assert picture.save(str(path))


def test_render_the_estimate_editor(qtbot: QtBot, demo_db: Database, out_dir: Path) -> None:
    number = _demo_estimate(demo_db)
    ctx = make_ctx(demo_db, frozenset({Role.ESTIMATE_CREATOR}), tenant=ULB, login="demo")
    editor = EstimateEditor(ctx, number)
    qtbot.addWidget(editor)
    editor.autosave_idle_ms = editor.autosave_max_ms = 3_600_000
    editor.resize(1440, 900)
    editor.show()
    qtbot.waitUntil(lambda: not editor.loading, timeout=WAIT)
    qtbot.waitUntil(lambda: editor.picker.model.rowCount() > 0, timeout=WAIT)
    try:
        document = editor.document
        editor.select_line(document.lines[2])
        editor.grid.setFocus()
        editor.grid.go_to(1, M.DEPTH)
        editor.picker.search_edit.setText("concrete")
        qtbot.waitUntil(lambda: not editor.picker.search_timer.isActive()
                        and ctx.runner.pending == 0, timeout=WAIT)
        assert editor.picker.model.rowCount() >= 2
        assert editor.totals.grand_total.text().startswith("₹ ")
        _save(editor, out_dir / "estimate-editor.png")

        # a cell typed wrong: refused in the cell and in words, the old value kept
        editor.select_line(document.lines[3])
        editor.grid.go_to(1, M.BREADTH)
        editor.grid.setFocus()
        assert not editor.measurements_model.setData(
            editor.measurements_model.index(1, M.BREADTH), "2.1.0")
        editor.grid.edit(editor.measurements_model.index(2, M.NUMBER))
        cells = [w for w in editor.grid.viewport().findChildren(QLineEdit, "cellEditor")
                 if w.isVisible()]
        assert cells
        cells[0].setText("4")
        _save(editor, out_dir / "estimate-editor-refused.png")
    finally:
        wait_idle(qtbot, ctx)
