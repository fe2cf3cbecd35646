"""Exports of an MB (PDF, Excel) with the estimate editor's background export: a progress bar
and Cancel, the writer on the runner, no file left behind when cancelled. The writers
(mukta_desktop.reports.mb_pdf / mb_xlsx) are imported only when an export runs."""

from __future__ import annotations

from pathlib import Path

from mukta_desktop.services.mb_views import MbView

from ..estimates.export import (
    EXCEL,
    PDF,
    Cancelled,
    ExportJob,
    Progress,
    load_writer,
    writer_available,
)

_MB_WRITERS = {
    PDF: ("mukta_desktop.reports.mb_pdf", "write_mb_pdf"),
    EXCEL: ("mukta_desktop.reports.mb_xlsx", "write_mb_xlsx"),
}


def mb_export_available(kind: str) -> bool:
    return writer_available(_MB_WRITERS[kind][0])


def mb_job(view: MbView, kind: str) -> ExportJob:
    """The export of an MB as a PDF or an Excel workbook."""

    def job(path: Path, progress: Progress, cancelled: Cancelled) -> None:
        load_writer(_MB_WRITERS[kind])(view, path, progress=progress, cancelled=cancelled)

    return job
