"""The sync indicator of the main window's status bar: online or offline, what waits to be
sent, the conflicts (a click opens them), the last successful sync in India time (or
"never"), the last error in plain words, and a progress bar while photos upload."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from ..estimates.models import india_time
from ..style import ERROR_COLOUR
from .controller import SyncView

OFFLINE_TEXT = "Offline — sync not set up"
NOT_SET_UP_TIP = ("Everything is kept on this computer. Sync with the head office server is "
                  "not set up yet (File → Connect to head office…).")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def waiting_text(view: SyncView) -> str:
    parts = []
    if view.pending_records:
        parts.append(plural(view.pending_records, "record"))
    if view.pending_photos:
        parts.append(plural(view.pending_photos, "photo"))
    return (" and ".join(parts) + " waiting") if parts else "nothing waiting"


def last_sync_text(view: SyncView) -> str:
    return "never" if view.last_success is None else india_time(view.last_success)


def status_text(view: SyncView) -> str:
    """The one line the status bar shows."""
    if not view.enrolled:
        return OFFLINE_TEXT
    if view.syncing:
        state = "Syncing…"
    elif view.stopped:
        state = "Sync stopped"
    else:
        state = "Online" if view.online else "Offline"
    return f"{state} · {waiting_text(view)} · last sync {last_sync_text(view)}"


def short_error(message: str) -> str:
    """The error for the status bar: without the technical detail in brackets (the tooltip
    has it all)."""
    return re.sub(r"\s*\([^()]*\)", "", message).strip()


def status_tooltip(view: SyncView) -> str:
    if not view.enrolled:
        return NOT_SET_UP_TIP
    lines = [
        f"Head office server: {view.server}",
        f"Waiting to be sent: {plural(view.pending_records, 'record')}, "
        f"{plural(view.pending_photos, 'photo')}",
        f"Conflicts: {view.conflicts}",
        f"Last successful sync: {last_sync_text(view)} (India time)",
    ]
    if view.last_error:
        lines.append(f"Last error: {view.last_error}")
    lines.append("Sync now: F9")
    return "\n".join(lines)


class _ErrorLabel(QLabel):
    """The last error, cut to the width it gets; the whole text in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._shown = ""
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setMinimumWidth(60)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._shown = short_error(text)
        self.setToolTip(text)
        self.setVisible(bool(text))
        self._fit()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        wanted = self.fontMetrics().horizontalAdvance(self._shown) + 8
        return QSize(min(wanted, 360), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        # The status bar's style pads its labels: elide to what is left inside.
        width = max(self.contentsRect().width() - 14, 20)
        self.setText(self.fontMetrics().elidedText(self._shown, Qt.TextElideMode.ElideRight,
                                                   width))


class SyncStatusWidget(QWidget):
    """Emits `conflicts_clicked` when the conflicts count is clicked."""

    conflicts_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatusWidget")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel(OFFLINE_TEXT, self)
        self.label.setObjectName("syncStatus")
        self.label.setToolTip(NOT_SET_UP_TIP)
        self.conflicts_button = QToolButton(self)
        self.conflicts_button.setObjectName("syncConflictsButton")
        self.conflicts_button.setAutoRaise(True)
        self.conflicts_button.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.conflicts_button.setToolTip("Changes the server did not take: open Sync conflicts")
        self.conflicts_button.clicked.connect(self.conflicts_clicked)
        self.conflicts_button.setVisible(False)
        self.error_label = _ErrorLabel(self)
        self.error_label.setObjectName("syncError")
        self.error_label.setVisible(False)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setRange(0, 1000)
        self.progress.setFixedSize(110, 14)
        self.progress.setFormat("Photos %p%")
        self.progress.setToolTip("Uploading site photos")
        self.progress.setVisible(False)
        layout.addWidget(self.label)
        layout.addWidget(self.conflicts_button)
        layout.addWidget(self.error_label, 1)
        layout.addWidget(self.progress)

    def show_view(self, view: SyncView) -> None:
        self.label.setText(status_text(view))
        self.label.setToolTip(status_tooltip(view))
        self.conflicts_button.setText(plural(view.conflicts, "conflict"))
        self.conflicts_button.setVisible(view.enrolled and view.conflicts > 0)
        self.error_label.set_full_text(view.last_error if view.enrolled else "")
        if not view.syncing:
            self.progress.setVisible(False)

    def show_progress(self, done: int, whole: int) -> None:
        if whole <= 0 or done >= whole:
            self.progress.setVisible(False)
            return
        self.progress.setValue(done * 1000 // whole)
        self.progress.setToolTip(f"Uploading site photos: {done // 1024:,} of {whole // 1024:,} KB")
        self.progress.setVisible(True)
