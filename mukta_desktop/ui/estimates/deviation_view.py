"""The deviation statement of a revised estimate against the estimate it revises, on screen,
with its export to PDF and Excel."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.deviation import Statement
from mukta_desktop.domain.numbers import ZERO, format_indian
from mukta_desktop.services.estimate_views import EstimateView
from mukta_desktop.services.revisions import deviation_statement

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, muted
from .export import (
    EXCEL,
    KIND_LABELS,
    PDF,
    ExportDialog,
    ask_save_path,
    deviation_export_available,
    deviation_job,
    file_name,
    start_export,
)
from .models import DeviationTableModel


def _whole(value: Decimal) -> str:
    return f"₹ {format_indian(value, 0)}"


def net_text(statement: Statement) -> str:
    change = statement.total_change
    percent = statement.percent
    share = "" if percent is None else f" ({format_indian(abs(percent), 2)} %)"
    if change > ZERO:
        return f"Excess {_whole(change)}{share}"
    if change < ZERO:
        return f"Saving {_whole(-change)}{share}"
    return "Nil"


class DeviationStatementView(QWidget):
    """Opens the statement of revision `number`; `loaded` carries the Statement shown."""

    loaded = Signal(object)

    def __init__(self, ctx: UiContext, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("deviationView")
        self.setWindowTitle(f"Deviation statement — {number}")
        self.ctx = ctx
        self.number = number
        self.before: EstimateView | None = None
        self.after: EstimateView | None = None
        self.statement: Statement | None = None
        self.export_dialog: ExportDialog | None = None

        self.title = QLabel(f"Deviation statement of {number}")
        self.title.setObjectName("deviationTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.subtitle = muted(QLabel("Loading…"))
        self.subtitle.setObjectName("deviationSubtitle")
        self.subtitle.setWordWrap(True)
        self.pdf_button = QPushButton("Export PDF…")
        self.pdf_button.setObjectName("exportPdf")
        self.pdf_button.clicked.connect(lambda: self.export(PDF))
        self.excel_button = QPushButton("Export Excel…")
        self.excel_button.setObjectName("exportExcel")
        self.excel_button.clicked.connect(lambda: self.export(EXCEL))
        for kind, button in ((PDF, self.pdf_button), (EXCEL, self.excel_button)):
            button.setEnabled(False)
            if not deviation_export_available(kind):
                button.setToolTip(f"The {KIND_LABELS[kind]} export of deviation statements is "
                                  "not part of this version yet.")

        self.model = DeviationTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("deviationTable")
        self.table.setModel(self.model)
        configure_table(self.table, widths={0: 4, 1: 12, 2: 40, 3: 6, 4: 11, 5: 11, 6: 11,
                                            7: 11, 8: 11, 9: 13, 10: 13, 11: 10, 12: 12})
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Deviation statement")

        self.original_total = QLabel()
        self.original_total.setObjectName("originalTotal")
        self.revised_total = QLabel()
        self.revised_total.setObjectName("revisedTotal")
        self.less_total = QLabel()
        self.less_total.setObjectName("lessTotal")
        self.excess_total = QLabel()
        self.excess_total.setObjectName("excessTotal")
        self.net_total = QLabel()
        self.net_total.setObjectName("netTotal")
        bold = QFont(self.net_total.font())
        bold.setBold(True)
        self.net_total.setFont(bold)
        totals = QGridLayout()
        totals.addWidget(QLabel("Original estimate"), 0, 0)
        totals.addWidget(self.original_total, 0, 1, Qt.AlignmentFlag.AlignRight)
        totals.addWidget(QLabel("Revised estimate"), 1, 0)
        totals.addWidget(self.revised_total, 1, 1, Qt.AlignmentFlag.AlignRight)
        totals.addWidget(QLabel("Items less (saving)"), 0, 2)
        totals.addWidget(self.less_total, 0, 3, Qt.AlignmentFlag.AlignRight)
        totals.addWidget(QLabel("Items excess"), 1, 2)
        totals.addWidget(self.excess_total, 1, 3, Qt.AlignmentFlag.AlignRight)
        totals.addWidget(QLabel("Net"), 0, 4)
        totals.addWidget(self.net_total, 0, 5, Qt.AlignmentFlag.AlignRight)
        totals.setColumnMinimumWidth(1, 120)
        totals.setColumnMinimumWidth(3, 120)
        totals.setHorizontalSpacing(18)
        totals.setColumnStretch(6, 1)
        self.message = InlineMessage()
        self.message.setObjectName("deviationMessage")

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.pdf_button)
        header.addWidget(self.excel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.table, 1)
        layout.addLayout(totals)
        layout.addWidget(muted(QLabel(
            "Amounts in whole rupees. Extra items (only in the revision) are in italics; "
            "the reasons are the engineer's, typed in the revision.")))
        layout.addWidget(self.message)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        self.resize(1280, 620)
        self.reload()

    def reload(self) -> None:
        db, number = self.ctx.db, self.number

        def done(result: tuple[EstimateView, EstimateView, Statement]) -> None:
            if alive(self):
                self.show_statement(*result)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self):
                self.subtitle.setText("")
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: deviation_statement(db, number), done, failed)

    def show_statement(self, before: EstimateView, after: EstimateView,
                       statement: Statement) -> None:
        self.before, self.after, self.statement = before, after, statement
        self.title.setText(f"Deviation statement of {after.number} against {before.number}")
        self.subtitle.setText(
            f"{after.project.number} — {after.project.name} · {after.tenant_name}\n"
            f"Original {before.number} of {format_date(before.estimate_date)} "
            f"({before.status.label}); revision {after.number} of "
            f"{format_date(after.estimate_date)} ({after.status.label})")
        self.model.set_statement(statement)
        self.table.resizeRowsToContents()
        self.original_total.setText(_whole(statement.original_total))
        self.revised_total.setText(_whole(statement.revised_total))
        self.less_total.setText(_whole(statement.total_less))
        self.excess_total.setText(_whole(statement.total_excess))
        self.net_total.setText(net_text(statement))
        for kind, button in ((PDF, self.pdf_button), (EXCEL, self.excel_button)):
            button.setEnabled(deviation_export_available(kind))
        self.loaded.emit(statement)

    def export(self, kind: str, path: Path | None = None) -> ExportDialog | None:
        """Export to `path`, or to a file the user chooses."""
        if self.before is None or self.after is None or self.statement is None:
            return None
        if path is None:
            path = ask_save_path(self, f"Export the deviation statement as {KIND_LABELS[kind]}",
                                 file_name(self.after.number, "deviation", kind), kind)
            if path is None:
                return None
        job = deviation_job(self.before, self.after, self.statement, kind)
        self.export_dialog = start_export(
            self, self.ctx, f"Deviation statement of {self.after.number} — {KIND_LABELS[kind]}",
            job, path)
        return self.export_dialog
