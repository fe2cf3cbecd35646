"""Exports on a worker with a progress bar and Cancel (estimates and deviation statements).

The writer runs on the runner's thread pool. It reports progress through a callable that emits
a Qt signal (queued to the GUI thread, which moves the bar) and polls a `cancelled` callable
that reads the flag Cancel sets. A cancelled writer raises `reports.ExportCancelled` and leaves
no file behind. The writers (mukta_desktop.reports.*) are imported only when an export runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.deviation import Statement
from mukta_desktop.services.estimate_views import EstimateView

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, muted

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
ExportJob = Callable[[Path, Progress, Cancelled], None]

FOLDER_KEY = "exports/folder"
PDF = "pdf"
EXCEL = "xlsx"
KIND_LABELS = {PDF: "PDF", EXCEL: "Excel"}
_FILTERS = {PDF: "PDF documents (*.pdf)", EXCEL: "Excel workbooks (*.xlsx)"}
_ESTIMATE_WRITERS = {
    PDF: ("mukta_desktop.reports.estimate_pdf", "write_estimate_pdf"),
    EXCEL: ("mukta_desktop.reports.estimate_xlsx", "write_estimate_xlsx"),
}
_DEVIATION_WRITERS = {
    PDF: ("mukta_desktop.reports.deviation_pdf", "write_deviation_pdf"),
    EXCEL: ("mukta_desktop.reports.deviation_xlsx", "write_deviation_xlsx"),
}


# ---------------------------------------------------------------- writers, found lazily


def writer_available(module: str) -> bool:
    """Whether a report writer is part of this build (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def estimate_export_available(kind: str) -> bool:
    return writer_available(_ESTIMATE_WRITERS[kind][0])


def deviation_export_available(kind: str) -> bool:
    return writer_available(_DEVIATION_WRITERS[kind][0])


def load_writer(spec: tuple[str, str]) -> Callable[..., None]:
    """The writer function `spec` = (module, name) names, imported now."""
    module, name = spec
    function: Callable[..., None] = getattr(importlib.import_module(module), name)
    return function


def estimate_job(view: EstimateView, kind: str) -> ExportJob:
    """The export of an estimate as a PDF or an Excel workbook."""

    def job(path: Path, progress: Progress, cancelled: Cancelled) -> None:
        load_writer(_ESTIMATE_WRITERS[kind])(view, path, progress=progress, cancelled=cancelled)

    return job


def deviation_job(
    before: EstimateView, after: EstimateView, statement: Statement, kind: str
) -> ExportJob:
    """The export of a deviation statement as a PDF or an Excel workbook."""

    def job(path: Path, progress: Progress, cancelled: Cancelled) -> None:
        load_writer(_DEVIATION_WRITERS[kind])(
            before, after, statement, path, progress=progress, cancelled=cancelled
        )

    return job


def is_cancellation(exc: BaseException) -> bool:
    try:
        from mukta_desktop.reports import ExportCancelled
    except ImportError:
        return False
    return isinstance(exc, ExportCancelled)


def file_name(number: str, suffix: str, kind: str) -> str:
    """'ES/2026-27/000001' → 'ES-2026-27-000001.pdf' (a slash cannot be in a file name)."""
    stem = number.replace("/", "-") + (f" {suffix}" if suffix else "")
    return f"{stem}.{kind}"


def ask_save_path(parent: QWidget, caption: str, suggested: str, kind: str) -> Path | None:
    """The file to write, chosen by the user (the folder of the last export is remembered)."""
    settings = QSettings()
    folder = str(settings.value(FOLDER_KEY, "") or "") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    chosen, _ = QFileDialog.getSaveFileName(parent, caption, str(Path(folder) / suggested),
                                            _FILTERS[kind])
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != f".{kind}":
        path = path.with_name(path.name + f".{kind}")
    settings.setValue(FOLDER_KEY, str(path.parent))
    return path


# ---------------------------------------------------------------- running one export


class ExportRun:
    """One export's cancel flag and progress hook, shared with the worker thread.

    Pure Python apart from the signal object: `run()` is what the worker executes, and can be
    tested without a dialog."""

    def __init__(self, job: ExportJob, path: Path, progress: Progress | None = None) -> None:
        self.job = job
        self.path = path
        self._progress = progress
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)

    def run(self) -> Path:
        self.job(self.path, self.progress, self.cancelled)
        return self.path


