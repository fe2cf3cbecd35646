"""Render the shell's windows offscreen to docs/screenshots/shell-*.png.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_shell.py
Uses a temporary data folder (with the demo loaded) and temporary settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from mukta_desktop.app import make_application, open_data
from mukta_desktop.services.demo import load_demo
from mukta_desktop.services.users import Actor
from mukta_desktop.ui.about_dialog import AboutDialog
from mukta_desktop.ui.background import Runner
from mukta_desktop.ui.context import UiContext
from mukta_desktop.ui.logging_setup import log_file_path
from mukta_desktop.ui.main_window import MainWindow
from mukta_desktop.ui.settings_dialog import SettingsDialog
from mukta_desktop.ui.sign_in import FirstRunDialog, SignInDialog, StartupSplash

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
TODAY = date(2026, 11, 21)


def wait_until(check: Callable[[], bool], seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, name: str) -> None:
    widget.show()
    for _ in range(5):
        QCoreApplication.processEvents()
    path = OUT / f"shell-{name}.png"
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="mukta-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
    app: QApplication = make_application([])
    # Paths in the pictures should look like a user's, not like a temporary folder.
    data_dir = tmp / "mukta-desktop"
    runner = Runner()

    splash = StartupSplash(data_dir)
    save(splash, "starting")
    splash.close()

    opened = open_data(data_dir)
    first = FirstRunDialog(opened.db, opened.masters, runner, lambda: TODAY)
    first.resize(first.sizeHint())
    save(first, "first-run")
    first.name_edit.setText("Sushree Sangita Das")
    first.login_edit.setText("S S Das")
    first.password_edit.setText("secret1")
    first.confirm_edit.setText("secret1")
    first.tenant_combo.select_code("od.dhenkanal")
    first.role_checks[next(iter(first.role_checks))].setChecked(True)
    first.create_first_user()
    wait_until(lambda: first.create_error.isVisible())
    save(first, "first-run-error")
    first.close()

    load_demo(opened.db, today=TODAY)
    sign_in = SignInDialog(opened.db, runner)
    sign_in.show()
    sign_in.login_edit.setText("demo")
    sign_in.password_edit.setText("wrong")
    sign_in.sign_in()
    wait_until(lambda: sign_in.error.isVisible())
    save(sign_in, "sign-in")
    sign_in.close()

    actor = Actor("demo", "Demo Engineer (demo)", "od.dhenkanal",
                  frozenset(r for r in first.role_checks))
    ctx = UiContext(opened.db, actor, opened.masters, runner, lambda: TODAY)
    window = MainWindow(ctx, data_dir=data_dir, log_file=log_file_path(data_dir))
    window.resize(1200, 760)
    save(window, "main-window")

    settings = SettingsDialog(data_dir, opened.db.path, log_file_path(data_dir), window)
    save(settings, "settings")
    settings.close()
    about = AboutDialog(data_dir, opened.db.path, log_file_path(data_dir), window)
    save(about, "about")
    about.close()
    window.close()
    runner.wait_for_idle()
    opened.db.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
