"""The estimate editor: typing measurements, live totals, undo, keys, paste, overheads,
refusals, autosave and read-only estimates (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import ADMIN, JE, TODAY, WAIT, make_ctx, new_sor, wait_idle

from mukta_desktop.domain.estimate import OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow, RowKind
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import EstimateDraft, OverheadDraft
from mukta_desktop.services.estimates import act, create_estimate, get_estimate, price_sor_line
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sor_catalog import NewSor, create_sor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.editor import EstimateEditor
from mukta_desktop.ui.estimates.editor_models import REFUSED_BRUSH
from mukta_desktop.ui.estimates.editor_models import LinesTableModel as L
from mukta_desktop.ui.estimates.editor_models import MeasurementsTableModel as M

D = Decimal
FL_HEADS = RateHeads(material=D("1307.80"), labour=D("3598.02"), conveyance=D("66.01"),
                     royalty=D("4.55"))
ULB = "od.dhenkanal"
HALL = MeasurementRow(RowKind.PLUS, "Hall", D(2), D("10.5"), D("0.45"), D("0.3"))
EDIT = Qt.ItemDataRole.EditRole
CTRL = Qt.KeyboardModifier.ControlModifier


@dataclass
class Setup:
    db: Database
    ctx: UiContext
    project: str
    code: str


@pytest.fixture
def setup(db: Database) -> Setup:
    sor = new_sor(db, rate=FL_HEADS)  # 1307.80 + 3598.02 + 66.01 + 4.55, cess 49.76: 5026.14
    ctx = make_ctx(db, JE, tenant=ULB, login="je1")
    project = create_project(db, ctx.actor, NewProject("Drain at ward 5"), today=TODAY)
    return Setup(db, ctx, project.number, sor.code)


def open_editor(qtbot: QtBot, ctx: UiContext, number: str | None = None,
                project: str | None = None) -> EstimateEditor:
    widget = EstimateEditor(ctx, number, project_number=project)
    qtbot.addWidget(widget)
    widget.resize(1400, 860)
    widget.show()
    qtbot.waitUntil(lambda: not widget.loading, timeout=WAIT)
    return widget


@pytest.fixture
def editor(qtbot: QtBot, setup: Setup) -> Iterator[EstimateEditor]:
    widget = open_editor(qtbot, setup.ctx, project=setup.project)
    widget.autosave_idle_ms = widget.autosave_max_ms = 3_600_000  # saved when a test says
    yield widget
    stop_autosave(widget)
    wait_idle(qtbot, setup.ctx)


def stop_autosave(editor: EstimateEditor) -> None:
    editor.idle_timer.stop()
    editor.max_timer.stop()


def add_sor_line(qtbot: QtBot, editor: EstimateEditor, code: str) -> None:
    count = len(editor.document.lines)
    editor.add_sor(code)
    qtbot.waitUntil(lambda: len(editor.document.lines) == count + 1, timeout=WAIT)


def cell_editor(editor: EstimateEditor) -> QLineEdit:
    cells = _open_cells(editor)
    assert len(cells) == 1, "typing did not open the cell"
    return cells[0]


def type_here(qtbot: QtBot, editor: EstimateEditor, text: str,
              key: Qt.Key = Qt.Key.Key_Tab) -> None:
    """Type into the current cell as a user would, then Tab (or Enter)."""
    qtbot.keyClick(editor.grid, text[0])
    cell = cell_editor(editor)
    qtbot.keyClicks(cell, text[1:])
    qtbot.keyClick(cell, key)
    # Enter commits through a queued call: let it arrive
    qtbot.waitUntil(lambda: not _open_cells(editor), timeout=WAIT)


def _open_cells(editor: EstimateEditor) -> list[QLineEdit]:
    return [w for w in editor.grid.viewport().findChildren(QLineEdit, "cellEditor")
            if w.isVisible()]


def type_cell(qtbot: QtBot, editor: EstimateEditor, row: int, column: int, text: str,
              key: Qt.Key = Qt.Key.Key_Tab) -> None:
    """Go to a cell and type into it, then Tab (or Enter)."""
    editor.grid.setFocus()
    editor.grid.go_to(row, column)
    type_here(qtbot, editor, text, key)


def type_hall(qtbot: QtBot, editor: EstimateEditor, row: int = 0) -> None:
    for column, text in ((M.NUMBER, "2"), (M.LENGTH, "10.5"), (M.BREADTH, "0.45"),
                         (M.DEPTH, "0.3")):
        type_cell(qtbot, editor, row, column, text)


def lines_text(editor: EstimateEditor, row: int, column: int) -> str:
    model = editor.lines_model
    return str(model.data(model.index(row, column)))


def test_typing_a_row_updates_the_line_and_totals_and_undo_redo(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    assert lines_text(editor, 0, L.RATE) == "5,026.14"
    assert editor.grid.currentIndex().row() == 0  # ready to type the first row
    type_hall(qtbot, editor)
    line = editor.document.lines[0]
    assert line.rows == [replace(HALL, name="")]
    assert lines_text(editor, 0, L.QUANTITY) == "2.8350"
    assert lines_text(editor, 0, L.AMOUNT) == "14,249.11"
    grid_model = editor.measurements_model
    assert grid_model.data(grid_model.index(0, M.QUANTITY)) == "2.8350"
    totals = editor.totals
    assert totals.sor_total.text() == "₹ 14,249.11"
    assert totals.grand_total.text() == "₹ 14,249.11"
    assert totals.rupees.text() == "₹ 14,249"
    assert totals.words.text() == "Rupees Fourteen Thousand Two Hundred Forty Nine Only"
    assert totals.labour.text() == "₹ 10,200.39"  # 2.835 × 3598.02
    assert totals.material.text() == "₹ 4,048.72"  # 2.835 × (1307.80 + 66.01 + 4.55 + 49.76)
    assert "quantity <b>2.8350</b>" in editor.grid_caption.text()

    # Ctrl+Z takes back D, then B; Ctrl+Y and Ctrl+Shift+Z redo them
    qtbot.keyClick(editor.grid, Qt.Key.Key_Z, CTRL)
    assert line.rows[0].depth is None
    assert lines_text(editor, 0, L.QUANTITY) == "9.4500"  # 2 × 10.5 × 0.45
    assert editor.grid.currentIndex().column() == M.DEPTH  # undo shows where
    qtbot.keyClick(editor.grid, Qt.Key.Key_Z, CTRL)
    assert line.rows[0].breadth is None
    qtbot.keyClick(editor.grid, Qt.Key.Key_Y, CTRL)
    assert line.rows[0].breadth == D("0.45")
    qtbot.keyClick(editor.grid, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert line.quantity == D("2.8350")
    assert totals.grand_total.text() == "₹ 14,249.11"
    # all the way back: no rows, nothing
    for _ in range(4):
        editor.undo_action.trigger()
    assert line.rows == []
    assert totals.grand_total.text() == "₹ 0.00"
    assert not editor.undo_action.isEnabled() or editor.editing.stack.index() == 1  # the line


def test_enter_and_tab_move_through_n_l_b_d_and_past_the_last_row_add_rows(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    type_hall(qtbot, editor)
    grid, model = editor.grid, editor.measurements_model
    # Tab from D of the last row: the cursor is on the new row at the end, ready to type
    assert (grid.currentIndex().row(), grid.currentIndex().column()) == (1, M.NUMBER)
    assert model.rowCount() == 2
    assert model.is_new_row(1)
    # Enter moves through N, L, B, D too; typing on the new row adds it
    for text in ("1", "3", "", "0.15"):
        if text:
            type_here(qtbot, editor, text, Qt.Key.Key_Return)
        else:
            qtbot.keyClick(grid, Qt.Key.Key_Return)  # B left blank: counts as 1
    line = editor.document.lines[0]
    assert len(line.rows) == 2
    assert line.rows[1] == MeasurementRow(RowKind.PLUS, "", D(1), D(3), None, D("0.15"))
    assert line.quantity == D("3.2850")  # 2.835 + 0.45
    assert (grid.currentIndex().row(), grid.currentIndex().column()) == (2, M.NUMBER)
    assert model.rowCount() == 3  # two rows and the new one
    # Shift+Tab goes back: name, +/−, then the D of the row above
    for expected in ((2, M.NAME), (2, M.KIND), (1, M.DEPTH)):
        qtbot.keyClick(grid, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert (grid.currentIndex().row(), grid.currentIndex().column()) == expected


def test_a_named_row_continues_on_the_next_rows_name(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    type_cell(qtbot, editor, 0, M.NAME, "Hall")
    assert editor.grid.currentIndex().column() == M.NUMBER
    type_hall(qtbot, editor)
    assert editor.document.lines[0].rows == [HALL]
    current = editor.grid.currentIndex()
    assert (current.row(), current.column()) == (1, M.NAME)
    # a deduction: − in the +/− column
    type_cell(qtbot, editor, 1, M.KIND, "-")
    type_cell(qtbot, editor, 1, M.NUMBER, "1")
    line = editor.document.lines[0]
    assert line.rows[1].kind is RowKind.MINUS
    assert line.quantity == D("1.8350")  # 2.835 − 1 (a minus row of No. 1)
    model = editor.measurements_model
    assert model.data(model.index(1, M.KIND)) == "−"
    assert model.data(model.index(1, M.QUANTITY)) == "-1.0000"


def test_delete_removes_rows_and_undo_restores_them(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    grid = editor.grid
    assert grid.paste_text("plus\tA\t1\t\t\t\r\nplus\tB\t2\t\t\t\r\nplus\tC\t3\t\t\t\r\n")
    line = editor.document.lines[0]
    assert [r.name for r in line.rows] == ["A", "B", "C"]
    grid.setFocus()
    grid.go_to(1, M.NAME)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert [r.name for r in line.rows] == ["A", "C"]
    assert line.quantity == D(4)
    assert "Deleted 1 row" in editor.grid_message.text()
    # two rows selected together
    grid.go_to(0, M.NUMBER)
    grid.selectAll()
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert line.rows == []
    assert editor.measurements_model.rowCount() == 1  # only the new row
    qtbot.keyClick(grid, Qt.Key.Key_Z, CTRL)
    assert [r.name for r in line.rows] == ["A", "C"]
    qtbot.keyClick(grid, Qt.Key.Key_Z, CTRL)
    assert [r.name for r in line.rows] == ["A", "B", "C"]
    assert line.quantity == D(6)


def test_copy_and_paste_rows_with_excel(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    grid = editor.grid
    clipboard = QGuiApplication.clipboard()
    # two rows as Excel puts them on the clipboard (Indian grouping in a number)
    clipboard.setText("plus\tHall\t2\t10.5\t0.45\t0.3\r\nminus\tDoor\t1\t1,200.0\t\t0.0021\r\n")
    grid.setFocus()
    grid.go_to(0, M.NUMBER)
    qtbot.keyClick(grid, Qt.Key.Key_V, CTRL)
    line = editor.document.lines[0]
    assert line.rows == [HALL, MeasurementRow(RowKind.MINUS, "Door", D(1), D("1200.0"), None,
                                              D("0.0021"))]
    assert line.quantity == D("0.3150")  # 2.835 − 2.52
    assert lines_text(editor, 0, L.AMOUNT) == "1,583.23"
    assert "Pasted 2 rows" in editor.grid_message.text()
    # the rows copy back out as Excel reads them
    clipboard.clear()
    grid.selectAll()
    qtbot.keyClick(grid, Qt.Key.Key_C, CTRL)
    assert clipboard.text() == ("plus\tHall\t2\t10.5\t0.45\t0.3\r\n"
                                "minus\tDoor\t1\t1200.0\t\t0.0021\r\n")
    # 4 columns are No., L, B, D; pasted below the current row, one undo takes them back
    grid.go_to(0, M.NAME)
    assert grid.paste_text("3\t1\t1\t1\n4\t1\t1\t1\n")
    assert [r.number for r in line.rows] == [D(2), D(3), D(4), D(1)]
    editor.undo_action.trigger()
    assert len(line.rows) == 2
    # a bad cell refuses the whole paste, naming the pasted row and column
    assert not grid.paste_text("plus\tX\t1\t1\t1\t1\nplus\tY\t2\tabc\t1\t1\n")
    assert editor.grid_message.text() == (
        "Pasted row 2, L: 'abc' is not a number; allowed: 0 to 99,999.9999 with up to 4 "
        "decimals. Nothing was pasted.")
    assert len(line.rows) == 2
    assert not grid.paste_text("1\t2\n")
    assert "Pasted row 1 has 2 columns" in editor.grid_message.text()


def test_bad_text_is_refused_in_the_cell_with_the_allowed_range(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    type_hall(qtbot, editor)
    line = editor.document.lines[0]
    type_cell(qtbot, editor, 0, M.LENGTH, "abc")
    assert line.rows[0].length == D("10.5")  # the old value stays
    message = editor.grid_message
    assert message.kind == "error"
    assert message.text() == ("Line 1, row 1, L: 'abc' is not a number; allowed: 0 to "
                              "99,999.9999 with up to 4 decimals.")
    model, grid = editor.measurements_model, editor.grid
    assert model.data(model.index(0, M.LENGTH), Qt.ItemDataRole.BackgroundRole) == REFUSED_BRUSH
    assert (grid.currentIndex().row(), grid.currentIndex().column()) == (0, M.LENGTH)  # stays
    type_cell(qtbot, editor, 0, M.LENGTH, "1,00,000")
    assert "100000 is too large; allowed: 0 to 99,999.9999" in message.text()
    type_cell(qtbot, editor, 0, M.LENGTH, "0.12345")
    assert "has more than 4 decimals" in message.text()
    # commas and Indian grouping are understood
    type_cell(qtbot, editor, 0, M.LENGTH, "12,345.5")
    assert line.rows[0].length == D("12345.5")
    assert not message.isVisible()
    assert model.data(model.index(0, M.LENGTH)) == "12,345.5"
    assert model.data(model.index(0, M.LENGTH), Qt.ItemDataRole.BackgroundRole) is None
    # a typed 0 is allowed, with a warning on the row
    type_cell(qtbot, editor, 0, M.BREADTH, "0")
    tip = model.data(model.index(0, M.NAME), Qt.ItemDataRole.ToolTipRole)
    assert tip == "Line 1, row 1: a factor is 0, so this row measures nothing."


def test_a_sor_without_a_rate_on_the_estimate_date_is_refused(
    qtbot: QtBot, editor: EstimateEditor, db: Database
) -> None:
    later = create_sor(db, ADMIN, NewSor("W", "FL", "GF", "SQM", D(1), "Granite flooring",
                                          FL_HEADS, TODAY + timedelta(days=30)), today=TODAY)
    picker = editor.picker
    picker.search_edit.setText("granite")
    qtbot.waitUntil(lambda: [r.code for r in picker.model.rows] == [later.code], timeout=WAIT)
    assert picker.model.data(picker.model.index(0, 6)) == ""  # no rate on the estimate date
    picker.search_edit.setFocus()
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.message.kind == "error", timeout=WAIT)
    assert picker.message.text() == (
        f"{later.code} has no rate in force on 21/11/2026 for your ULB, so it cannot be "
        "added. A rate administrator can add one, or choose another SOR.")
    assert editor.document.lines == []


def test_choosing_a_sor_in_the_picker_adds_it_with_its_frozen_rate(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    picker = editor.picker
    wait_idle(qtbot, setup.ctx)
    with qtbot.waitSignal(picker.searched, timeout=WAIT):
        picker.type_combo.setCurrentIndex(picker.type_combo.findData("W"))
    assert picker.model.rowCount() == 1
    assert picker.model.data(picker.model.index(0, 6)) == "5,026.14"
    picker.table.setFocus()
    picker.table.selectRow(0)
    qtbot.keyClick(picker.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(editor.document.lines) == 1, timeout=WAIT)
    line = editor.document.lines[0]
    assert (line.sor_code, line.rate, line.heads) == (
        setup.code, D("5026.14"), replace(FL_HEADS, labour_cess=D("49.76")))
    assert line.rate_id is not None
    assert "Added" in picker.message.text()
    assert editor.grid.hasFocus()  # ready to type its measurements


def test_a_non_sor_line(qtbot: QtBot, editor: EstimateEditor) -> None:
    form = editor.non_sor_form
    editor.focus_non_sor_form()
    form.description.setText("Shifting of electric pole")
    form.unit.setEditText("NOS")
    form.rate.setText("12,500.50")
    qtbot.keyClick(form.rate, Qt.Key.Key_Return)
    assert len(editor.document.lines) == 1
    type_cell(qtbot, editor, 0, M.NUMBER, "2")
    assert lines_text(editor, 0, L.CODE) == "Non-SOR"
    assert lines_text(editor, 0, L.AMOUNT) == "25,001.00"
    assert editor.totals.non_sor_total.text() == "₹ 25,001.00"
    # its rate is edited as text in the list, undoably
    model = editor.lines_model
    assert not model.setData(model.index(0, L.RATE), "12.345")
    assert "Line 1, rate: 12.345 has more than 2 decimals" in editor.lines_message.text()
    assert model.setData(model.index(0, L.RATE), "1,000")
    assert editor.totals.non_sor_total.text() == "₹ 2,000.00"
    editor.undo_action.trigger()
    assert editor.totals.non_sor_total.text() == "₹ 25,001.00"
    # a form without a rate says so
    form.description.setText("Another")
    form.unit.setEditText("NOS")
    assert form.submit() is None
    assert form.message.text() == "Rate: type the rate per unit."


def test_overheads_from_the_master_each_once_and_lump_sums(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    type_hall(qtbot, editor)
    assert sorted(editor.overhead_choices()) == [("GST", True), ("LS", True), ("SC", True)]
    choices = {a.objectName(): a for a in editor.overhead_menu.actions()}
    choices["overhead_SC"].trigger()
    editor._fill_overhead_menu()
    choices = {a.objectName(): a for a in editor.overhead_menu.actions()}
    choices["overhead_GST"].trigger()
    model = editor.editing.overheads_model
    assert [model.data(model.index(r, 2)) for r in range(2)] == ["7.5 %", "18 %"]
    assert [model.data(model.index(r, 3)) for r in range(2)] == ["1,068.68", "2,564.84"]
    assert editor.totals.grand_total.text() == "₹ 17,882.63"
    assert editor.totals.rupees.text() == "₹ 17,883"
    # each code once: the menu disables codes already present; the editing layer refuses too
    assert sorted(editor.overhead_choices()) == [("GST", False), ("LS", True), ("SC", False)]
    editor._add_overhead(OverheadDraft("SC", "Supervision Charge", OverheadKind.PERCENT,
                                       percent=D("7.5")))
    assert "already on the estimate" in editor.overheads_message.text()
    # a lump sum, typed
    editor.add_lump_sum()
    assert model.setData(model.index(2, 3), "5,000")
    assert model.data(model.index(2, 3)) == "5,000.00"
    assert editor.totals.overhead_total.text() == "₹ 8,633.52"
    assert editor.totals.grand_total.text() == "₹ 22,882.63"
    # the percentages follow the base as a row is typed
    type_cell(qtbot, editor, 0, M.NUMBER, "4")
    assert model.data(model.index(0, 3)) == "2,137.37"  # 7.5 % of 28,498.22
    editor.undo_action.trigger()
    assert model.data(model.index(0, 3)) == "1,068.68"
    # Delete in the overheads list removes one; undo brings it back
    editor.overheads_table.setFocus()
    editor.overheads_table.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(editor.overheads_table, Qt.Key.Key_Delete)
    assert [o.code for o in editor.document.overheads] == ["GST", "LS"]
    editor.undo_action.trigger()
    assert [o.code for o in editor.document.overheads] == ["SC", "GST", "LS"]


def test_autosave_creates_then_saves_the_estimate(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    editor.autosave_idle_ms = 50
    add_sor_line(qtbot, editor, setup.code)
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as created:
        type_cell(qtbot, editor, 0, M.NAME, "Hall")
    number = created.args[0]
    assert number.startswith("ES/2026-27/")
    assert editor.number == number
    assert editor.title_label.text() == f"Estimate {number}"
    line_id = editor.document.lines[0].id
    assert line_id is not None  # the line keeps the id the database gave it
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        type_hall(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.has_unsaved_changes(), timeout=WAIT)
    assert editor.save_label.text().startswith("Saved ")
    view = get_estimate(setup.db, number, viewer=setup.ctx.actor)
    assert view.lines[0].draft.rows == (HALL,)
    assert view.lines[0].draft.id == line_id
    assert view.total == D("14249.11")
    assert view.total == editor.document.total
    # closing saves what is pending first
    editor.autosave_idle_ms = 3_600_000
    type_cell(qtbot, editor, 1, M.NUMBER, "5")
    assert editor.has_unsaved_changes()
    with qtbot.waitSignal(editor.closed, timeout=WAIT):
        assert not editor.close()  # not yet: saving
    assert not editor.isVisible()
    view = get_estimate(setup.db, number, viewer=setup.ctx.actor)
    assert [r.number for r in view.lines[0].draft.rows] == [D(2), D(5)]


def test_opening_an_estimate_shows_it_and_a_save_conflict_is_said_inline(
    qtbot: QtBot, setup: Setup
) -> None:
    line = replace(price_sor_line(setup.db, setup.code, at=TODAY, tenant=ULB), rows=(HALL,))
    sc = OverheadDraft("SC", "Supervision Charge", OverheadKind.PERCENT, percent=D("7.5"))
    view = create_estimate(setup.db, setup.ctx.actor, project_number=setup.project,
                           draft=EstimateDraft(TODAY, "Drain", (line,), (sc,)), today=TODAY)
    editor = open_editor(qtbot, setup.ctx, view.number)
    try:
        assert not editor.read_only
        assert editor.description_edit.text() == "Drain"
        assert editor.totals.grand_total.text() == "₹ 15,317.79"
        assert editor.measurements_model.line is editor.document.lines[0]
        assert editor.document.totals().total == view.total
        assert not editor.date_edit.isEnabled()  # SOR lines froze their rates at it
        # someone else saved meanwhile: the save is refused, the typing kept, said inline
        from mukta_desktop.services.estimates import save_estimate

        save_estimate(setup.db, setup.ctx.actor, view.number, view.draft)
        editor.autosave_idle_ms = 3_600_000
        type_cell(qtbot, editor, 0, M.NUMBER, "3")
        editor.save_now()
        qtbot.waitUntil(lambda: editor.banner.kind == "error", timeout=WAIT)
        assert "was changed elsewhere since you opened it" in editor.banner.text()
        assert editor.save_label.text().endswith("Not saved</span>")
        assert editor.document.lines[0].rows[0].number == D(3)
    finally:
        stop_autosave(editor)
        wait_idle(qtbot, setup.ctx)


def test_an_approved_estimate_is_read_only(qtbot: QtBot, setup: Setup) -> None:
    boss = replace(setup.ctx.actor, roles=frozenset(Role))  # holds every role of the workflow
    line = replace(price_sor_line(setup.db, setup.code, at=TODAY, tenant=ULB), rows=(HALL,))
    view = create_estimate(setup.db, boss, project_number=setup.project,
                           draft=EstimateDraft(TODAY, "Drain", (line,)), today=TODAY)
    for action in (Action.SUBMIT, Action.VERIFY, Action.SANCTION, Action.APPROVE):
        view = act(setup.db, boss, view.number, action)
    assert view.status is Status.APPROVED
    ctx = make_ctx(setup.db, frozenset(Role), tenant=ULB, login="je1")
    editor = open_editor(qtbot, ctx, view.number)
    try:
        assert editor.read_only
        assert editor.banner.text().startswith(f"{view.number} is Approved: it is shown "
                                               "read-only.")
        assert not editor.add_tabs.isVisible()
        model = editor.measurements_model
        assert model.rowCount() == 1  # no new row to type in
        index = model.index(0, M.NUMBER)
        assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert not model.setData(index, "5")
        lines = editor.lines_model
        assert not lines.flags(lines.index(0, L.DESCRIPTION)) & Qt.ItemFlag.ItemIsEditable
        editor.grid.setFocus()
        editor.grid.go_to(0, M.NUMBER)
        qtbot.keyClick(editor.grid, Qt.Key.Key_Delete)
        assert not editor.grid.paste_text("plus\tX\t1\t1\t1\t1\n")
        assert editor.document.lines[0].rows == [HALL]
        assert not editor.undo_action.isEnabled()
        assert not editor.has_unsaved_changes()
        assert not editor.save_now()
        assert editor.totals.grand_total.text() == "₹ 14,249.11"
    finally:
        wait_idle(qtbot, ctx)


def test_another_users_draft_is_read_only(qtbot: QtBot, setup: Setup) -> None:
    view = create_estimate(setup.db, setup.ctx.actor, project_number=setup.project,
                           draft=EstimateDraft(TODAY), today=TODAY)
    other = make_ctx(setup.db, JE, tenant=ULB, login="je2")
    editor = open_editor(qtbot, other, view.number)
    try:
        assert editor.read_only
        assert "Only its creator (je1) may change it." in editor.banner.text()
    finally:
        wait_idle(qtbot, other)


def test_every_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    editor.grid.paste_text("plus\tHall\t2\t10.5\t0.45\t0.3\nminus\tDoor\t1\t1.2\t\t2.1\n")
    editor.editing.add_overhead(OverheadDraft("SC", "Supervision Charge",
                                              OverheadKind.PERCENT, percent=D("7.5")))
    editor.add_lump_sum()
    qtmodeltester.check(editor.lines_model)
    qtmodeltester.check(editor.measurements_model)
    qtmodeltester.check(editor.editing.overheads_model)
    # and they stay consistent through edits, undo and redo while being watched
    type_cell(qtbot, editor, 2, M.NUMBER, "7")
    editor.grid.go_to(0, M.NUMBER)
    editor.grid.delete_rows()
    for _ in range(3):
        editor.undo_action.trigger()
    for _ in range(3):
        editor.redo_action.trigger()
    editor.remove_selected_line()
    editor.undo_action.trigger()
    assert len(editor.document.lines) == 1


def test_project_of_a_user_without_the_creator_role_opens_read_only(
    qtbot: QtBot, setup: Setup
) -> None:
    viewer = make_ctx(setup.db, frozenset({Role.ESTIMATE_VERIFIER}), tenant=ULB, login="ae1")
    editor = open_editor(qtbot, viewer, project=setup.project)
    try:
        assert editor.read_only
        assert "ESTIMATE_CREATOR" in editor.banner.text()
    finally:
        wait_idle(qtbot, viewer)


def test_autosave_also_saves_while_typing_goes_on(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    """No pause in typing (the idle timer never fires): the draft is saved all the same."""
    editor.autosave_max_ms = 50
    add_sor_line(qtbot, editor, setup.code)
    with qtbot.waitSignal(editor.saved, timeout=WAIT):  # the idle timer waits an hour
        type_cell(qtbot, editor, 0, M.NUMBER, "2")


def test_changes_made_while_a_save_runs_are_saved_after_it(
    qtbot: QtBot, editor: EstimateEditor, setup: Setup
) -> None:
    add_sor_line(qtbot, editor, setup.code)
    type_cell(qtbot, editor, 0, M.NUMBER, "2")
    saves: list[str] = []
    editor.saved.connect(saves.append)
    assert editor.save_now()  # creates the estimate, on the runner
    type_cell(qtbot, editor, 0, M.LENGTH, "10.5")  # typed while it runs
    assert not editor.save_now()  # one save at a time: this one follows the first
    qtbot.waitUntil(lambda: len(saves) == 2, timeout=WAIT)
    assert not editor.has_unsaved_changes()
    view = get_estimate(setup.db, saves[-1], viewer=setup.ctx.actor)
    assert view.lines[0].draft.rows == (MeasurementRow(number=D(2), length=D("10.5")),)
    assert view.version == 2


def test_a_search_answered_late_is_dropped(
    qtbot: QtBot, editor: EstimateEditor, db: Database
) -> None:
    later = create_sor(db, ADMIN, NewSor("W", "FL", "GF", "SQM", D(1), "Granite flooring",
                                          FL_HEADS, TODAY), today=TODAY)
    picker = editor.picker
    picker.search_edit.setText("flooring")
    picker.search_now()  # two SORs ...
    picker.search_edit.setText("granite")
    picker.search_now()  # ... then one: whichever answers last, the later search is shown
    wait_idle(qtbot, editor.ctx)
    assert [r.code for r in picker.model.rows] == [later.code]
    assert picker.count_label.text() == "1 active SOR found"
