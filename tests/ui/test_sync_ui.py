"""Sync in the desktop window, against the real head-office server in-process (FastAPI app
behind httpx's transport): the status bar, the automatic rounds on a worker, backoff while
the server is away, and stopping on an expired token or an outdated app."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot
from sor_support import make_ctx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from desktop_flow import OFFICER, ULB, officer_work, site_photo
from server_support import Server, make_server

from mukta_desktop.services.database import Database
from mukta_desktop.services.sync_run import sync_status
from mukta_desktop.services.sync_setup import enrol_device
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.logging_setup import log_file_path
from mukta_desktop.ui.main_window import OFFLINE_TEXT, MainWindow
from mukta_desktop.ui.sync import SyncController
from mukta_desktop.ui.sync.enrol_dialog import EnrolDialog
from mukta_desktop.ui.sync.jobs import Outcome, RoundResult
from mukta_desktop.ui.sync.status_bar import SyncStatusWidget
from mukta_server.admin import add_user, list_devices, revoke_device

WAIT = 20_000  # ms
PASSWORD = "officer-secret"
URL = "http://testserver"


@contextlib.contextmanager
def running_server(tmp_path: Path, min_app_version: str = "0.4.0") -> Iterator[Server]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    with make_server(
        f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path / "storage",
        min_app_version=min_app_version,
    ) as running:
        add_user(running.database, login=OFFICER.login, name=OFFICER.name, tenant=ULB,
                 roles=[r.value for r in OFFICER.roles], password=PASSWORD)
        yield running


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path) as running:
        yield running


class Switch(httpx.BaseTransport):
    """The network between the desktop and the server: down (connection refused), busy
    (503 with Retry-After) or up."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.state = "up"
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if self.state == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.state == "busy":
            return httpx.Response(503, headers={"Retry-After": "7"},
                                  json={"error": "busy", "message": "try later"})
        return self.inner.handle_request(request)


def enrol(db: Database, server: Server) -> None:
    enrol_device(db, server_url=URL, login=OFFICER.login, password=PASSWORD,
                 device_name="JE laptop", transport=server.client._transport)


def ctx_for(db: Database) -> UiContext:
    return make_ctx(db, OFFICER.roles, tenant=ULB, login=OFFICER.login)


