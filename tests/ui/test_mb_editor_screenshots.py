"""Renders the MB editor with a realistic MB (offscreen) and checks the pictures are not blank.

With MUKTA_SCREENSHOTS=1 the pictures are written to docs/screenshots/mb-editor*.png:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen .venv/bin/pytest \
        tests/ui/test_mb_editor_screenshots.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from mb_editor_support import (
    BOARD_ROWS,
    MbSetup,
    approve_mb,
    build,
    close_all,
    close_window,
    item_keys,
    new_mb,
    open_window,
    row,
    site_photo,
)
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sor_support import WAIT

from mukta_desktop.services.database import Database
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import add_photo
from mukta_desktop.ui.estimates.editor_models import MeasurementsTableModel as M

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"



@pytest.fixture(autouse=True)
def _close_mb_windows(qtbot: QtBot) -> Iterator[None]:
    yield
    close_all(qtbot)


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    """docs/screenshots with MUKTA_SCREENSHOTS=1 (the pictures the guide shows), else a
    temporary folder."""
    folder = DOCS if os.environ.get("MUKTA_SCREENSHOTS") else tmp_path / "pictures"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _realistic_mb(setup: MbSetup, photos: Path) -> str:
    """The second MB of the work order: the first (approved) measured part of the floor and
    the concrete; this one measures all three items, with two site photos."""
    floor, pcc, board = item_keys(setup)
    first = new_mb(setup, MbLineDraft(floor, (row("1", "2.5", "2", name="Hall, east half"),)),
                   MbLineDraft(pcc, (row("2", "10.5", "0.45", "0.3",
                                         name="Footing, long walls"),)))
    approve_mb(setup, first.number)
    second = new_mb(
        setup,
        MbLineDraft(floor, (row("1", "2.5", "1", name="Hall, west half"),
                            row("1", "0.5", "0.75", name="Verandah strip"),
                            row("2", "0.3", "0.3", minus=True, name="Pillars"))),
        MbLineDraft(pcc, (row("3", "4.2", "0.45", "0.3", name="Footing, cross walls"),)),
        MbLineDraft(board, BOARD_ROWS),
    )
    for index in (1, 2):
        add_photo(setup.db, setup.je.actor, second.number,
                  site_photo(photos, index, name=f"IMG_2026070{5 + index}_10{index}2.jpg"))
    return second.number


def _grab(widget: QWidget, path: Path, *, min_width: int = 1000) -> None:
    """Write what `widget` shows to `path`; it must be a picture, not a blank."""
    QApplication.processEvents()  # pending layout requests first
    image = widget.grab().toImage()
    assert image.width() >= min_width
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
               for y in range(0, image.height(), 23)}
    assert len(colours) > 20, "the picture is (nearly) blank"
    assert image.save(str(path))


def test_render_the_mb_editor(qtbot: QtBot, db: Database, pictures: Path,
                              tmp_path: Path) -> None:
    setup = build(db)
    number = _realistic_mb(setup, tmp_path)
    window = open_window(qtbot, setup.je, number)
    window.resize(1440, 900)
    try:
        qtbot.waitUntil(lambda: window.photos.model.rowCount() == 2
                        and window.photos.cameras is not None, timeout=WAIT)
        window.select_line(window.document.items[0])
        window.grid.setFocus()
        window.grid.go_to(1, M.DEPTH)
        assert window.totals.this_mb.text().startswith("₹ ")
        assert window.lines_model.rowCount() == 3
        _grab(window, pictures / "mb-editor.png")

        # the ceiling crossed while typing: the up-to-date cell red, the message bar naming it
        model = window.rows_model
        assert model.setData(model.index(0, M.LENGTH), "6")
        assert window.ceiling_text()
        _grab(window, tmp_path / "mb-editor-ceiling.png")  # looked at, not in the guide
        window.editing.stack.undo()
        assert not window.ceiling_text()

        dialog = window.photos.open_photo(window.photos.model.index(0, 0))
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT)
        dialog.resize(900, 700)
        _grab(dialog, pictures / "mb-editor-photos.png", min_width=800)
        dialog.close()
    finally:
        close_window(qtbot, window)
