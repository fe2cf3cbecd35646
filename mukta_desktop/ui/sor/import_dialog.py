"""Import SORs and rates from a MUKTA bulk-upload workbook or our JSON, and show the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.sor import STATE_TENANT

from ..context import UiContext
from ..widgets import InlineMessage, configure_table, date_edit, from_qdate, muted
from .base import SorDialog
from .models import ImportProblemsTableModel

if TYPE_CHECKING:
    from mukta_desktop.services.database import Database
    from mukta_desktop.services.users import Actor
    from mukta_desktop.sor_files.report import ImportReport

FILE_FILTER = "SOR files (*.xlsx *.xlsm *.json);;Excel workbooks (*.xlsx *.xlsm);;JSON (*.json)"


def run_import(
    db: Database, actor: Actor, path: Path, *, effective_from: date | None, tenant: str,
    today: date,
) -> ImportReport:
    """The importer, imported when first used (it is a large module)."""
    from mukta_desktop.services.sor_import import import_sor_file

    return import_sor_file(db, actor, path, effective_from=effective_from, tenant=tenant,
                           today=today)


class ImportDialog(SorDialog):
    """Choose a file, a tenant and optionally a date; import all of it or nothing."""

    imported = Signal(object)  # ImportReport (ok or refused)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Import SORs and rates", parent)
        self.setObjectName("importDialog")
        self.report: ImportReport | None = None
        today = ctx.today()

        intro = QLabel("Import the MUKTA SOR bulk-upload workbook (.xlsx) or a MUKTA Desktop "
                       "JSON export. Every row is checked first: if any row has a problem, "
                       "nothing at all is imported and every problem is listed below.")
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("path")
        self.path_edit.setPlaceholderText("Choose a file…")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.tenant = QComboBox()
        self.tenant.setObjectName("tenant")
        for code, label in self.tenant_choices():
            self.tenant.addItem(label, code)
        self.tenant.setEnabled(self.tenant.count() > 1)

        self.use_date = QCheckBox("Rates effective from")
        self.use_date.setObjectName("useDate")
        self.effective_from = date_edit(today)
        self.effective_from.setObjectName("effectiveFrom")
        self.effective_from.setEnabled(False)
        self.use_date.toggled.connect(self.effective_from.setEnabled)
        date_note = QLabel("(otherwise today; an official schedule may carry a past date, never "
                           "one before a SOR's latest rate)")
        date_note.setWordWrap(True)
        muted(date_note)
        date_row = QHBoxLayout()
        date_row.addWidget(self.use_date)
        date_row.addWidget(self.effective_from)
        date_row.addWidget(date_note, 1)

        file_label = QLabel("&File")
        file_label.setBuddy(self.path_edit)
        form = QFormLayout()
        form.addRow(file_label, path_row)
        form.addRow("Rates &for", self.tenant)
        form.addRow("Date", date_row)

        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        bold = QFont(self.summary.font())
        bold.setBold(True)
        self.summary.setFont(bold)
        self.outcome = InlineMessage()
        self.outcome.setObjectName("outcome")
        self.problems = ImportProblemsTableModel(parent=self)
        self.problems_view = QTableView()
        self.problems_view.setObjectName("problems")
        self.problems_view.setModel(self.problems)
        configure_table(self.problems_view, stretch_column=3, widths={0: 14, 1: 6, 2: 22})
        self.problems_view.setWordWrap(True)
        self.problems_view.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("importButton")
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        self.path_edit.textChanged.connect(self._refresh)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.outcome)
        layout.addWidget(self.problems_view, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 560)
        self._refresh()

    def browse(self) -> None:
        start = str(Path(self.path_edit.text()).parent) if self.path_edit.text() else ""
        chosen, _ = QFileDialog.getOpenFileName(self, "Choose an SOR file", start, FILE_FILTER)
        if chosen:
            self.path_edit.setText(chosen)

    def set_path(self, path: Path) -> None:
        self.path_edit.setText(str(path))

    def _refresh(self) -> None:
        self.import_button.setEnabled(not self.busy and bool(self.path_edit.text().strip()))

    def start_import(self) -> None:
        text = self.path_edit.text().strip()
        if self.busy or not text:
            return
        path = Path(text)
        ctx = self.ctx
        tenant = str(self.tenant.currentData() or STATE_TENANT)
        effective_from = from_qdate(self.effective_from.date()) if self.use_date.isChecked() \
            else None
        today = ctx.today()
        self.busy = True
        self._refresh()
        self.message.clear_message()
        self.outcome.clear_message()
        self.summary.setText(f"Importing {path.name}…")
        self.problems.set_rows(())
        self.problems_view.hide()
        self.run(lambda: run_import(ctx.db, ctx.actor, path, effective_from=effective_from,
                                    tenant=tenant, today=today),
                 self._done, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._refresh()
        self.summary.setText("")
        self.show_failure(exc)

    def _done(self, report: ImportReport) -> None:
        self.busy = False
        self._refresh()
        self.report = report
        self.summary.setText(report.summary())
        if report.ok:
            self.outcome.show_info("Imported. The SOR list shows the new SORs and rates.")
            self.problems_view.hide()
        else:
            self.outcome.show_error(
                f"Nothing was imported: {len(report.problems)} problem(s) in the file. Fix "
                "them and import the file again.")
            self.problems.set_rows(report.problems)
            self.problems_view.show()
            self.problems_view.resizeRowsToContents()
        self.imported.emit(report)
