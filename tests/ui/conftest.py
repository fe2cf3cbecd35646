"""Fixtures of the UI tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from sor_support import TODAY

from mukta_desktop.services.database import Database
from mukta_desktop.services.demo import load_demo


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """Python's cyclic GC can start on a worker thread while Qt deletes widgets on the GUI
    thread; PySide then traverses wrappers in mid-destruction and crashes. The application
    collects on the GUI thread only (mukta_desktop.ui.gc_control); the tests do the same."""
    gc.disable()
    yield
    gc.enable()
    gc.collect()


@pytest.fixture(autouse=True)
def private_settings(qapp: QApplication, tmp_path: Path) -> Iterator[Path]:
    """QSettings go to an INI file under tmp_path, never to the real user configuration."""
    folder = tmp_path / "qsettings"
    before = QSettings.defaultFormat()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder / scope.name))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QCoreApplication.setOrganizationName("MUKTA-test")
    QCoreApplication.setApplicationName("MUKTA Desktop test")
    yield folder
    QSettings.setDefaultFormat(before)


@pytest.fixture
def demo_db(db: Database) -> Database:
    load_demo(db, today=TODAY)
    return db
