"""Help → About: versions and file locations (what a support call asks for first)."""

from __future__ import annotations

import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop import __version__

from .sign_in import DEMO_DISCLAIMER
from .style import heading, hint

APP_NAME = "MUKTA Desktop"


def about_facts(data_dir: Path, db_path: Path, log_file: Path) -> list[tuple[str, str]]:
    return [
        ("Version", __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("Data folder", str(data_dir)),
        ("Database file", str(db_path)),
        ("Log file", str(log_file)),
    ]


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, db_path: Path, log_file: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.facts = about_facts(data_dir, db_path, log_file)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(APP_NAME, self, size_delta=6))
        self.version_label = QLabel(f"Version {__version__}", self)
        self.version_label.setObjectName("versionLabel")
        layout.addWidget(self.version_label)
        layout.addWidget(hint(
            "Offline-first Schedule of Rates, estimates and Measurement Book for MUKTA works "
            "of the urban local bodies of Odisha.", self))

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, value in self.facts[1:]:
            label = QLabel(value, self)
            label.setObjectName(f"fact_{name.replace(' ', '_')}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(False)
            form.addRow(f"{name}:", label)
        layout.addLayout(form)

        self.disclaimer = hint(DEMO_DISCLAIMER, self)
        self.disclaimer.setObjectName("demoDisclaimer")
        layout.addWidget(self.disclaimer)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("Copy details", self)
        copy.setObjectName("copyDetailsButton")
        copy.setToolTip("Copy the versions and file locations, to paste into a support request.")
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def details_text(self) -> str:
        return "\n".join([APP_NAME, *(f"{name}: {value}" for name, value in self.facts)])

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details_text())
