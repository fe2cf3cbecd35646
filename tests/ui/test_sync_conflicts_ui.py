"""File → Sync conflicts… against the real head-office server in-process: a refused MB is
revised back to draft from the list; a change made on an older version is settled by taking
the server's copy, the two copies shown field by field with the differences highlighted.
With MUKTA_SCREENSHOTS=1 the sync pictures are written to docs/screenshots/sync-*.png:
    MUKTA_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen \
        .venv/bin/pytest tests/ui/test_sync_conflicts_ui.py
"""

from __future__ import annotations

import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sor_support import make_ctx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from desktop_flow import OFFICER, TODAY, ULB, row, tile_sor
from server_support import Server
from test_sync_conflicts import (
    URL,
    enrol,
    server,
    states,
    submitted_mb,
    sync,
    tamper_last_operation,
)

from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.workflow import Action, Status
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft
from mukta_desktop.services.estimates import act, create_estimate
from mukta_desktop.services.masters import read_masters
from mukta_desktop.services.measurement_books import act_mb, get_mb
from mukta_desktop.services.projects import NewProject, create_project
from mukta_desktop.services.sync_run import sync_status
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.inbox_section import InboxSection
from mukta_desktop.ui.logging_setup import log_file_path
from mukta_desktop.ui.main_window import MainWindow
from mukta_desktop.ui.sync.conflicts_dialog import ConflictsDialog
from mukta_desktop.ui.sync.enrol_dialog import EnrolDialog

__all__ = ["server"]  # the server fixture, shared with the service tests
WAIT = 20_000  # ms
HO = "https://mukta-ho.example.in"  # how a head office's address looks in the pictures
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def ctx_for(db: Database) -> UiContext:
    return make_ctx(db, OFFICER.roles, tenant=ULB, login=OFFICER.login)


def conflicts_dialog(qtbot: QtBot, db: Database) -> ConflictsDialog:
    dialog = ConflictsDialog(ctx_for(db))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded_once, timeout=WAIT)
    return dialog


def cells(dialog: ConflictsDialog, row: int) -> list[str]:
    model = dialog.model
    return [str(model.index(row, c).data()) for c in range(model.columnCount())]


def sent_back_elsewhere(db: Database, server: Server, tmp_path: Path, url: str = URL) -> str:
    """A submitted MB verified on the officer's other PC, then sent back on this one (made
    on the older version): the server holds it in conflict."""
    mb = submitted_mb(db)
    enrol(db, server, url=url)
    sync(db, server)
    other = open_database(tmp_path / "other-pc")
    try:
        enrol(other, server, "office desktop", url=url)
        sync(other, server)
        act_mb(other, OFFICER, mb, Action.VERIFY)
        sync(other, server)
    finally:
        other.close()
    act_mb(db, OFFICER, mb, Action.SEND_BACK, comment="Row 1 length to be checked")
    sync(db, server)
    return mb


def test_a_refused_mb_is_revised_from_the_list(
        qtbot: QtBot, db: Database, server: Server) -> None:
    mb = submitted_mb(db)
    enrol(db, server)
    tamper_last_operation(db)
    sync(db, server)
    dialog = conflicts_dialog(qtbot, db)
    assert dialog.model.rowCount() == 1
    assert cells(dialog, 0)[:5] == ["Measurement Book", mb, "Refused by the server", "Submit",
                                    "Pending verification"]
    assert "is not quantity × rate" in dialog.reasons.text()
    assert dialog.title.text().startswith(f"Measurement Book {mb} — Refused by the server")
    # What this PC sent, field by field; the server kept nothing different to compare.
    labels = [dialog.comparison_model.index(r, 0).data()
              for r in range(dialog.comparison_model.rowCount())]
    assert "Line 1 › Amount" in labels
    amount = labels.index("Line 1 › Amount")
    assert dialog.comparison_model.index(amount, 1).data() == "99999.99"
    assert dialog.comparison.isColumnHidden(2)
    assert dialog.revise_button.isEnabled()
    assert not dialog.server_copy_button.isEnabled()
    assert "refused it" in dialog.server_copy_button.toolTip()

    with qtbot.waitSignal(dialog.resolved, timeout=WAIT) as resolved:
        dialog.revise_button.click()
    assert resolved.args[0].after == "DRAFTED"
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=WAIT)
    assert dialog.message.text().startswith(f"Measurement Book {mb} is back in draft")
    assert dialog.empty.isVisible()
    assert get_mb(db, mb).status is Status.DRAFTED
    assert "RESOLVED" in states(db)
    assert sync_status(db).conflicts == 0


