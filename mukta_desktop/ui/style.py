"""The look shared by the shell's windows: one style, headings, inline error labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget

ERROR_COLOUR = "#b00020"
HINT_COLOUR = "#555555"

STYLESHEET = f"""
QLineEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 1px solid {ERROR_COLOUR};
    border-radius: 2px;
    padding: 2px;
}}
QGroupBox[invalid="true"] {{ color: {ERROR_COLOUR}; }}
QListWidget#navigation {{ font-size: 11pt; }}
QListWidget#navigation::item {{ padding: 6px 8px; }}
"""


def apply_style(app: QApplication) -> None:
    """Fusion everywhere (the same on Windows and Linux) with our few additions."""
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)


def heading(text: str, parent: QWidget | None = None, *, size_delta: float = 4.0) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() + size_delta)
    font.setBold(True)
    label.setFont(font)
    return label


def hint(text: str, parent: QWidget | None = None) -> QLabel:
    """Small grey explanatory text that wraps."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {HINT_COLOUR};")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def error_label(object_name: str, parent: QWidget | None = None) -> QLabel:
    """A red label for a refusal shown next to the form; hidden while it has no text."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label


def set_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Outline a field in red (through the stylesheet's [invalid="true"])."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
