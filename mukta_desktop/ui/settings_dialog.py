"""Settings: where the data lives, and the user's preferences (kept in QSettings).

Other screens read preferences through `Preferences.load()` (for example
`Preferences.load().rows_per_page` for the page size of a search).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .style import hint

ROWS_PER_PAGE_KEY = "search/rows_per_page"
CONFIRM_QUIT_KEY = "general/confirm_quit"
ROWS_MIN = 50
ROWS_MAX = 1000
ROWS_DEFAULT = 200


def _to_bool(value: object) -> bool:
    if isinstance(value, str):  # INI files and some platforms hand back text
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _to_int(value: object, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True, slots=True)
class Preferences:
    rows_per_page: int = ROWS_DEFAULT
    confirm_quit: bool = False

    @classmethod
    def load(cls, settings: QSettings | None = None) -> Preferences:
        s = settings if settings is not None else QSettings()
        rows = _to_int(s.value(ROWS_PER_PAGE_KEY, ROWS_DEFAULT), ROWS_DEFAULT)
        return cls(rows_per_page=min(max(rows, ROWS_MIN), ROWS_MAX),
                   confirm_quit=_to_bool(s.value(CONFIRM_QUIT_KEY, False)))

    def save(self, settings: QSettings | None = None) -> None:
        s = settings if settings is not None else QSettings()
        s.setValue(ROWS_PER_PAGE_KEY, int(self.rows_per_page))
        s.setValue(CONFIRM_QUIT_KEY, bool(self.confirm_quit))
        s.sync()


def _path_field(path: Path, object_name: str, parent: QWidget) -> QLineEdit:
    field = QLineEdit(str(path), parent)
    field.setObjectName(object_name)
    field.setReadOnly(True)
    field.setCursorPosition(0)
    field.setToolTip(str(path))
    field.setMinimumWidth(420)
    return field


class SettingsDialog(QDialog):
    """OK saves the preferences; Cancel leaves them as they were."""

    def __init__(self, data_dir: Path, db_path: Path, log_file: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.data_dir = data_dir
        layout = QVBoxLayout(self)

        where = QGroupBox("Where your data is", self)
        form = QFormLayout(where)
        self.data_dir_field = _path_field(data_dir, "dataDirField", where)
        self.database_field = _path_field(db_path, "databaseField", where)
        self.log_field = _path_field(log_file, "logFileField", where)
        form.addRow("Data folder:", self.data_dir_field)
        form.addRow("Database file:", self.database_field)
        form.addRow("Log file:", self.log_field)
        open_row = QHBoxLayout()
        open_row.addWidget(hint("Back up the data folder to keep your work safe.", where), 1)
        open_button = QPushButton("Open data folder", where)
        open_button.setObjectName("openDataFolderButton")
        open_button.setAutoDefault(False)
        open_button.clicked.connect(self.open_data_folder)
        open_row.addWidget(open_button)
        form.addRow(open_row)
        layout.addWidget(where)

        prefs = QGroupBox("Preferences", self)
        pform = QFormLayout(prefs)
        self.rows_spin = QSpinBox(prefs)
        self.rows_spin.setObjectName("rowsPerPageSpin")
        self.rows_spin.setRange(ROWS_MIN, ROWS_MAX)
        self.rows_spin.setSingleStep(50)
        self.rows_spin.setSuffix(" rows")
        self.rows_spin.setMinimumWidth(110)
        self.rows_spin.setToolTip(f"From {ROWS_MIN} to {ROWS_MAX}; {ROWS_DEFAULT} unless changed.")
        self.confirm_check = QCheckBox("Ask before quitting MUKTA Desktop", prefs)
        self.confirm_check.setObjectName("confirmQuitCheck")
        rows_row = QHBoxLayout()
        rows_row.addWidget(self.rows_spin)
        rows_row.addWidget(hint("how many SORs a search shows at a time", prefs), 1)
        pform.addRow("Rows per page in search:", rows_row)
        pform.addRow("", self.confirm_check)
        layout.addWidget(prefs)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.setObjectName("buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons

        current = Preferences.load()
        self.rows_spin.setValue(current.rows_per_page)
        self.confirm_check.setChecked(current.confirm_quit)

    def preferences(self) -> Preferences:
        return Preferences(rows_per_page=self.rows_spin.value(),
                           confirm_quit=self.confirm_check.isChecked())

    def accept(self) -> None:
        self.preferences().save()
        super().accept()

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))