class _ProgressSignals(QObject):
    """Lives on the GUI thread; emitted from the worker, so the slot runs queued on the GUI
    thread."""

    progress = Signal(int, int)


class ExportDialog(QDialog):
    """A progress bar and Cancel while an export runs; Open and Close when it is done.

    `state` is 'ready', 'running', 'cancelling', 'done', 'cancelled' or 'failed'."""

    exported = Signal(object)  # the Path written
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self,
        ctx: UiContext,
        title: str,
        job: ExportJob,
        path: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.ctx = ctx
        self.path = path
        self.state = "ready"
        self._signals = _ProgressSignals(self)
        self._signals.progress.connect(self._show_progress)
        self.run = ExportRun(job, path, self._signals.progress.emit)

        self.what = QLabel(f"Writing {path.name}")
        self.what.setObjectName("exportWhat")
        self.where = muted(QLabel(str(path.parent)))
        self.where.setObjectName("exportFolder")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setObjectName("exportProgress")
        self.bar.setRange(0, 0)  # busy until the writer reports its first step
        self.bar.setMinimumWidth(360)
        self.message = InlineMessage()
        self.message.setObjectName("exportMessage")
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("exportCancel")
        self.cancel_button.setToolTip("Stop the export; no file is left behind")
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("exportOpen")
        self.open_button.clicked.connect(self.open_file)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("exportClose")
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(self.where)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # ---------------------------------------------------------------- running
    def start(self) -> None:
        if self.state != "ready":
            return
        self.state = "running"

        def done(path: Path) -> None:
            if alive(self):
                self._done(path)

        def failed(exc: Exception) -> None:
            if not alive(self):
                if not is_cancellation(exc):
                    report(exc)
                return
            self._failed(exc)

        self.ctx.runner.submit(self.run.run, done, failed)

    def cancel(self) -> None:
        """Ask the writer to stop; the dialog closes once it has (the file is not left)."""
        if self.state == "ready":
            self.run.cancel()
            self.state = "cancelled"
            self.cancelled.emit()
            self.reject()
        elif self.state == "running":
            self.run.cancel()
            self.state = "cancelling"
            self.cancel_button.setEnabled(False)
            self.what.setText("Cancelling…")

    def _show_progress(self, done: int, total: int) -> None:
        if self.state not in ("running", "cancelling"):
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))

    def _done(self, path: Path) -> None:
        self.state = "done"
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.what.setText(f"Saved {path.name}")
        self.message.show_info(f"Saved to {path}")
        self._finished_buttons()
        self.open_button.show()
        self.close_button.setFocus()
        self.exported.emit(path)

    def _failed(self, exc: Exception) -> None:
        if is_cancellation(exc):
            self.state = "cancelled"
            self.cancelled.emit()
            self.reject()
            return
        report(exc)
        self.state = "failed"
        text = describe(exc)
        if isinstance(exc, ImportError):
            text = "This export is not part of this version of MUKTA Desktop yet."
        self.what.setText(f"{self.path.name} was not written")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.message.show_error(text)
        self._finished_buttons()
        self.failed.emit(text)

    def _finished_buttons(self) -> None:
        self.cancel_button.hide()
        self.close_button.show()

    # ---------------------------------------------------------------- closing
    def reject(self) -> None:
        """Escape or the window's close button while running cancels first."""
        if self.state in ("running", "cancelling"):
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.state in ("running", "cancelling"):
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def open_file(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))


def start_export(
    parent: QWidget, ctx: UiContext, title: str, job: ExportJob, path: Path
) -> ExportDialog:
    """Show the progress dialog (window-modal, not blocking) and start the export."""
    dialog = ExportDialog(ctx, title, job, path, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    dialog.start()
    return dialog
