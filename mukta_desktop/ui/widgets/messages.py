"""An inline message under a form: red for refusals, muted for hints, never a modal box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MUTED_STYLE = "color: #555555;"  # secondary text that still reads well on grey

_STYLES = {
    "error": "color: #b00020;",
    "info": "color: #1b5e20;",
    "hint": MUTED_STYLE,
}


def muted(label: QLabel) -> QLabel:
    """Secondary text: captions and notes."""
    label.setStyleSheet(MUTED_STYLE)
    return label


class InlineMessage(QLabel):
    """A word-wrapped label that hides itself when it has nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.kind = ""
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def show_hint(self, text: str) -> None:
        self._show(text, "hint")

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()

    def _show(self, text: str, kind: str) -> None:
        if not text:
            self.clear_message()
            return
        self.kind = kind
        self.setStyleSheet(_STYLES[kind])
        self.setText(text)
        self.show()