class Backoffs:
    """Records what the controller asked and answers a short wait (no real minutes)."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, float | None]] = []

    def __call__(self, attempt: int, retry_after: float | None) -> float:
        self.asked.append((attempt, retry_after))
        return 0.02


def controller_for(qtbot: QtBot, db: Database, transport: httpx.BaseTransport,
                   backoff: Backoffs | None = None) -> tuple[SyncController, SyncStatusWidget]:
    controller = SyncController(ctx_for(db), transport=transport, backoff=backoff or Backoffs())
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    controller.changed.connect(widget.show_view)
    controller.photo_progress.connect(widget.show_progress)
    return controller, widget


def settle(qtbot: QtBot, controller: SyncController) -> None:
    """Stop planning rounds and let the running one end (before the database closes)."""
    controller.stop()
    qtbot.waitUntil(lambda: not controller.running, timeout=WAIT)
    qtbot.waitUntil(lambda: controller.ctx.runner.pending == 0, timeout=WAIT)


def file_menu_texts(window: MainWindow) -> list[str]:
    menu = window.menuBar().actions()[0].menu()
    assert isinstance(menu, QMenu)
    return [a.text().replace("&", "") for a in menu.actions()]


# -- the window of an installation that is not enrolled -----------------------------------

def test_a_new_installation_says_sync_is_not_set_up(
        qtbot: QtBot, db: Database, data_dir: Path) -> None:
    ctx = ctx_for(db)
    window = MainWindow(ctx, data_dir=data_dir, log_file=log_file_path(data_dir), sections=[])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync.controller.view.loaded, timeout=WAIT)
    assert window.sync_status.text() == OFFLINE_TEXT
    assert "not set up" in window.sync_status.toolTip()
    texts = file_menu_texts(window)
    assert "Sync now" in texts
    assert texts.index("Sync now") < texts.index("Sign out")
    assert not window.sync.sync_now_action.isEnabled()
    assert window.sync.controller.next_attempt_in() is None  # nothing to look for
    settle(qtbot, window.sync.controller)


# -- rounds ---------------------------------------------------------------------------------

def test_an_enrolled_desktop_syncs_at_once_and_shows_what_happened(
        qtbot: QtBot, db: Database, server: Server, tmp_path: Path) -> None:
    officer_work(db, site_photo(tmp_path))
    enrol(db, server)
    waiting = sync_status(db)
    assert waiting.pending_records > 0
    assert waiting.pending_photos == 1
    controller, widget = controller_for(qtbot, db, server.client._transport)
    widget.show()
    progress: list[tuple[int, int]] = []
    controller.photo_progress.connect(lambda sent, total: progress.append((sent, total)))
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT) as finished:
        controller.start()
    result = finished.args[0]
    assert isinstance(result, RoundResult)
    assert result.outcome is Outcome.OK, result.message
    assert result.report is not None
    assert result.report.applied == waiting.pending_records
    # The photo went up in chunks; the bar followed it and went away at the end.
    assert progress
    assert progress[-1][0] == progress[-1][1] > 0
    assert not widget.progress.isVisible()
    text = widget.label.text()
    assert text.startswith("Online · nothing waiting · last sync ")
    assert "never" not in text
    assert not widget.conflicts_button.isVisible()
    assert not widget.error_label.isVisible()
    assert sync_status(db).pending_records == 0
    # The next round is planned a few minutes on, not now.
    planned = controller.next_attempt_in()
    assert planned is not None
    assert planned > 60
    settle(qtbot, controller)


def test_sync_now_never_starts_a_second_round(
        qtbot: QtBot, db: Database, server: Server) -> None:
    officer_work(db)
    enrol(db, server)
    controller, _widget = controller_for(qtbot, db, server.client._transport)
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT):
        assert controller.sync_now()
        assert controller.running
        assert not controller.sync_now()  # one round at a time
    assert controller.rounds == 1
    settle(qtbot, controller)


def test_offline_then_reachable_syncs_by_itself(
        qtbot: QtBot, db: Database, server: Server) -> None:
    officer_work(db)
    enrol(db, server)
    switch = Switch(server.client._transport)
    switch.state = "down"
    backoffs = Backoffs()
    controller, widget = controller_for(qtbot, db, switch, backoffs)
    controller.start()
    qtbot.waitUntil(lambda: len(backoffs.asked) >= 2, timeout=WAIT)
    # Only the cheap probe was tried while the server was away, each failure counted.
    assert set(switch.paths) == {"/api/v1/hello"}
    assert [attempt for attempt, _ in backoffs.asked[:2]] == [1, 2]
    assert widget.label.text().startswith("Offline · ")
    assert "last sync never" in widget.label.text()
    assert "cannot be reached" in widget.error_label.full_text()
    # The server answers busy: its Retry-After is honoured.
    switch.state = "busy"
    qtbot.waitUntil(lambda: (backoffs.asked[-1][1] == 7.0), timeout=WAIT)
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT) as finished:
        switch.state = "up"
    assert finished.args[0].outcome is Outcome.OK
    assert controller.failures == 0
    assert widget.label.text().startswith("Online · nothing waiting")
    assert not widget.error_label.isVisible()
    settle(qtbot, controller)


def test_a_revoked_device_stops_syncing_and_keeps_its_outbox(
        qtbot: QtBot, db: Database, server: Server) -> None:
    officer_work(db)
    enrol(db, server)
    before = sync_status(db).pending_records
    (device,) = list_devices(server.database)
    revoke_device(server.database, device.id)
    controller, widget = controller_for(qtbot, db, server.client._transport)
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT) as finished:
        controller.start()
    assert finished.args[0].outcome is Outcome.NOT_AUTHORISED
    assert controller.view.stopped
    assert controller.next_attempt_in() is None  # waits for the user, no retrying
    assert widget.label.text().startswith("Sync stopped · ")
    assert "enrol it again" in widget.error_label.full_text()
    assert sync_status(db).pending_records == before  # nothing dropped
    settle(qtbot, controller)


def test_an_outdated_app_is_told_to_update(
        qtbot: QtBot, db: Database, server: Server, tmp_path: Path) -> None:
    officer_work(db)
    enrol(db, server)
    before = sync_status(db).pending_records
    with running_server(tmp_path / "newer", min_app_version="9.0.0") as newer:
        controller, widget = controller_for(qtbot, db, newer.client._transport)
        controller.start()
        qtbot.waitUntil(lambda: controller.view.stopped, timeout=WAIT)
        assert "MUKTA Desktop 9.0.0 or later" in widget.error_label.full_text()
        assert widget.label.text().startswith("Sync stopped")
        assert controller.next_attempt_in() is None
        settle(qtbot, controller)
    assert sync_status(db).pending_records == before


# -- the main window ----------------------------------------------------------------------

class CountingSection(QWidget):
    title = "Counting"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actions_for_menu: list[QAction] = []
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def test_the_window_syncs_on_f9_and_refreshes_the_view_after_a_pull(
        qtbot: QtBot, db: Database, server: Server, data_dir: Path) -> None:
    officer_work(db)
    enrol(db, server)
    ctx = ctx_for(db)
    window = MainWindow(ctx, data_dir=data_dir, log_file=log_file_path(data_dir),
                        sections=[CountingSection])
    qtbot.addWidget(window)
    controller = window.sync.controller
    controller.transport = server.client._transport
    window.show()
    section = window.sections[0]
    assert isinstance(section, CountingSection)
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT) as first:
        pass  # the window looks for the server as it opens
    assert first.args[0].pulled > 0
    qtbot.waitUntil(lambda: section.refreshed >= 1, timeout=WAIT)
    assert window.sync_status.text().startswith("Online · nothing waiting")
    assert window.sync.sync_now_action.shortcut().toString() == "F9"
    assert window.sync.sync_now_action.isEnabled()
    with qtbot.waitSignal(controller.round_finished, timeout=WAIT):
        window.sync.sync_now_action.trigger()
    assert controller.rounds == 2
    settle(qtbot, controller)


# -- enrolment ----------------------------------------------------------------------------

def enrol_dialog(qtbot: QtBot, db: Database, transport: httpx.BaseTransport) -> EnrolDialog:
    dialog = EnrolDialog(ctx_for(db), transport=transport)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(dialog: EnrolDialog, server: str = URL, login: str = OFFICER.login,
         password: str = PASSWORD, device: str = "JE laptop, Dhenkanal") -> None:
    dialog.server_edit.setText(server)
    dialog.login_edit.setText(login)
    dialog.password_edit.setText(password)
    dialog.device_edit.setText(device)


def refused(qtbot: QtBot, dialog: EnrolDialog) -> str:
    qtbot.waitUntil(lambda: dialog.error.isVisible() and not dialog.busy, timeout=WAIT)
    return dialog.error.text()


@pytest.mark.parametrize(("server", "password", "device", "field", "words"), [
    ("", PASSWORD, "JE laptop", "server", "Server address: type the address"),
    ("mukta-ho.example.in", PASSWORD, "JE laptop", "server", "is not a web address"),
    ("ftp://ho.example.in", PASSWORD, "JE laptop", "server", "is not a web address"),
    (URL, "", "JE laptop", "password", "Password: type your password"),
    (URL, PASSWORD, "  ", "device", "Name of this PC: type a name"),
])
def test_the_enrol_form_names_the_field_that_is_wrong(
        qtbot: QtBot, db: Database, server: str, password: str, device: str, field: str,
        words: str) -> None:
    dialog = enrol_dialog(qtbot, db, httpx.MockTransport(lambda r: httpx.Response(500)))
    fill(dialog, server=server, password=password, device=device)
    dialog.connect_button.click()
    assert words in dialog.error.text()
    assert dialog.fields[field].property("invalid") is True
    assert not dialog.busy  # nothing was sent
    assert not sync_status(db).enrolled


def test_a_wrong_password_is_said_plainly_and_nothing_is_enrolled(
        qtbot: QtBot, db: Database, server: Server) -> None:
    dialog = enrol_dialog(qtbot, db, server.client._transport)
    fill(dialog, password="not-the-password")
    dialog.connect_button.click()
    assert dialog.busy
    assert "did not accept this login and password" in refused(qtbot, dialog)
    assert dialog.password_edit.property("invalid") is True
    assert "Traceback" not in dialog.error.text()
    assert not sync_status(db).enrolled


def test_an_unreachable_server_points_at_the_address(
        qtbot: QtBot, db: Database, server: Server) -> None:
    switch = Switch(server.client._transport)
    switch.state = "down"
    dialog = enrol_dialog(qtbot, db, switch)
    fill(dialog)
    dialog.connect_button.click()
    assert f"The server at {URL} cannot be reached" in refused(qtbot, dialog)
    assert dialog.server_edit.property("invalid") is True


def test_an_outdated_app_cannot_enrol(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    with running_server(tmp_path / "newer", min_app_version="9.0.0") as newer:
        dialog = enrol_dialog(qtbot, db, newer.client._transport)
        fill(dialog)
        dialog.connect_button.click()
        assert "MUKTA Desktop 9.0.0 or later" in refused(qtbot, dialog)
    assert not sync_status(db).enrolled


def test_connect_from_the_file_menu_enrols_and_syncs_at_once(
        qtbot: QtBot, db: Database, server: Server, data_dir: Path) -> None:
    officer_work(db)
    window = MainWindow(ctx_for(db), data_dir=data_dir, log_file=log_file_path(data_dir),
                        sections=[])
    qtbot.addWidget(window)
    window.sync.controller.transport = server.client._transport
    window.show()
    assert "Connect to head office…" in file_menu_texts(window)
    window.sync.connect_action.trigger()
    dialog = window.findChild(EnrolDialog)
    assert isinstance(dialog, EnrolDialog)
    assert dialog.login_edit.text() == OFFICER.login  # the signed-in user's, to start with
    fill(dialog)
    with qtbot.waitSignal(window.sync.controller.round_finished, timeout=WAIT) as first:
        dialog.connect_button.click()
    assert dialog.done_label.isVisible()
    text = dialog.done_label.text()
    assert text.startswith(f"Connected to {URL} as {OFFICER.login} ({ULB}). ")
    assert "4 changes of the records on this PC are queued for the first sync." in text
    assert dialog.close_button.text() == "Close"
    assert first.args[0].outcome is Outcome.OK
    assert window.sync_status.text().startswith("Online · nothing waiting · last sync ")
    dialog.close_button.click()
    assert not dialog.isVisible()
    settle(qtbot, window.sync.controller)
