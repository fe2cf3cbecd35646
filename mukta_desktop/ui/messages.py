"""Showing refusals and failures in plain words; unexpected errors go to the log file."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from mukta_desktop.domain.errors import DomainError

log = logging.getLogger("mukta_desktop.ui")


def describe(exc: BaseException) -> str:
    """The words a user sees for an error: the rule's own message, or a plain apology."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, PermissionError | FileNotFoundError | IsADirectoryError):
        return f"The file could not be used: {exc.strerror or exc}."
    return ("Something unexpected went wrong and the action was not completed. "
            "Nothing was half-saved. The details are in the log file (Help → About).")


def report(exc: BaseException) -> None:
    """Log what the user was not shown in full (unexpected errors only)."""
    if not isinstance(exc, DomainError):
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))


# Boxes without a parent are kept here until closed: nothing else holds them, and a box
# Python no longer references is deleted before the user sees it.
_open_boxes: set[QMessageBox] = set()


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Not done") -> None:
    report(exc)
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, describe(exc), QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorBox")
    if parent is None:
        _open_boxes.add(box)
        box.finished.connect(lambda _result, box=box: _open_boxes.discard(box))
    box.open()
