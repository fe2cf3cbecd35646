"""The estimate editor on a revised estimate: the reason for deviation of each line typed under
the lines (undoable, saved, printed in the deviation statement), the quantity approved MBs
measured shown with the rate it keeps, and none of this on an original estimate.

With MUKTA_SCREENSHOTS=1 the revision is rendered to docs/screenshots/estimate-editor-revision.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sor_support import ADMIN, TODAY, WAIT, make_ctx, wait_idle

from mukta_desktop.domain.estimate import Overhead, compute
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services import measured
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_json import create_from_json
from mukta_desktop.services.estimates import act, get_estimate, save_estimate
from mukta_desktop.services.revisions import deviation_statement, revise
from mukta_desktop.services.sor_catalog import add_rate
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.editor import EstimateEditor
from mukta_desktop.ui.estimates.editor_models import LinesTableModel as L

D = Decimal
ULB = "od.dhenkanal"
DEMO = Actor("demo", "Demo", ULB, frozenset(Role))
CTRL = Qt.KeyboardModifier.ControlModifier
EARLIER = TODAY - timedelta(days=30)
FLOOR = "DEMO-W-005"
REASON = "Hard soil at 0.6 m"


@dataclass
class Revision:
    db: Database
    ctx: UiContext
    original: str
    number: str


def _document() -> dict[str, Any]:
    """An estimate as `estimate create --from-json` reads it (services.estimate_json)."""
    return {
        "project": {"name": "Reason test, ward 3"},
        "date": EARLIER.isoformat(),
        "description": "Flooring and earthwork",
        "lines": [
            {"category": "SOR", "sor_code": FLOOR, "measurements": [
                {"kind": "plus", "name": "Hall", "number": "1", "length": "10",
                 "breadth": "2.5", "depth": None}]},
            {"category": "SOR", "sor_code": "DEMO-W-001", "measurements": [
                {"kind": "plus", "name": "Trench", "number": "2", "length": "10",
                 "breadth": "0.9", "depth": "0.6"}]},
            {"category": "NON-SOR", "description": "Shifting of electric pole", "unit": "NOS",
             "rate": "12500.00", "measurements": [{"number": "1"}]},
        ],
        "overheads": [{"code": "SC"}],
    }


@pytest.fixture
def revision(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> Revision:
    """An approved estimate of 30 days ago, 10 SQM of its floor measured in approved MBs, the
    floor's rate gone up since, and a revision of it (a draft of the demo user)."""
    db = demo_db
    view = create_from_json(db, DEMO, _document(), today=EARLIER)
    for action in (Action.SUBMIT, Action.VERIFY, Action.SANCTION, Action.APPROVE):
        view = act(db, DEMO, view.number, action, comment=f"{action.label}.")
    floor_id = view.lines[0].draft.id
    monkeypatch.setattr(measured, "used_quantities",
                        lambda session, estimate_id: {floor_id: D("10")}
                        if estimate_id == view.id else {})
    heads = view.lines[0].draft.heads
    assert heads is not None
    add_rate(db, ADMIN, FLOOR, replace(heads, labour=heads.labour + D("100.00")),
             effective_from=TODAY, tenant="od", today=TODAY)
    revised = revise(db, DEMO, view.number, today=TODAY)
    assert revised.revision_of == view.number
    ctx = make_ctx(db, frozenset(Role), tenant=ULB, login="demo")
    return Revision(db, ctx, view.number, revised.number)


def open_editor(qtbot: QtBot, ctx: UiContext, number: str) -> EstimateEditor:
    widget = EstimateEditor(ctx, number)
    qtbot.addWidget(widget)
    widget.autosave_idle_ms = widget.autosave_max_ms = 3_600_000  # saved when a test says
    widget.resize(1400, 860)
    widget.show()
    qtbot.waitUntil(lambda: not widget.loading, timeout=WAIT)
    return widget


@pytest.fixture
def editor(qtbot: QtBot, revision: Revision) -> Iterator[EstimateEditor]:
    widget = open_editor(qtbot, revision.ctx, revision.number)
    yield widget
    widget.idle_timer.stop()
    widget.max_timer.stop()
    wait_idle(qtbot, revision.ctx)


def statement_reasons(db: Database, number: str) -> dict[str | None, str]:
    _, _, statement = deviation_statement(db, number)
    return {row.code or row.description: row.reason for row in statement.rows}


def test_the_reason_is_typed_undone_redone_autosaved_and_printed(
    qtbot: QtBot, revision: Revision, editor: EstimateEditor
) -> None:
    panel = editor.revision_panel
    field = panel.reason_edit
    assert editor.is_revision
    assert panel.isVisible()
    assert not field.isReadOnly()
    assert editor.current_line() is editor.document.lines[0]
    floor = editor.document.lines[0]

    field.setFocus()
    qtbot.keyClicks(field, REASON)
    assert floor.reason == REASON
    assert editor.is_dirty()
    assert editor.editing.stack.count() == 1  # the keystrokes are one command
    assert editor.editing.stack.undoText() == "Change the reason, line 1"

    qtbot.keyClick(field, Qt.Key.Key_Z, CTRL)  # the estimate's undo, not the line edit's
    assert floor.reason == ""
    assert field.text() == ""
    qtbot.keyClick(field, Qt.Key.Key_Y, CTRL)
    assert floor.reason == REASON
    assert field.text() == REASON
    editor.undo_action.trigger()
    assert field.text() == ""
    editor.redo_action.trigger()
    assert field.text() == REASON

    # another line: its own reason and its own command
    editor.select_line(editor.document.lines[1])
    assert field.text() == ""
    qtbot.keyClicks(field, "Trench shallower")
    assert editor.editing.stack.count() == 2
    assert editor.document.lines[1].reason == "Trench shallower"
    editor.select_line(floor)
    assert field.text() == REASON

    # autosave keeps it, and the deviation statement prints it on its item
    editor.autosave_idle_ms = 10
    field.editingFinished.emit()
    qtbot.keyClicks(field, ".")
    qtbot.waitUntil(lambda: not editor.is_dirty() and not editor._saving, timeout=WAIT)
    assert editor.save_label.text().startswith("Saved ")
    saved = get_estimate(revision.db, revision.number)
    assert [line.draft.reason for line in saved.lines] == [
        f"{REASON}.", "Trench shallower", ""]
    reasons = statement_reasons(revision.db, revision.number)
    assert reasons[FLOOR] == f"{REASON}."
    assert reasons["DEMO-W-001"] == "Trench shallower"
    assert reasons["Shifting of electric pole"] == ""


