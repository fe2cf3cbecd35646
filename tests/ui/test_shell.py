"""The application shell: start-up, first run, sign-in, main window, settings, about."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from mukta_desktop import __version__
from mukta_desktop.app import AppController, Opened, open_data, run_gui
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.roles import Role
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.paths import default_data_dir
from mukta_desktop.services.sor_catalog import SorQuery, search_sors
from mukta_desktop.services.users import Actor, list_users
from mukta_desktop.ui.about_dialog import AboutDialog
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.estimates.inbox_section import InboxSection
from mukta_desktop.ui.logging_setup import (
    LOG_FILENAME,
    log_file_path,
    make_excepthook,
    setup_logging,
)
from mukta_desktop.ui.main_window import OFFLINE_TEXT, MainWindow, SectionFactory
from mukta_desktop.ui.settings_dialog import (
    CONFIRM_QUIT_KEY,
    ROWS_PER_PAGE_KEY,
    Preferences,
    SettingsDialog,
)
from mukta_desktop.ui.sign_in import (
    DEMO_DISCLAIMER,
    LAST_LOGIN_KEY,
    FirstRunDialog,
    SignInDialog,
)
from mukta_desktop.ui.sor.section import SorSection

TODAY = date(2026, 11, 21)
WAIT = 15_000  # ms: generous, for argon2 and migrations on a slow CI machine


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.wait_for_idle()


@pytest.fixture
def opened(data_dir: Path) -> Iterator[Opened]:
    result = open_data(data_dir)
    yield result
    result.db.close()


@pytest.fixture
def demo(opened: Opened) -> Opened:
    load_demo(opened.db, today=TODAY)
    return opened


class BlankSection(QWidget):
    """A section with nothing in it, for testing the shell apart from the SOR screens."""

    title = "Blank"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actions_for_menu: list[QAction] = []
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def demo_actor(opened: Opened) -> Actor:
    return Actor("demo", "Demo Engineer (demo)", "od.dhenkanal", frozenset(Role))


def make_window(qtbot: QtBot, opened: Opened, runner: Runner, data_dir: Path,
                sections: list[SectionFactory] | None = None) -> MainWindow:
    ctx = UiContext(opened.db, demo_actor(opened), opened.masters, runner, lambda: TODAY)
    window = MainWindow(ctx, data_dir=data_dir, log_file=log_file_path(data_dir),
                        sections=sections)
    qtbot.addWidget(window)
    return window


def first_run(qtbot: QtBot, opened: Opened, runner: Runner) -> FirstRunDialog:
    dialog = FirstRunDialog(opened.db, opened.masters, runner, lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_user(dialog: FirstRunDialog, *, login: str = "ssdas", password: str = "secret1",
              confirm: str | None = None, tenant: str = "od.dhenkanal",
              roles: tuple[Role, ...] = (Role.ESTIMATE_CREATOR, Role.MB_CREATOR)) -> None:
    dialog.name_edit.setText("Sushree Sangita Das")
    dialog.login_edit.setText(login)
    dialog.password_edit.setText(password)
    dialog.confirm_edit.setText(password if confirm is None else confirm)
    dialog.tenant_combo.select_code(tenant)
    for role in roles:
        dialog.role_checks[role].setChecked(True)


# -- start-up -----------------------------------------------------------------------------

def test_first_start_with_an_empty_data_dir_shows_the_first_run_dialog(
        qtbot: QtBot, data_dir: Path, runner: Runner) -> None:
    controller = AppController(data_dir, runner, today=lambda: TODAY)
    controller.start()
    assert controller.splash is not None
    assert controller.splash.message.text() == "Opening database…"
    qtbot.waitUntil(lambda: isinstance(controller.dialog, FirstRunDialog), timeout=WAIT)
    assert controller.dialog is not None
    assert controller.dialog.isVisible()
    assert controller.splash is None
    assert (data_dir / "mukta.sqlite3").exists()
    with qtbot.waitSignal(controller.finished, timeout=WAIT) as blocker:
        controller.dialog.quit_button.click()
    assert blocker.args == [0]
    controller.shutdown()


def test_start_with_users_shows_sign_in_then_main_window_then_sign_out(
        qtbot: QtBot, demo: Opened, data_dir: Path, runner: Runner) -> None:
    demo.db.close()
    controller = AppController(data_dir, runner, today=lambda: TODAY)
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SignInDialog), timeout=WAIT)
    dialog = controller.dialog
    assert isinstance(dialog, SignInDialog)
    dialog.login_edit.setText("demo")
    dialog.password_edit.setText("demo")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=WAIT)
    window = controller.window
    assert window is not None
    assert window.isVisible()
    assert window.ctx.actor.login == "demo"

    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: isinstance(controller.dialog, SignInDialog), timeout=WAIT)
    assert controller.window is None
    assert not window.isVisible()
    # The last login is remembered for the next sign-in.
    again = controller.dialog
    assert isinstance(again, SignInDialog)
    assert again.login_edit.text() == "demo"
    with qtbot.waitSignal(controller.finished, timeout=WAIT):
        again.reject()
    controller.shutdown()


def test_a_database_that_cannot_be_opened_is_reported_in_plain_words(
        qtbot: QtBot, tmp_path: Path, runner: Runner) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("not a folder")
    controller = AppController(not_a_folder, runner)
    controller.start()
    qtbot.waitUntil(lambda: any(w.objectName() == "openFailedBox" and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=WAIT)
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "openFailedBox")
    assert isinstance(box, QMessageBox)
    assert "could not open its data" in box.text()
    assert "Traceback" not in box.text()
    with qtbot.waitSignal(controller.finished, timeout=WAIT) as blocker:
        box.done(0)
    assert blocker.args == [1]
    controller.shutdown()


def test_run_gui_runs_until_the_first_run_dialog_is_quit(
        qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    hook, thread_hook = sys.excepthook, threading.excepthook
    sheet = qapp.styleSheet()
    root_handlers = list(logging.getLogger().handlers)
    found: list[FirstRunDialog] = []

    def quit_when_shown() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunDialog) and widget.isVisible():
                found.append(widget)
                widget.reject()
                return
        QTimer.singleShot(20, quit_when_shown)

    QTimer.singleShot(0, quit_when_shown)
    try:
        code = run_gui(tmp_path / "gui-data", [])
    finally:
        sys.excepthook, threading.excepthook = hook, thread_hook
        qapp.setStyleSheet(sheet)
        qapp.setQuitOnLastWindowClosed(True)
        for handler in logging.getLogger().handlers:
            if handler not in root_handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert code == 0
    assert found
    log_text = (tmp_path / "gui-data" / "logs" / LOG_FILENAME).read_text("utf-8")
    assert "starting" in log_text
    assert "database open" in log_text


def test_default_data_dir_is_the_platform_user_data_folder() -> None:
    path = default_data_dir()
    assert path.is_absolute()
    assert "mukta-desktop" in str(path)


# -- first run ----------------------------------------------------------------------------

def test_the_ulb_list_is_searchable_and_includes_the_state(
        qtbot: QtBot, opened: Opened, runner: Runner) -> None:
    dialog = first_run(qtbot, opened, runner)
    combo = dialog.tenant_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "Dhenkanal (od.dhenkanal)" in labels
    assert any(label.endswith("(od)") for label in labels)
    completer = combo.completer()
    assert completer is not None
    assert completer.filterMode() == Qt.MatchFlag.MatchContains
    combo.setEditText("dhenkanal")
    assert combo.tenant_code() == "od.dhenkanal"
    combo.setEditText("Dhenkanal (od.dhenkanal)")
    assert combo.tenant_code() == "od.dhenkanal"
    combo.setEditText("od.jatni")
    assert combo.tenant_code() == "od.jatni"


def test_creating_the_first_user_through_the_dialog(
        qtbot: QtBot, opened: Opened, runner: Runner) -> None:
    dialog = first_run(qtbot, opened, runner)
    fill_user(dialog)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=WAIT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    users = list_users(opened.db)
    assert [(u.login, u.name, u.tenant) for u in users] == [
        ("ssdas", "Sushree Sangita Das", "od.dhenkanal")]
    assert set(users[0].roles) == {"ESTIMATE_CREATOR", "MB_CREATOR"}
    assert dialog.actor == Actor("ssdas", "Sushree Sangita Das", "od.dhenkanal",
                                 frozenset({Role.ESTIMATE_CREATOR, Role.MB_CREATOR}))


def test_a_bad_login_is_shown_inline_naming_the_field(
        qtbot: QtBot, opened: Opened, runner: Runner) -> None:
    dialog = first_run(qtbot, opened, runner)
    fill_user(dialog, login="Bad Login!")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.create_error.isVisible(), timeout=WAIT)
    assert dialog.create_error.text().startswith("Login 'bad login!'")
    assert dialog.login_edit.property("invalid") is True
    assert dialog.isVisible()
    assert dialog.actor is None
    assert list_users(opened.db) == []
    assert not dialog.busy
    assert dialog.create_button.isEnabled()

    # Fixing the field clears the mark and the user is made.
    dialog.login_edit.setText("ssdas")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=WAIT)
    assert not dialog.login_edit.property("invalid")


@pytest.mark.parametrize(
    ("change", "field", "start"),
    [
        ({"confirm": "other"}, "confirm", "Confirm password:"),
        ({"password": "abc"}, "password", "Password:"),
        ({"roles": ()}, "roles", "Roles:"),
    ],
)
def test_other_refusals_are_shown_inline(
        qtbot: QtBot, opened: Opened, runner: Runner, change: dict[str, object], field: str,
        start: str) -> None:
    dialog = first_run(qtbot, opened, runner)
    fill_user(dialog, **change)  # type: ignore[arg-type]
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.create_error.isVisible(), timeout=WAIT)
    assert dialog.create_error.text().startswith(start)
    widget = {"confirm": dialog.confirm_edit, "password": dialog.password_edit,
              "roles": dialog.roles_box}[field]
    assert widget.property("invalid") is True
    assert list_users(opened.db) == []


def test_a_missing_ulb_is_refused_inline(qtbot: QtBot, opened: Opened, runner: Runner) -> None:
    dialog = first_run(qtbot, opened, runner)
    fill_user(dialog)
    dialog.tenant_combo.setCurrentIndex(-1)
    dialog.tenant_combo.setEditText("")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.create_error.text().startswith("ULB:")
    assert dialog.tenant_combo.property("invalid") is True
    dialog.tenant_combo.setEditText("Atlantis")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not in the Odisha tenant list" in dialog.create_error.text(),
                    timeout=WAIT)
    assert list_users(opened.db) == []


def test_load_the_demo_loads_it_and_signs_in_as_demo(
        qtbot: QtBot, opened: Opened, runner: Runner) -> None:
    dialog = first_run(qtbot, opened, runner)
    disclaimer = dialog.findChild(QLabel, "demoDisclaimer")
    assert disclaimer is not None
    assert disclaimer.text() == DEMO_DISCLAIMER
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.busy
    assert not dialog.create_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=WAIT)
    assert dialog.actor is not None
    assert dialog.actor.login == "demo"
    assert dialog.actor.roles == frozenset(Role)
    assert search_sors(opened.db, SorQuery(), TODAY).total == 16
    assert dialog.result() == QDialog.DialogCode.Accepted


# -- sign-in ------------------------------------------------------------------------------

def test_sign_in_wrong_password_then_right(qtbot: QtBot, demo: Opened, runner: Runner) -> None:
    dialog = SignInDialog(demo.db, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.login_edit.setText("demo")
    dialog.password_edit.setText("wrong")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert dialog.error.text() == "Login or password is not correct."
    assert dialog.password_edit.text() == ""
    assert dialog.actor is None
    assert dialog.isVisible()

    dialog.password_edit.setText("demo")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=WAIT)
    assert dialog.actor is not None
    assert dialog.actor.login == "demo"
    assert dialog.actor.tenant == "od.dhenkanal"
    assert QSettings().value(LAST_LOGIN_KEY) == "demo"


def test_sign_in_without_a_login_says_so(qtbot: QtBot, demo: Opened, runner: Runner) -> None:
    dialog = SignInDialog(demo.db, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Login: type your login."
    assert runner.pending == 0


# -- main window --------------------------------------------------------------------------

def test_main_window_shows_the_sor_section_menus_and_status(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    window = make_window(qtbot, demo, runner, data_dir)
    window.show()
    assert window.windowTitle() == "MUKTA Desktop — Demo Engineer (demo) (Dhenkanal)"
    sections = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert sections == ["Inbox", "Projects", "Work orders", "Measurement Books",
                        "Schedule of Rates", "Masters"]
    assert isinstance(window.current_section(), InboxSection)

    assert window.user_status.text() == "Demo Engineer (demo) · 9 roles"
    assert "State SOR administrator" in window.user_status.toolTip()
    assert window.ulb_status.text() == "Dhenkanal"
    assert window.database_status.full_text() == str(demo.db.path)
    assert str(demo.db.path) in window.database_status.toolTip()
    assert window.sync_status.text() == OFFLINE_TEXT == "Offline — sync not set up"

    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "Inbox", "Projects", "Work orders", "Measurement Books",
                     "Schedule of Rates", "Masters", "&Help"]
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    assert window.settings_action.shortcut() == QKeySequence("Ctrl+,")
    assert window.about_action.shortcut() == QKeySequence("F1")
    assert window.section_actions[0].shortcut() == QKeySequence("Ctrl+1")


def test_the_section_shortcuts_and_list_switch_sections(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    window = make_window(qtbot, demo, runner, data_dir, [SorSection, BlankSection])
    window.show()
    assert [a.text() for a in window.menuBar().actions()] == [
        "&File", "Schedule of Rates", "Blank", "&Help"]
    window.section_actions[1].trigger()
    assert isinstance(window.current_section(), BlankSection)
    assert window.stack.currentIndex() == 1
    assert window.navigation.currentRow() == 1
    window.navigation.setCurrentRow(0)
    assert window.stack.currentIndex() == 0
    assert window.section_actions[1].shortcut() == QKeySequence("Ctrl+2")


def test_the_busy_indicator_follows_the_runner(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    window = make_window(qtbot, demo, runner, data_dir)
    window.show()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT)  # the SOR section's search
    assert window.busy_indicator.isHidden()
    release = threading.Event()
    runner.submit(lambda: release.wait(WAIT / 1000))
    assert not window.busy_indicator.isHidden()
    release.set()
    qtbot.waitUntil(lambda: window.busy_indicator.isHidden(), timeout=WAIT)


def test_an_unhandled_worker_error_is_shown_in_plain_words(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    window = make_window(qtbot, demo, runner, data_dir)
    window.show()

    def fail() -> None:
        raise ValidationError("Rate: type a number.")

    runner.submit(fail)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=WAIT)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None
    assert box.text() == "Rate: type a number."


def test_geometry_and_section_are_restored(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    # The offscreen screen is 800 × 600: stay inside it, or Qt moves the window back in.
    window = make_window(qtbot, demo, runner, data_dir, [BlankSection, BlankSection])
    window.show()
    window.resize(640, 480)
    window.show_section(1)
    with qtbot.waitSignal(window.closed, timeout=WAIT):
        window.quit_action.trigger()
    assert QSettings().value("main_window/geometry") is not None
    again = make_window(qtbot, demo, runner, data_dir, [BlankSection, BlankSection])
    assert (again.width(), again.height()) == (640, 480)
    assert again.stack.currentIndex() == 1


def test_sign_out_and_quit_are_told_apart(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    window = make_window(qtbot, demo, runner, data_dir)
    window.show()
    with qtbot.waitSignal(window.signed_out, timeout=WAIT), \
            qtbot.assertNotEmitted(window.closed):
        window.sign_out_action.trigger()
    assert not window.isVisible()


def test_confirm_before_quitting_when_asked_for(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    Preferences(rows_per_page=200, confirm_quit=True).save()
    window = make_window(qtbot, demo, runner, data_dir)
    window.show()
    answers = iter([False, True])
    monkeypatch.setattr(window, "confirm_quit", lambda: next(answers))
    window.quit_action.trigger()
    assert window.isVisible()
    with qtbot.waitSignal(window.closed, timeout=WAIT):
        window.quit_action.trigger()
    assert not window.isVisible()


def test_settings_and_about_open_from_the_menu(
        qtbot: QtBot, demo: Opened, runner: Runner, data_dir: Path) -> None:
    window = make_window(qtbot, demo, runner, data_dir)
    window.show()
    window.settings_action.trigger()
    settings = window.findChild(SettingsDialog)
    assert settings is not None
    assert settings.isVisible()
    settings.reject()
    window.about_action.trigger()
    about = window.findChild(AboutDialog)
    assert about is not None
    assert about.isVisible()
    about.reject()


# -- settings -----------------------------------------------------------------------------

def test_settings_are_persisted_and_read_back(
        qtbot: QtBot, demo: Opened, data_dir: Path, private_settings: Path) -> None:
    log_file = log_file_path(data_dir)
    dialog = SettingsDialog(data_dir, demo.db.path, log_file)
    qtbot.addWidget(dialog)
    assert dialog.data_dir_field.text() == str(data_dir)
    assert dialog.database_field.text() == str(demo.db.path)
    assert dialog.log_field.text() == str(log_file)
    assert dialog.rows_spin.value() == 200
    assert not dialog.confirm_check.isChecked()
    assert (dialog.rows_spin.minimum(), dialog.rows_spin.maximum()) == (50, 1000)

    dialog.rows_spin.setValue(500)
    dialog.confirm_check.setChecked(True)
    dialog.accept()
    assert Preferences.load() == Preferences(rows_per_page=500, confirm_quit=True)
    assert list(private_settings.rglob("*.ini"))  # written under tmp_path

    # Read back from the file by a fresh QSettings, and shown by a new dialog.
    assert Preferences.load(QSettings()).rows_per_page == 500
    again = SettingsDialog(data_dir, demo.db.path, log_file)
    qtbot.addWidget(again)
    assert again.rows_spin.value() == 500
    assert again.confirm_check.isChecked()

    # Cancel keeps what was saved.
    again.rows_spin.setValue(1000)
    again.confirm_check.setChecked(False)
    again.reject()
    assert Preferences.load() == Preferences(rows_per_page=500, confirm_quit=True)


def test_out_of_range_or_broken_preferences_fall_back(qapp: QApplication) -> None:
    settings = QSettings()
    settings.setValue(ROWS_PER_PAGE_KEY, 5)
    assert Preferences.load().rows_per_page == 50
    settings.setValue(ROWS_PER_PAGE_KEY, 99999)
    assert Preferences.load().rows_per_page == 1000
    settings.setValue(ROWS_PER_PAGE_KEY, "lots")
    settings.setValue(CONFIRM_QUIT_KEY, "false")
    assert Preferences.load() == Preferences(rows_per_page=200, confirm_quit=False)


# -- about and logging ----------------------------------------------------------------------

def test_about_shows_the_version_paths_and_the_demo_disclaimer(
        qtbot: QtBot, data_dir: Path) -> None:
    db_path = data_dir / "mukta.sqlite3"
    log_file = log_file_path(data_dir)
    dialog = AboutDialog(data_dir, db_path, log_file)
    qtbot.addWidget(dialog)
    assert dialog.version_label.text() == f"Version {__version__}"
    text = dialog.details_text()
    for expected in (__version__, str(data_dir), str(db_path), str(log_file), "Qt", "PySide6",
                     "Python"):
        assert expected in text
    assert dialog.disclaimer.text() == (
        "Demo data is written by the MUKTA Desktop team and is not an official "
        "Schedule of Rates.")
    dialog.copy_details()
    assert QApplication.clipboard().text() == text


def test_unexpected_exceptions_are_logged_and_shown_in_plain_words(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    path = setup_logging(tmp_path)
    assert setup_logging(tmp_path) == path  # a second call adds no second handler
    added = [h for h in root.handlers if h not in before]
    try:
        assert len(added) == 1
        assert getattr(added[0], "maxBytes", None) == 1_000_000
        assert getattr(added[0], "backupCount", None) == 5
        shown: list[str] = []
        hook = make_excepthook(shown.append)
        try:
            raise KeyError("boom-4711")
        except KeyError as exc:
            hook(type(exc), exc, exc.__traceback__)
        try:
            raise ValidationError("Quantity: type a number.")
        except ValidationError as exc:
            hook(type(exc), exc, exc.__traceback__)
        for handler in added:
            handler.flush()
        assert shown[0].startswith("Something unexpected went wrong")
        assert "boom-4711" not in shown[0]
        assert shown[1] == "Quantity: type a number."
        text = path.read_text("utf-8")
        assert "boom-4711" in text
        assert "Traceback" in text
        assert path == tmp_path / "logs" / "mukta-desktop.log"
    finally:
        for handler in added:
            root.removeHandler(handler)
            handler.close()


def test_the_default_hook_shows_one_plain_words_box(qtbot: QtBot) -> None:
    hook = make_excepthook()
    for _ in range(2):  # a burst of failures shows one box, not a pile
        try:
            raise RuntimeError("internal detail")
        except RuntimeError as exc:
            hook(type(exc), exc, exc.__traceback__)

    def boxes() -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets()
                if w.objectName() == "unexpectedErrorBox" and w.isVisible()]

    qtbot.waitUntil(lambda: len(boxes()) == 1, timeout=WAIT)
    box = boxes()[0]
    assert isinstance(box, QMessageBox)
    assert box.text().startswith("Something unexpected went wrong")
    assert "internal detail" not in box.text()
    box.done(0)
    qtbot.waitUntil(lambda: not boxes(), timeout=WAIT)


def test_garbage_is_collected_on_the_gui_thread_only(qtbot: QtBot) -> None:
    """Automatic collection is off while the app runs; the GUI-thread timer collects."""
    import gc

    from mukta_desktop.ui.gc_control import GuiThreadCollector

    gc.enable()
    collector = GuiThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        garbage = []
        for _ in range(gc.get_threshold()[0] + 50):
            cycle: list[object] = []
            cycle.append(cycle)
            garbage.append(cycle)
        del garbage
        assert gc.get_count()[0] > gc.get_threshold()[0]
        qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()
    gc.disable()  # the autouse fixture re-enables it after the test
