"""Renders the Work orders section (a work order open) and Search MB with the demo data
(offscreen) and checks the pictures are not blank.

With MUKTA_SCREENSHOTS=1 the pictures are written to docs/screenshots/:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen \\
        .venv/bin/pytest tests/ui/test_mb_sections_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT, wait_idle

from mukta_desktop.domain.roles import Role
from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.masters import read_masters
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.mb.search_section import MbSearchSection
from mukta_desktop.ui.mb.work_orders_section import WorkOrdersSection

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO = Actor("demo", "Demo Engineer (demo)", "od.dhenkanal", frozenset(Role))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    if os.environ.get("MUKTA_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path


def distinct_colours(image: QImage, step: int = 7) -> int:
    """How many different colours a grid of samples finds (a blank picture has one or two)."""
    return len({image.pixel(x, y) for x in range(0, image.width(), step)
                for y in range(0, image.height(), step)})


def save(widget: QWidget, path: Path) -> QImage:
    QApplication.processEvents()  # pending layout requests first
    picture = widget.grab()
    assert not picture.isNull()
    assert picture.width() >= 1000
    assert picture.save(str(path))
    image = QImage(str(path))
    assert distinct_colours(image) > 20
    return image


def test_render_the_work_order_and_mb_search_screens(
        qtbot: QtBot, db: Database, out_dir: Path) -> None:
    demo = load_demo(db, today=TODAY)
    ctx = UiContext(db, DEMO, read_masters(db), Runner(), lambda: TODAY)

    section = WorkOrdersSection(ctx)
    qtbot.addWidget(section)
    section.resize(1280, 820)
    with qtbot.waitSignal(section.listed, timeout=WAIT):
        section.show()
    assert section.select_number(demo.work_order)
    panel = section.panel
    qtbot.waitUntil(lambda: panel.view is not None, timeout=WAIT)
    assert panel.lines_model.rowCount() >= 2
    assert panel.mbs_model.texts("Number") == list(demo.measurement_books)
    panel.mbs_table.selectRow(1)
    save(section, out_dir / "work-orders.png")

    search = MbSearchSection(ctx)
    qtbot.addWidget(search)
    search.resize(1280, 560)
    with qtbot.waitSignal(search.searched, timeout=WAIT):
        search.show()
    with qtbot.waitSignal(search.searched, timeout=WAIT):
        search.ward_edit.setText("7")
    assert search.model.rowCount() == len(demo.measurement_books)
    search.table.selectRow(0)
    save(search, out_dir / "mb-search.png")
    wait_idle(qtbot, ctx)
