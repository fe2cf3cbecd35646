"""Renders the SOR screens with demo data (offscreen) and checks they are not empty.

With MUKTA_SCREENSHOTS=1 the pictures are written to docs/screenshots/sor-*.png:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen .venv/bin/pytest tests/ui/test_sor_screenshots.py
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sor_support import STATE_ADMIN, TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.sor.section import SorSection

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    if os.environ.get("MUKTA_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


@pytest.fixture
def section(qtbot: QtBot, db: Database) -> Iterator[SorSection]:
    load_demo(db, today=TODAY)
    ctx: UiContext = make_ctx(db, STATE_ADMIN, login="demo")
    widget = SorSection(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 16, timeout=WAIT)
    yield widget
    wait_idle(qtbot, ctx)


def _save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()  # pending layout requests first
    picture = widget.grab()
    assert not picture.isNull()
    assert picture.width() >= 400
    assert picture.save(str(path))


def test_render_sor_screens(qtbot: QtBot, section: SorSection, out_dir: Path,
                            reference: Path, tmp_path: Path) -> None:
    section.select_code("DEMO-W-002")
    _save(section, out_dir / "sor-search.png")

    view = section.open_sor("DEMO-W-008")
    qtbot.waitUntil(lambda: view.detail is not None, timeout=WAIT)
    _save(view, out_dir / "sor-view.png")
    view.tabs.setCurrentWidget(view.analysis_tab)
    _save(view, out_dir / "sor-view-analysis.png")
    view.tabs.setCurrentIndex(1)
    _save(view, out_dir / "sor-view-history.png")
    view.close()

    add = section.add_rate("DEMO-W-005")
    assert add is not None
    qtbot.waitUntil(lambda: add.detail is not None, timeout=WAIT)
    for key, edit in add.heads.edits.items():
        edit.setText({"material": "1307.80", "labour": "3598.02", "conveyance": "66.01",
                      "royalty": "4.55"}.get(key, ""))
    assert add.heads.total_value.text() == "₹ 5,026.14"
    _save(add, out_dir / "sor-add-rate.png")
    add.close()

    new = section.new_sor()
    assert new is not None
    new.description.setPlainText("Cement concrete 1:2:4 in kerb and channel, ground floor")
    new.set_type("W")
    new.sub_type_combo.setCurrentIndex(new.sub_type_combo.findData("CC"))
    new.variant_combo.setCurrentIndex(new.variant_combo.findData("GF"))
    new.unit_combo.setCurrentIndex(new.unit_combo.findData("CUM"))
    new.rate_box.setChecked(True)
    new.heads.edits["material"].setText("4,120.00")
    new.heads.edits["labour"].setText("1,380.50")
    new.heads.edits["conveyance"].setText("295.00")
    _save(new, out_dir / "sor-new.png")
    new.close()

    modify = section.modify("DEMO-W-002")
    assert modify is not None
    qtbot.waitUntil(lambda: modify.detail is not None, timeout=WAIT)
    _save(modify, out_dir / "sor-modify.png")
    modify.close()

    analysis = section.analyse("DEMO-W-008")
    assert analysis is not None
    qtbot.waitUntil(lambda: analysis.preview is not None, timeout=WAIT)
    _save(analysis, out_dir / "sor-rate-analysis.png")
    analysis.close()

    import openpyxl

    bad = tmp_path / "sor-schedule-2026.xlsx"
    shutil.copy(reference / "sor-mdt.xlsx", bad)
    book = openpyxl.load_workbook(bad)
    sheet = book["SOR"]
    sheet["G4"] = "BUCKETS"
    sheet["J7"] = -345
    sheet["C5"] = "Widget"
    book.save(bad)
    dialog = section.import_file()
    assert dialog is not None
    dialog.set_path(bad)
    with qtbot.waitSignal(dialog.imported, timeout=WAIT):
        dialog.start_import()
    assert dialog.problems.rowCount() >= 2
    _save(dialog, out_dir / "sor-import.png")
    dialog.close()
