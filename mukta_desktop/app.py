"""The composition root: logging, the QApplication, the database, sign-in, the main window.

`run_gui(data_dir)` is what `mukta-desktop` (without a sub-command) runs. The database is
opened on the Runner while a small "Opening database…" window shows; then the first-run
dialog (no users yet) or the sign-in dialog; then the main window. Signing out returns to
the sign-in dialog.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from mukta_desktop import __version__
from mukta_desktop.domain.dates import india_today
from mukta_desktop.services.database import Database, open_database
from mukta_desktop.services.masters import Masters, read_masters
from mukta_desktop.services.users import Actor, has_users
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.gc_control import GuiThreadCollector
from mukta_desktop.ui.logging_setup import install_excepthook, log_file_path, setup_logging
from mukta_desktop.ui.main_window import MainWindow
from mukta_desktop.ui.messages import describe, report
from mukta_desktop.ui.sign_in import FirstRunDialog, SignInDialog, StartupSplash
from mukta_desktop.ui.style import apply_style

log = logging.getLogger(__name__)

APP_NAME = "MUKTA Desktop"
ORG_NAME = "MUKTA"


@dataclass(frozen=True, slots=True)
class Opened:
    db: Database
    masters: Masters
    has_users: bool


def open_data(data_dir: Path) -> Opened:
    """Open (create, migrate) the database and read what the first screens need.

    Runs on a worker thread."""
    db = open_database(data_dir)
    try:
        masters = read_masters(db)
        return Opened(db, masters, has_users(db))
    except BaseException:
        db.close()
        raise


class AppController(QObject):
    """Walks the user from start-up to the main window and back on sign-out.

    `finished(exit_code)` is emitted when the application should end.
    """

    finished = Signal(int)

    def __init__(self, data_dir: Path, runner: Runner, *, log_file: Path | None = None,
                 today: Callable[[], date] = india_today, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.runner = runner
        self.log_file = log_file or log_file_path(data_dir)
        self.today = today
        self.db: Database | None = None
        self.masters: Masters | None = None
        self.splash: StartupSplash | None = None
        self.dialog: FirstRunDialog | SignInDialog | None = None
        self.window: MainWindow | None = None
        self._retired: list[QWidget] = []
        runner.busy_changed.connect(self._drop_retired)

    def start(self) -> None:
        self.splash = StartupSplash(self.data_dir)
        self.splash.show()
        data_dir = self.data_dir
        self.runner.submit(lambda: open_data(data_dir), self._opened, self._open_failed)

    def _close_splash(self) -> None:
        if self.splash is not None:
            self.splash.close()
            self.splash.deleteLater()
            self.splash = None

    def _opened(self, opened: Opened) -> None:
        self.db, self.masters = opened.db, opened.masters
        log.info("database open at %s (backup before migration: %s)",
                 opened.db.path, opened.db.backup)
        self._close_splash()
        if opened.has_users:
            self.show_sign_in()
        else:
            self.show_first_run()

    def _open_failed(self, exc: Exception) -> None:
        self._close_splash()
        log.error("could not open the database in %s", self.data_dir,
                  exc_info=(type(exc), exc, exc.__traceback__))
        report(exc)
        box = QMessageBox(
            QMessageBox.Icon.Critical, APP_NAME,
            f"MUKTA Desktop could not open its data in {self.data_dir}.\n\n{describe(exc)}",
            QMessageBox.StandardButton.Close)
        box.setObjectName("openFailedBox")
        box.finished.connect(lambda _result: self.finished.emit(1))
        self._retired.append(box)
        box.show()

    def _show_dialog(self, dialog: FirstRunDialog | SignInDialog) -> None:
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._signed_in(dialog))
        dialog.rejected.connect(lambda: self.finished.emit(0))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def show_first_run(self) -> None:
        assert self.db is not None
        assert self.masters is not None
        self._show_dialog(FirstRunDialog(self.db, self.masters, self.runner, self.today))

    def show_sign_in(self) -> None:
        assert self.db is not None
        self._show_dialog(SignInDialog(self.db, self.runner))

    def _signed_in(self, dialog: FirstRunDialog | SignInDialog) -> None:
        actor = dialog.actor
        dialog.deleteLater()
        self.dialog = None
        if actor is None:  # pragma: no cover - accepted dialogs always carry an actor
            self.finished.emit(0)
            return
        self.open_main_window(actor)

    def open_main_window(self, actor: Actor) -> MainWindow:
        assert self.db is not None
        assert self.masters is not None
        log.info("signed in: %s (%s)", actor.login, actor.tenant)
        ctx = UiContext(self.db, actor, self.masters, self.runner, self.today)
        window = MainWindow(ctx, data_dir=self.data_dir, log_file=self.log_file)
        window.signed_out.connect(self._on_signed_out)
        window.closed.connect(lambda: self.finished.emit(0))
        self.window = window
        window.show()
        return window

    def _on_signed_out(self) -> None:
        window = self.window
        self.window = None
        if window is not None:
            log.info("signed out: %s", window.ctx.actor.login)
            # Work still running may call back into the old window: keep it until idle.
            self._retired.append(window)
            self._drop_retired(self.runner.pending > 0)
        self.show_sign_in()

    def _drop_retired(self, busy: bool) -> None:
        if busy:
            return
        for widget in self._retired:
            if isinstance(widget, MainWindow):
                widget.deleteLater()
        self._retired = [w for w in self._retired if not isinstance(w, MainWindow)]

    def shutdown(self) -> None:
        """Let running work finish, then close the database."""
        self.runner.wait_for_idle()
        if self.db is not None:
            self.db.close()
            self.db = None


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        list(sys.argv if argv is None else argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # between sign-in and the window none is shown
    apply_style(app)
    return app


def run_gui(data_dir: Path, argv: list[str] | None = None) -> int:
    """Run the desktop application on a data directory; returns the exit code."""
    log_file = setup_logging(data_dir)
    log.info("MUKTA Desktop %s starting; data in %s", __version__, data_dir)
    app = make_application(argv)
    install_excepthook()
    collector = GuiThreadCollector(app)
    runner = Runner(app)
    controller = AppController(data_dir, runner, log_file=log_file)
    controller.finished.connect(app.exit)
    controller.start()
    try:
        code = app.exec()
    finally:
        controller.shutdown()
        collector.stop()
        log.info("MUKTA Desktop stopped")
    return int(code)
