"""The MB editor window: measuring with live totals, photos, saving, the workflow, undo, paste,
the ceiling warning, copying the estimate's rows, read-only approved MBs, the camera without a
camera, closing (pytest-qt, offscreen; every service call through the real services)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from mb_editor_support import (
    FLOOR_ROWS,
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
    wait_jobs,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import TODAY, WAIT

from mukta_desktop.domain.measurements import RowKind
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.mb_views import MbLineDraft
from mukta_desktop.services.measurement_books import (
    add_photo,
    get_mb,
    mb_inbox,
    save_mb,
)
from mukta_desktop.ui.estimates.editor_models import MeasurementsTableModel as M
from mukta_desktop.ui.mb import editor_window
from mukta_desktop.ui.mb.camera_dialog import NO_CAMERA
from mukta_desktop.ui.mb.editor_models import OVER_CEILING_BRUSH
from mukta_desktop.ui.mb.editor_models import LinesTableModel as L
from mukta_desktop.ui.mb.editor_window import MbEditorWindow, open_mb_editor
from mukta_desktop.ui.widgets import alive

D = Decimal
CTRL = Qt.KeyboardModifier.ControlModifier
EDIT = Qt.ItemDataRole.EditRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole



@pytest.fixture(autouse=True)
def _close_mb_windows(qtbot: QtBot) -> Iterator[None]:
    yield
    close_all(qtbot)

@pytest.fixture
def setup(db: Database) -> MbSetup:
    return build(db)


def text(window: MbEditorWindow, row: int, column: int) -> str:
    model = window.lines_model
    return str(model.data(model.index(row, column)))


def type_row(window: MbEditorWindow, row: int, *cells: tuple[int, str]) -> None:
    """Type cells of one row of the selected line into the rows model, as the grid does."""
    model = window.rows_model
    for column, value in cells:
        assert model.setData(model.index(row, column), value, EDIT), (column, value)


HALL = ((M.NUMBER, "2"), (M.LENGTH, "10.5"), (M.BREADTH, "0.45"), (M.DEPTH, "0.3"))


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[str]:
    """The file dialog answers `path` (None: cancelled); returns the captions it was asked."""
    asked: list[str] = []

    def answer(_parent: object, caption: str, _folder: str, _filter: str) -> tuple[str, str]:
        asked.append(caption)
        return ("" if path is None else str(path), "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(answer))
    return asked


# ---------------------------------------------------------------- the whole round


def test_measure_add_a_photo_save_submit_and_the_verifier_sees_it(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = new_mb(setup).number
    window = open_window(qtbot, setup.je, number)
    for model in (window.lines_model, window.rows_model, window.history_model,
                  window.photos.model, window.timeline_model):
        ModelTester(qtbot).check(model)
    assert window.windowTitle() == f"MB {number} — Community hall, ward 7"
    assert window.lines_model.rowCount() == 3
    assert text(window, 0, L.ESTIMATE) == "8.0000"
    assert text(window, 0, L.PREVIOUS) == "0.0000"
    assert text(window, 0, L.RATE) == "5,026.14"
    assert window.work_order_label.text().startswith(setup.work_order)
    assert window.location_label.text() == "Ward 7, Station Road"
    assert window.history_model.texts("MB") == [number]
    assert window.workflow.action_labels() == ["Submit"]

    # measuring: N 2, L 10.5, B 0.45, D 0.3 → 2.8350; × 5026.14 → 14,249.11, live
    window.select_line(window.document.items[0])
    type_row(window, 0, *HALL)
    assert window.rows_model.data(window.rows_model.index(0, M.QUANTITY)) == "2.8350"
    assert text(window, 0, L.THIS_MB) == "2.8350"
    assert text(window, 0, L.UP_TO_DATE) == "2.8350"
    assert text(window, 0, L.AMOUNT) == "14,249.11"
    assert text(window, 0, L.UP_TO_DATE_AMOUNT) == "14,249.11"
    assert window.totals.this_mb.text() == "₹ 14,249.11"
    assert window.totals.rupees.text() == "₹ 14,249"
    assert window.totals.cumulative.text() == "₹ 14,249.11"
    assert "Fourteen Thousand Two Hundred Forty Nine" in window.totals.words.text()
    # utilization: (1307.80 + 66.01 + 4.55 + cess 49.76) and 3598.02, each × 2.835
    assert window.totals.material.text() == "₹ 4,048.72"
    assert window.totals.labour.text() == "₹ 10,200.39"
    assert window.totals.machinery.text() == "₹ 0.00"
    assert window.save_label.text() == "Unsaved changes"
    assert not window.ceiling_text()

    # a photo from a file: imported on the runner with a busy bar
    photo = site_photo(tmp_path, 1, name="IMG_20260706_1013.jpg")
    asked = choose_file(monkeypatch, photo)
    qtbot.mouseClick(window.photos.add_button, Qt.MouseButton.LeftButton)
    assert asked == ["Add a site photo"]
    assert window.photos.busy
    assert not window.photos.busy_bar.isHidden()
    qtbot.waitUntil(lambda: window.photos.model.rowCount() == 1, timeout=WAIT)
    assert not window.photos.busy
    caption = window.photos.model.texts(0)[0]
    assert caption == ("IMG_20260706_1013.jpg\n06/07/2026 10:13 IST\n"
                       "20.658123° N, 85.598765° E")
    assert not window.photos.model.pixmap(window.photos.photos[0]).isNull()
    assert "1 of 5" in window.photos.caption.text()

    # saved with Ctrl+S, and the database has it
    qtbot.keyClick(window.lines_table, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not window.has_unsaved_changes(), timeout=WAIT)
    assert window.save_label.text().startswith("Saved ")
    stored = get_mb(setup.db, number)
    assert stored.lines[0].item.rows == (row("2", "10.5", "0.45", "0.3"),)
    assert stored.totals.total == D("14249.11")
    assert [p.original_name for p in stored.photos] == ["IMG_20260706_1013.jpg"]

    # submitted: read-only now, and in the verifier's inbox
    qtbot.mouseClick(window.workflow.buttons[Action.SUBMIT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.view is not None
                    and window.view.status is Status.PENDING_VERIFICATION, timeout=WAIT)
    assert window.read_only
    assert not window.rows_model.setData(window.rows_model.index(0, M.NUMBER), "3", EDIT)
    assert window.badge.text() == "Pending verification"
    assert window.timeline_model.texts("Action")[-1] == "Submit"
    assert [s.number for s in mb_inbox(setup.db, setup.verifier.actor)] == [number]
    close_window(qtbot, window)


def test_typing_in_the_grid_from_the_keyboard(qtbot: QtBot, setup: MbSetup) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    window.select_line(window.document.items[0])
    grid = window.grid
    grid.setFocus()
    grid.go_to(0, M.NUMBER)
    for value in ("2", "10.5", "0.45", "0.3"):
        qtbot.keyClick(grid, value[0])
        cells = [w for w in grid.viewport().findChildren(QLineEdit, "cellEditor")
                 if w.isVisible()]
        assert len(cells) == 1
        qtbot.keyClicks(cells[0], value[1:])
        qtbot.keyClick(cells[0], Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: not [w for w in grid.viewport().findChildren(
            QLineEdit, "cellEditor") if w.isVisible()], timeout=WAIT)
    assert text(window, 0, L.THIS_MB) == "2.8350"
    assert window.totals.this_mb.text() == "₹ 14,249.11"
    # a wrong cell is refused in plain words and keeps its value
    grid.go_to(0, M.LENGTH)
    assert not window.rows_model.setData(window.rows_model.index(0, M.LENGTH), "10.5.1", EDIT)
    assert window.grid_message.kind == "error"
    assert "Line 1, row 1, L" in window.grid_message.text()
    assert text(window, 0, L.THIS_MB) == "2.8350"
    close_window(qtbot, window)


# ---------------------------------------------------------------- undo, paste, copy


def test_undo_and_redo_of_a_cell_edit(qtbot: QtBot, setup: MbSetup) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    window.select_line(window.document.items[0])
    type_row(window, 0, *HALL)
    type_row(window, 0, (M.LENGTH, "12"))  # 2 × 12 × 0.45 × 0.3 = 3.24
    assert text(window, 0, L.THIS_MB) == "3.2400"
    assert window.totals.this_mb.text() == "₹ 16,284.69"
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, CTRL)
    assert text(window, 0, L.THIS_MB) == "2.8350"
    assert window.totals.this_mb.text() == "₹ 14,249.11"
    assert window.grid.currentIndex().column() == M.LENGTH  # undo shows where
    qtbot.keyClick(window.grid, Qt.Key.Key_Y, CTRL)
    assert text(window, 0, L.THIS_MB) == "3.2400"
    assert window.totals.this_mb.text() == "₹ 16,284.69"
    # undo back to nothing: the MB is as loaded
    while window.editing.stack.canUndo():
        window.editing.stack.undo()
    assert window.document.items[0].rows == []
    assert window.totals.this_mb.text() == "₹ 0.00"
    close_window(qtbot, window)


def test_paste_a_block_from_excel(qtbot: QtBot, setup: MbSetup) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    window.select_line(window.document.items[1])  # the concrete, 5645.65 per CUM
    window.grid.setFocus()
    window.grid.go_to(0, M.NUMBER)
    # 2 rows × 4 columns (No., L, B, D) as Excel copies them, with Indian grouping
    QGuiApplication.clipboard().setText("2\t10.5\t0.45\t0.3\r\n3\t1,004.2\t0.45\t0.3\r\n")
    qtbot.keyClick(window.grid, Qt.Key.Key_V, CTRL)
    line = window.document.items[1]
    assert line.rows == [row("2", "10.5", "0.45", "0.3"), row("3", "1004.2", "0.45", "0.3")]
    assert text(window, 1, L.THIS_MB) == "409.5360"  # 2.8350 + 406.7010
    assert window.grid_message.text() == "Pasted 2 rows."
    # over the concrete's 4.5360: the ceiling says so, and one undo takes the paste back
    assert "Line 2" in window.ceiling_text()
    window.editing.stack.undo()
    assert line.rows == []
    assert not window.ceiling_text()
    # a bad block is refused whole, naming the row and column
    assert not window.grid.paste_text("2\t10.5\tx\t0.3\r\n")
    assert "Pasted row 1, B" in window.grid_message.text()
    assert line.rows == []
    close_window(qtbot, window)


def test_copy_the_estimates_rows_for_a_line_and_for_all_lines(
    qtbot: QtBot, setup: MbSetup
) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    floor, pcc, board = window.document.items
    assert floor.estimate_rows == FLOOR_ROWS
    window.select_line(pcc)
    type_row(window, 0, (M.NUMBER, "1"))  # the concrete is measured already
    window.select_line(floor)
    assert window.copy_line_rows() == 1
    assert floor.rows == list(FLOOR_ROWS)
    assert text(window, 0, L.THIS_MB) == "8.0000"  # +10 −2
    assert "Copied the estimate's 2 rows into line 1" in window.grid_message.text()
    window.editing.stack.undo()
    assert floor.rows == []
    # all lines: the lines not measured yet; the concrete keeps its row
    qtbot.mouseClick(window.copy_all_button, Qt.MouseButton.LeftButton)
    assert floor.rows == list(FLOOR_ROWS)
    assert pcc.rows == [row("1")]
    assert board.rows == [row("1", name="At the gate")]
    assert "into 2 lines; 1 line already measured kept" in window.grid_message.text()
    assert window.editing.stack.undoText() == "Copy the estimate's rows into 2 lines"
    window.editing.stack.undo()  # one step
    assert floor.rows == []
    assert board.rows == []
    assert pcc.rows == [row("1")]
    close_window(qtbot, window)


# ---------------------------------------------------------------- the ceiling


def test_the_ceiling_warning_is_live_and_submit_is_refused(
    qtbot: QtBot, setup: MbSetup
) -> None:
    floor = item_keys(setup)[0]
    first = new_mb(setup, MbLineDraft(floor, (row("5"),)))
    approve_mb(setup, first.number)  # DESIGN: estimate +10 −2 = 8; approved so far 5
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    assert text(window, 0, L.PREVIOUS) == "5.0000"
    window.select_line(window.document.items[0])
    type_row(window, 0, (M.NUMBER, "3.5"))
    index = window.lines_model.index(0, L.UP_TO_DATE)
    assert text(window, 0, L.UP_TO_DATE) == "8.5000"
    assert window.lines_model.data(index, BACKGROUND) == OVER_CEILING_BRUSH
    message = window.ceiling_text()
    assert message.startswith("Line 1: SOR_000001 Vitrified tile flooring (FL00001): ")
    assert "up-to-date quantity 8.5000 SQM" in message
    assert "estimate quantity 8.0000 SQM" in message
    assert "revised estimate" in message
    assert window.ceiling_message.isVisible()
    assert window.lines_model.data(index, Qt.ItemDataRole.ToolTipRole) == message[len("Line 1: "):]

    # the service refuses the submit, in the workflow panel
    qtbot.mouseClick(window.workflow.buttons[Action.SUBMIT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workflow.message.kind == "error", timeout=WAIT)
    assert "would exceed the estimate quantity 8.0000 SQM" in window.workflow.message.text()
    wait_jobs(qtbot, window)
    assert window.view is not None
    assert window.view.status is Status.DRAFTED
    assert get_mb(setup.db, window.number).lines[0].item.rows == (row("3.5"),)  # saved first

    type_row(window, 0, (M.NUMBER, "3.0"))
    assert text(window, 0, L.UP_TO_DATE) == "8.0000"
    assert window.lines_model.data(index, BACKGROUND) != OVER_CEILING_BRUSH
    assert not window.ceiling_text()
    assert window.ceiling_message.isHidden()
    qtbot.mouseClick(window.workflow.buttons[Action.SUBMIT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.view is not None
                    and window.view.status is Status.PENDING_VERIFICATION, timeout=WAIT)
    close_window(qtbot, window)


# ---------------------------------------------------------------- read-only


def test_an_approved_mb_opens_read_only_with_its_hashes(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path
) -> None:
    floor = item_keys(setup)[0]
    first = new_mb(setup, MbLineDraft(floor, (row("5"),)))
    add_photo(setup.db, setup.je.actor, first.number, site_photo(tmp_path))
    approved = approve_mb(setup, first.number)
    second = new_mb(setup, MbLineDraft(floor, (row("2"),)))
    approved_second = approve_mb(setup, second.number)

    window = open_window(qtbot, setup.je, second.number)
    assert window.read_only
    assert window.badge.text() == "Approved"
    assert "never changes" in window.banner.text()
    # the models refuse edits, nothing to type into
    window.select_line(window.document.items[0])
    model = window.rows_model
    assert model.rowCount() == 1  # no new row
    assert not model.flags(model.index(0, M.NUMBER)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, M.NUMBER), "9", EDIT)
    assert not window.lines_model.setData(window.lines_model.index(0, L.THIS_MB), "9", EDIT)
    assert window.document.items[0].rows == [row("2")]
    assert not window.grid.paste_text("1\t2\t3\t4\r\n")
    assert window.copy_line_rows() == 0
    assert window.copy_all_rows() == 0
    assert window.editing.stack.count() == 0
    # no actions, no photo buttons, no period editing
    assert window.workflow.action_labels() == []
    assert window.workflow.none_label.text() == "There is nothing for you to do on this MB now."
    for action in (window.save_action, window.undo_action, window.copy_line_action):
        assert not action.isEnabled()
    assert window.photos.add_button.isHidden()
    assert window.photos.camera_button.isHidden()
    assert window.photos.remove_button.isHidden()
    assert not window.period_end_edit.isEnabled()
    assert not window.measured_edit.isEnabled()
    # the content hash and the previous approved MB's
    assert approved_second.content_hash is not None
    assert window.hash_label.text() == approved_second.content_hash
    assert window.previous_hash_label.text() == approved.content_hash
    assert window.hash_label.isVisible()
    assert not window.save_now()
    close_window(qtbot, window)

    first_window = open_window(qtbot, setup.je, first.number)
    assert first_window.previous_hash_label.text().startswith("none")
    assert first_window.photos.model.rowCount() == 1
    close_window(qtbot, first_window)


def test_another_officer_sees_it_read_only_and_acts(qtbot: QtBot, setup: MbSetup) -> None:
    floor = item_keys(setup)[0]
    number = new_mb(setup, MbLineDraft(floor, (row("2"),))).number
    from mukta_desktop.services.measurement_books import act_mb

    act_mb(setup.db, setup.je.actor, number, Action.SUBMIT)
    window = open_window(qtbot, setup.verifier, number)
    assert window.read_only
    assert window.workflow.action_labels() == ["Verify and forward", "Send back", "Reject"]
    # send back needs a comment
    assert not window.workflow.take(Action.SEND_BACK)
    assert window.workflow.message.kind == "error"
    window.workflow.comment.setPlainText("Measure the verandah too")
    assert window.workflow.take(Action.SEND_BACK)
    qtbot.waitUntil(lambda: window.view is not None
                    and window.view.status is Status.PENDING_CORRECTION, timeout=WAIT)
    assert window.workflow.action_labels() == []
    assert window.timeline_model.texts("Comment")[-1] == "Measure the verandah too"
    close_window(qtbot, window)


# ---------------------------------------------------------------- photos


def test_the_sixth_photo_is_refused_in_plain_words(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = new_mb(setup).number
    for index in range(1, 5):
        add_photo(setup.db, setup.je.actor, number, site_photo(tmp_path, index))
    window = open_window(qtbot, setup.je, number)
    photos = window.photos
    assert photos.model.rowCount() == 4
    assert photos.add_button.isEnabled()
    choose_file(monkeypatch, site_photo(tmp_path, 5))
    photos.add_from_file()
    qtbot.waitUntil(lambda: photos.model.rowCount() == 5, timeout=WAIT)
    # five: the add buttons are off and say why
    assert not photos.add_button.isEnabled()
    assert not photos.camera_button.isEnabled()
    assert photos.add_button.toolTip() == ("An MB takes at most 5 photos: remove one to add "
                                           "another.")
    # a sixth (however it comes) is refused by the service, in its words
    photos.import_file(site_photo(tmp_path, 6))
    qtbot.waitUntil(lambda: photos.message.kind == "error", timeout=WAIT)
    assert photos.message.text() == (f"{number} has 5 photos already; an MB takes at most 5. "
                                     "Remove one first.")
    assert photos.model.rowCount() == 5
    assert not photos.busy
    assert photos.busy_bar.isHidden()
    # removing one makes room again; the editor keeps the new version (its next save works)
    photos.list.setCurrentIndex(photos.model.index(0, 0))
    qtbot.mouseClick(photos.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: photos.model.rowCount() == 4, timeout=WAIT)
    assert photos.add_button.isEnabled()
    window.select_line(window.document.items[2])
    type_row(window, 0, (M.NUMBER, "1"))
    assert window.save_now()
    qtbot.waitUntil(lambda: not window.has_unsaved_changes(), timeout=WAIT)
    assert window.banner.kind != "error"
    assert get_mb(setup.db, number).lines[2].item.rows == (row("1"),)
    close_window(qtbot, window)


def test_pictures_that_are_not_photos_are_refused(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path
) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture at all")
    window.photos.import_file(fake)
    qtbot.waitUntil(lambda: window.photos.message.kind == "error", timeout=WAIT)
    assert "notes.jpg" in window.photos.message.text()
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(site_photo(tmp_path, 3).read_bytes()[:4000])
    window.photos.import_file(truncated)
    qtbot.waitUntil(lambda: "cut.jpg" in window.photos.message.text(), timeout=WAIT)
    assert window.photos.model.rowCount() == 0
    close_window(qtbot, window)


def test_without_a_camera_the_camera_button_offers_a_file(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    photos = window.photos
    qtbot.waitUntil(lambda: photos.cameras is not None, timeout=WAIT)  # looked for once shown
    assert photos.cameras == []  # offscreen: Qt Multimedia finds none
    assert photos.camera_button.text() == NO_CAMERA == ("No camera found — add a photo from "
                                                        "a file")
    asked = choose_file(monkeypatch, site_photo(tmp_path, 2))
    qtbot.mouseClick(photos.camera_button, Qt.MouseButton.LeftButton)
    assert asked == ["Add a site photo"]
    qtbot.waitUntil(lambda: photos.model.rowCount() == 1, timeout=WAIT)
    assert photos.message.text() == "Added site-2.jpg."
    close_window(qtbot, window)


def test_a_camera_picture_is_imported_like_a_file_then_deleted(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path
) -> None:
    from PySide6.QtMultimedia import QCameraDevice

    window = open_window(qtbot, setup.je, new_mb(setup).number)
    photos = window.photos
    photos.cameras = [QCameraDevice()]  # a camera that is not there: the dialog says so
    photos.take_photo()
    dialog = photos.camera_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert "The camera cannot be used" in dialog.message.text()
    assert not dialog.take_button.isEnabled()
    # what QImageCapture says once it has written the picture
    captured = dialog.path
    captured.write_bytes(site_photo(tmp_path, 4).read_bytes())
    dialog.capture.imageSaved.emit(1, str(captured))
    qtbot.waitUntil(lambda: photos.model.rowCount() == 1, timeout=WAIT)
    assert photos.photos[0].original_name == captured.name
    assert not captured.exists()  # the temporary capture is gone once imported
    close_window(qtbot, window)


def test_without_qt_multimedia_there_is_no_camera(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    from mukta_desktop.ui.mb import camera_dialog

    real_import = builtins.__import__

    def no_multimedia(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("PySide6.QtMultimedia"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_multimedia)
    assert camera_dialog.video_inputs() == []


def test_double_clicking_a_thumbnail_shows_the_picture_larger(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path
) -> None:
    number = new_mb(setup).number
    add_photo(setup.db, setup.je.actor, number, site_photo(tmp_path, 1))
    window = open_window(qtbot, setup.je, number)
    photos = window.photos
    window.tabs.setCurrentWidget(photos)
    rect = photos.list.visualRect(photos.model.index(0, 0))
    qtbot.mouseClick(photos.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(photos.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: photos.viewer is not None and photos.viewer.loaded, timeout=WAIT)
    dialog = photos.viewer
    assert dialog is not None
    pixmap = dialog.picture.pixmap()
    assert (pixmap.width(), pixmap.height()) == (800, 600)  # the stored picture, not the thumb
    assert "06/07/2026 10:13 IST" in dialog.caption.text()
    dialog.close()
    close_window(qtbot, window)


# ---------------------------------------------------------------- saving and closing


def test_drafts_save_themselves_and_the_period_is_undoable(
    qtbot: QtBot, setup: MbSetup
) -> None:
    number = new_mb(setup).number
    window = open_window(qtbot, setup.je, number)
    assert window.period_start_label.text() == "01/07/2026"
    window.saver.set_delays(10, 50)
    window.select_line(window.document.items[2])
    type_row(window, 0, (M.NUMBER, "1"))
    with qtbot.waitSignal(window.saved, timeout=WAIT):
        pass
    wait_jobs(qtbot, window)
    assert get_mb(setup.db, number).lines[2].item.rows == (row("1"),)

    # the period's end and the date of measurement: typed, undoable, saved
    window.period_end_edit.setDate(window.period_end_edit.date().addDays(-2))  # 05/07/2026
    window.measured_edit.setDate(window.period_end_edit.date())
    assert window.document.period.end.isoformat() == "2026-07-05"
    with qtbot.waitSignal(window.saved, timeout=WAIT):
        pass
    wait_jobs(qtbot, window)
    stored = get_mb(setup.db, number)
    assert (stored.period.end.isoformat(), stored.measurement_date.isoformat()) == \
        ("2026-07-05", "2026-07-05")
    window.editing.stack.undo()
    window.editing.stack.undo()
    assert window.document.period.end.isoformat() == "2026-07-07"
    assert window.period_end_edit.date().toString("dd/MM/yyyy") == "07/07/2026"
    close_window(qtbot, window)


def test_closing_saves_first(qtbot: QtBot, setup: MbSetup) -> None:
    number = new_mb(setup).number
    window = open_window(qtbot, setup.je, number)
    window.select_line(window.document.items[0])
    type_row(window, 0, *HALL)
    with qtbot.waitSignal(window.closed, timeout=WAIT):
        window.close()
    assert get_mb(setup.db, number).totals.total == D("14249.11")


def test_closing_asks_only_when_saving_failed(qtbot: QtBot, setup: MbSetup) -> None:
    number = new_mb(setup).number
    window = open_window(qtbot, setup.je, number)
    view = get_mb(setup.db, number)
    # changed meanwhile (another window, another device): this window's version is stale
    save_mb(setup.db, setup.je.actor, number, view.draft, today=TODAY, version=view.version)
    window.select_line(window.document.items[0])
    type_row(window, 0, (M.NUMBER, "1"))
    window.close()
    qtbot.waitUntil(lambda: window.question is not None and window.question.isVisible(),
                    timeout=WAIT)
    assert window.isVisible()
    assert "changed since it was opened" in window.banner.text()
    box = window.question
    assert box is not None
    assert "could not be saved" in box.text()
    keep = next(b for b in box.buttons() if b.text() == "Keep editing")
    keep.click()
    assert window.isVisible()
    window.close()
    qtbot.waitUntil(lambda: window.question is not box and window.question is not None
                    and window.question.isVisible(), timeout=WAIT)
    discard = next(b for b in window.question.buttons()
                   if b.text() == "Close without saving")
    with qtbot.waitSignal(window.closed, timeout=WAIT):
        discard.click()
    assert get_mb(setup.db, number).lines[0].item.rows == ()


def test_a_second_open_raises_the_same_window(qtbot: QtBot, setup: MbSetup) -> None:
    number = new_mb(setup).number
    window = open_window(qtbot, setup.je, number)
    assert open_mb_editor(setup.je, number) is window
    assert editor_window.open_windows() == [window]
    with qtbot.waitSignal(window.closed, timeout=WAIT):
        window.close()
    assert editor_window.open_windows() == []


def test_an_mb_that_cannot_be_opened_says_why(
    qtbot: QtBot, setup: MbSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(editor_window, "show_error",
                        lambda _parent, exc, _title="": shown.append(str(exc)))
    window = open_mb_editor(setup.je, "MB/2026-27/999999")
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    assert shown == ["No MB with number 'MB/2026-27/999999' in your ULB."]
    qtbot.waitUntil(lambda: not alive(window), timeout=WAIT)  # never shown, and gone
    assert editor_window.open_windows() == []


# ---------------------------------------------------------------- export


def test_export_pdf_in_the_background(
    qtbot: QtBot, setup: MbSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mukta_desktop.ui.estimates import export
    from mukta_desktop.ui.mb.export import mb_export_available

    if not mb_export_available(export.PDF):
        pytest.skip("the MB PDF writer is not part of this build yet")
    number = new_mb(setup).number
    window = open_window(qtbot, setup.je, number)
    window.select_line(window.document.items[0])
    type_row(window, 0, *HALL)
    target = tmp_path / "mb.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_args: (str(target), "")))
    window.export(export.PDF)
    qtbot.waitUntil(lambda: window.export_dialog is not None
                    and window.export_dialog.state in ("done", "failed"), timeout=WAIT * 3)
    dialog = window.export_dialog
    assert dialog is not None
    assert dialog.state == "done", dialog.message.text()
    assert target.read_bytes()[:5] == b"%PDF-"
    assert get_mb(setup.db, number).totals.total == D("14249.11")  # saved before exporting
    dialog.close()
    close_window(qtbot, window)


def test_minus_rows_and_the_new_row(qtbot: QtBot, setup: MbSetup) -> None:
    window = open_window(qtbot, setup.je, new_mb(setup).number)
    window.select_line(window.document.items[0])
    type_row(window, 0, (M.NUMBER, "5"))
    type_row(window, 1, (M.KIND, "-"), (M.NUMBER, "1"), (M.NAME, "Pillars"))
    line = window.document.items[0]
    assert [r.kind for r in line.rows] == [RowKind.PLUS, RowKind.MINUS]
    assert text(window, 0, L.THIS_MB) == "4.0000"
    assert window.rows_model.rowCount() == 3  # two rows and the new row
    close_window(qtbot, window)
