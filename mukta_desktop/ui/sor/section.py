"""The Schedule of Rates section of the main window (placeholder until the screens land)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..context import UiContext


class SorSection(QWidget):
    """Search, view and administer SORs. `actions` are added to the main window's menu."""

    title = "Schedule of Rates"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actions_for_menu: list[QAction] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Schedule of Rates"))

    def refresh(self) -> None:
        """Reload data (after an import or sync)."""