def test_typing_the_reason_back_to_what_it_was_leaves_nothing_to_undo(
    qtbot: QtBot, editor: EstimateEditor
) -> None:
    field = editor.revision_panel.reason_edit
    field.setFocus()
    qtbot.keyClicks(field, "ab")
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert editor.document.lines[0].reason == ""
    assert editor.editing.stack.count() == 0
    # Enter ends a typing run: what is typed next is a command of its own
    qtbot.keyClicks(field, "x")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.keyClicks(field, "y")
    assert editor.editing.stack.count() == 2
    editor.undo_action.trigger()
    assert field.text() == "x"


def test_the_measured_quantity_keeps_its_rate_and_figures_equal_compute(
    editor: EstimateEditor
) -> None:
    document = editor.document
    floor = document.lines[0]
    assert floor.used_quantity == D("10")
    assert floor.used_rate is not None
    assert floor.rate > floor.used_rate  # the rate went up after the original was approved
    used = editor.revision_panel.used_label
    assert used.isVisible()
    assert used.text().startswith(
        f"Measured in approved MBs: 10.0000 SQM at ₹ {format_money(floor.used_rate)} ")
    assert f"the rest, 15.0000 SQM, at ₹ {format_money(floor.rate)}" in used.text()
    assert floor.amount == D(10) * floor.used_rate + (D(15) * floor.rate).quantize(D("0.01"))
    tip = editor.lines_model.data(editor.lines_model.index(0, L.AMOUNT),
                                  Qt.ItemDataRole.ToolTipRole)
    assert "measured in approved MBs" in tip
    expected = compute([line.to_line() for line in document.lines],
                       [Overhead(o.code, o.description, o.kind, o.percent, o.lump_sum)
                        for o in document.overheads])
    assert document.totals() == expected
    # a line nothing of which was measured says nothing of it
    editor.select_line(document.lines[1])
    assert not used.isVisible()


def test_another_users_revision_shows_the_reason_read_only(
    qtbot: QtBot, revision: Revision
) -> None:
    view = get_estimate(revision.db, revision.number)
    lines = tuple(replace(line.draft, reason="Given by the creator") if i == 0 else line.draft
                  for i, line in enumerate(view.lines))
    save_estimate(revision.db, DEMO, revision.number, replace(view.draft, lines=lines))
    other = make_ctx(revision.db, frozenset(Role), tenant=ULB, login="someone")
    editor = open_editor(qtbot, other, revision.number)
    try:
        assert editor.read_only
        field = editor.revision_panel.reason_edit
        assert editor.revision_panel.isVisible()
        assert field.isReadOnly()
        assert field.text() == "Given by the creator"
        field.setFocus()
        qtbot.keyClicks(field, "more")
        assert field.text() == "Given by the creator"
        assert editor.document.lines[0].reason == "Given by the creator"
        assert not editor.has_unsaved_changes()
    finally:
        wait_idle(qtbot, other)


def test_an_original_estimate_has_no_reason_field(qtbot: QtBot, revision: Revision) -> None:
    editor = open_editor(qtbot, revision.ctx, revision.original)
    try:
        assert not editor.is_revision
        assert not editor.revision_panel.isVisible()
    finally:
        wait_idle(qtbot, revision.ctx)


def test_the_lines_model_passes_the_model_tester_on_a_revision(
    qtbot: QtBot, qtmodeltester: ModelTester, editor: EstimateEditor
) -> None:
    qtmodeltester.check(editor.lines_model)
    field = editor.revision_panel.reason_edit
    field.setFocus()
    qtbot.keyClicks(field, "why")
    editor.undo_action.trigger()
    editor.redo_action.trigger()
    qtmodeltester.check(editor.lines_model)
    assert editor.document.lines[0].reason == "why"


def test_render_a_revision_in_the_editor(
    qtbot: QtBot, editor: EstimateEditor, tmp_path: Path
) -> None:
    folder = tmp_path
    if os.environ.get("MUKTA_SCREENSHOTS"):
        folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
    editor.resize(1440, 900)
    field = editor.revision_panel.reason_edit
    editor.select_line(editor.document.lines[1])
    field.setFocus()
    qtbot.keyClicks(field, "Trench made shallower: hard soil met at 0.6 m")
    editor.select_line(editor.document.lines[0])
    qtbot.keyClicks(field, "Verandah floored too, at the Ward Committee's request")
    QApplication.processEvents()
    picture = editor.grab()
    assert not picture.isNull()
    assert picture.width() >= 1000
    assert picture.save(str(folder / "estimate-editor-revision.png"))
