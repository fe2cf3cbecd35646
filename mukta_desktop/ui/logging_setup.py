"""The log file, and what happens to an exception nobody caught.

Everything worth keeping goes to `<data dir>/logs/mukta-desktop.log` (1 MB, five old files
kept). An unexpected exception is written there in full; the user sees a message in plain
words, never a traceback.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .messages import describe

LOG_DIRNAME = "logs"
LOG_FILENAME = "mukta-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"

log = logging.getLogger("mukta_desktop")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def log_file_path(data_dir: Path) -> Path:
    return data_dir / LOG_DIRNAME / LOG_FILENAME


class _MuktaFileHandler(RotatingFileHandler):
    """Marks our handler so that setting up twice (tests, sign-out) does not add another."""


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    """Send log records of the whole process to the rotating log file; returns its path."""
    path = log_file_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _MuktaFileHandler):
            if Path(handler.baseFilename) == path.resolve():
                return path
            root.removeHandler(handler)
            handler.close()
    handler = _MuktaFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return path


_open_boxes: list[QMessageBox] = []


def _show_message(text: str) -> None:
    """A non-blocking warning box over the active window (nothing without a QApplication)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    # One box at a time: a burst of failures must not bury the screen in boxes.
    for widget in app.topLevelWidgets():
        if widget.objectName() == "unexpectedErrorBox" and widget.isVisible():
            return
    parent: QWidget | None = app.activeWindow()
    box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong", text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("unexpectedErrorBox")
    # Without a parent nothing else holds the box: keep it until it is closed.
    _open_boxes.append(box)
    box.finished.connect(lambda _result: _forget(box))
    box.open()


def _forget(box: QMessageBox) -> None:
    if box in _open_boxes:
        _open_boxes.remove(box)
    box.deleteLater()


def make_excepthook(show: Callable[[str], None] = _show_message) -> ExceptHook:
    """An excepthook that logs the exception and shows `describe(exc)` through `show`."""

    def hook(exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unhandled exception", exc_info=(exc_type, exc, tb))
        try:
            show(describe(exc))
        except Exception:  # the hook itself must never raise
            log.exception("could not show the error message")

    return hook


def install_excepthook(show: Callable[[str], None] = _show_message) -> ExceptHook:
    """Replace sys.excepthook (and the one for worker threads); returns the new hook."""
    hook = make_excepthook(show)
    sys.excepthook = hook

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        # Not on the GUI thread: log only (no widgets may be touched from here).
        if args.exc_value is not None:
            log.error("unhandled exception in thread %s",
                      getattr(args.thread, "name", "?"),
                      exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    threading.excepthook = thread_hook
    return hook