def test_the_servers_copy_is_taken_after_comparing_the_two(
        qtbot: QtBot, db: Database, server: Server, tmp_path: Path) -> None:
    mb = sent_back_elsewhere(db, server, tmp_path)
    dialog = conflicts_dialog(qtbot, db)
    assert cells(dialog, 0)[:5] == ["Measurement Book", mb, "Changed on the server",
                                    "Send back", "Pending correction"]
    assert "The server holds version 2" in dialog.reasons.text()
    assert dialog.note.text().startswith(
        "Step sent: Send back — “Row 1 length to be checked”. The server holds version 2 "
        "(Pending approval); this PC sent Pending correction.")
    assert not dialog.comparison.isColumnHidden(2)
    model = dialog.comparison_model
    everything = model.rowCount()
    status_row = next(r for r in range(everything) if model.index(r, 0).data() == "Status")
    assert [model.index(status_row, c).data() for c in range(3)] == [
        "Status", "Pending correction", "Pending approval"]
    assert model.index(status_row, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    same = next(r for r in range(everything) if model.index(r, 0).data() == "Number")
    assert model.index(same, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    dialog.only_differences.setChecked(True)
    assert 0 < model.rowCount() < everything
    assert all(model.index(r, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
               for r in range(model.rowCount()))
    assert not dialog.revise_button.isEnabled()
    assert dialog.server_copy_button.isEnabled()

    asked: list[str] = []
    dialog.confirm = lambda text: asked.append(text) is not None  # says no
    dialog.server_copy_button.click()
    assert len(asked) == 1
    assert "set aside" in asked[0]
    assert not dialog.busy
    assert get_mb(db, mb).status is Status.PENDING_CORRECTION  # nothing happened

    dialog.confirm = lambda _text: True
    with qtbot.waitSignal(dialog.resolved, timeout=WAIT):
        dialog.server_copy_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=WAIT)
    assert "now is the server's copy (Pending approval)" in dialog.message.text()
    assert get_mb(db, mb).status is Status.PENDING_APPROVAL
    assert sync_status(db).conflicts == 0


def submit_estimate(db: Database) -> None:
    """A new project's estimate, submitted: two records for the server."""
    project = create_project(db, OFFICER, NewProject(name="Ward 9 drain", ward="9"),
                             today=TODAY).number
    line = LineDraft(LineCategory.SOR, "", "", Decimal(0), rows=(row("12"),),
                     sor_code=tile_sor(db))
    estimate = create_estimate(db, OFFICER, project_number=project, today=TODAY,
                               draft=EstimateDraft(date(2026, 11, 2), "Drain", (line,)))
    act(db, OFFICER, estimate.number, Action.SUBMIT)


def _save(widget: QWidget, path: Path) -> None:
    widget.show()
    for _ in range(3):
        QCoreApplication.processEvents()
    picture = widget.grab()
    assert not picture.isNull()
    assert picture.width() >= 400
    assert picture.save(str(path))


def test_render_sync_screens_from_the_main_window(
        qtbot: QtBot, db: Database, server: Server, tmp_path: Path, data_dir: Path) -> None:
    out = DOCS if os.environ.get("MUKTA_SCREENSHOTS") else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    sent_back_elsewhere(db, server, tmp_path, HO)
    ctx = UiContext(db, OFFICER, read_masters(db), Runner(), lambda: TODAY)
    window = MainWindow(ctx, data_dir=data_dir, log_file=log_file_path(data_dir))
    qtbot.addWidget(window)
    controller = window.sync.controller
    controller.transport = server.client._transport
    window.resize(1280, 720)
    window.show()
    qtbot.waitUntil(lambda: controller.rounds == 1 and not controller.running, timeout=WAIT)
    widget = window.sync.status_widget
    assert widget.conflicts_button.isVisible()
    assert widget.conflicts_button.text() == "1 conflict"
    assert window.sync_status.text().startswith("Online · nothing waiting · last sync ")
    # A change made since, and the server gone: what waits, and why it did not go.
    submit_estimate(db)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 101] Network is unreachable", request=request)

    controller.transport = httpx.MockTransport(unreachable)
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT):
        window.sync.sync_now_action.trigger()
    controller.stop()
    text = window.sync_status.text()
    assert text.startswith("Offline · 2 records waiting · last sync ")
    assert "cannot be reached" in widget.error_label.full_text()
    window.show_section(0)  # the Inbox
    qtbot.waitUntil(lambda: window.ctx.runner.pending == 0, timeout=WAIT)
    _save(window, out / "sync-status.png")

    widget.conflicts_button.click()
    dialog = window.findChild(ConflictsDialog)
    assert isinstance(dialog, ConflictsDialog)
    qtbot.waitUntil(lambda: dialog.loaded_once, timeout=WAIT)
    assert dialog.model.rowCount() == 1
    assert dialog.comparison_model.rowCount() > 10
    _save(dialog, out / "sync-conflicts.png")
    # Settled from here: the status bar's count goes, the Inbox reads the MB again.
    dialog.confirm = lambda _text: True
    dialog.server_copy_button.click()
    qtbot.waitUntil(lambda: not widget.conflicts_button.isVisible(), timeout=WAIT)
    inbox = window.current_section()
    assert isinstance(inbox, InboxSection)
    qtbot.waitUntil(lambda: inbox.mbs_model.index(0, 4).data() == "Pending approval",
                    timeout=WAIT)
    dialog.close()

    again = window.sync.show_enrolment()
    assert again.server_edit.text() == HO  # connecting again starts from the same server
    again.close()

    # A new installation, and a password the server does not take.
    fresh = open_database(tmp_path / "new-pc")
    try:
        enrol_dialog = EnrolDialog(UiContext(fresh, OFFICER, read_masters(fresh), Runner()),
                                   transport=server.client._transport)
        qtbot.addWidget(enrol_dialog)
        enrol_dialog.show()
        enrol_dialog.server_edit.setText(HO)
        enrol_dialog.password_edit.setText("not-my-password")
        enrol_dialog.device_edit.setText("JE laptop, Dhenkanal")
        enrol_dialog.connect_button.click()
        qtbot.waitUntil(lambda: enrol_dialog.error.isVisible() and not enrol_dialog.busy,
                        timeout=WAIT)
        assert "did not accept this login and password" in enrol_dialog.error.text()
        enrol_dialog.adjustSize()
        _save(enrol_dialog, out / "sync-enrol.png")
        enrol_dialog.close()
        qtbot.waitUntil(lambda: enrol_dialog.ctx.runner.pending == 0, timeout=WAIT)
    finally:
        fresh.close()
    qtbot.waitUntil(lambda: window.ctx.runner.pending == 0, timeout=WAIT)

