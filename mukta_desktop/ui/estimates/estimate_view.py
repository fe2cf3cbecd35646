"""The estimate viewer: a read-only estimate with its timeline and the workflow panel.

Header (number, project, date, status, the estimate it revises), the lines, overheads and
totals, the timeline of who did what when, and the workflow panel with one button per action
the user may take. From here the creator edits (the editor), revises an approved estimate,
saves a template or copies the estimate; anyone may export it or, for a revision, see the
deviation statement.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.numbers import format_indian
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.estimate_views import EstimateView
from mukta_desktop.services.estimates import get_estimate
from mukta_desktop.services.revisions import estimate_in_force, revise

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, muted
from .deviation_view import DeviationStatementView
from .export import (
    EXCEL,
    KIND_LABELS,
    PDF,
    ExportDialog,
    ask_save_path,
    estimate_export_available,
    estimate_job,
    file_name,
    start_export,
)
from .models import EstimateLinesTableModel, HistoryTableModel, OverheadsTableModel, rupees
from .templates_dialog import CopyEstimateDialog, SaveTemplateDialog
from .workflow_panel import WorkflowPanel

T = TypeVar("T")
EDITOR_MODULE = "mukta_desktop.ui.estimates.editor"

STATUS_COLOURS = {
    Status.DRAFTED: "#616161",
    Status.PENDING_VERIFICATION: "#1565c0",
    Status.PENDING_TECHNICAL_SANCTION: "#1565c0",
    Status.PENDING_APPROVAL: "#1565c0",
    Status.PENDING_CORRECTION: "#e65100",
    Status.APPROVED: "#2e7d32",
    Status.REJECTED: "#b00020",
}
_BADGE = ("QLabel {{ background: {bg}; color: white; border-radius: 3px; padding: 2px 8px;"
          " font-weight: bold; }}")


def set_badge(label: QLabel, status: Status) -> None:
    label.setText(status.label)
    label.setStyleSheet(_BADGE.format(bg=STATUS_COLOURS[status]))


# ---------------------------------------------------------------- opening windows


def _raise(widget: QWidget) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()


def editor_available() -> bool:
    try:
        return importlib.util.find_spec(EDITOR_MODULE) is not None
    except (ImportError, ValueError):
        return False


def open_editor(
    ctx: UiContext,
    parent: QWidget,
    *,
    number: str | None = None,
    project_number: str | None = None,
    on_saved: Callable[[str], None] | None = None,
) -> QWidget | None:
    """Open the estimate editor in its own window (an open one for the same estimate is
    raised); None when this build has no editor."""
    try:
        from .editor import EstimateEditor
    except ImportError:
        return None
    if number is not None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, EstimateEditor) and widget.number == number \
                    and widget.isVisible():
                _raise(widget)
                return widget
    editor = EstimateEditor(ctx, number, project_number=project_number, parent=parent)
    editor.setWindowFlag(Qt.WindowType.Window)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.setWindowTitle(editor.title)
    editor.title_changed.connect(editor.setWindowTitle)
    if on_saved is not None:
        editor.saved.connect(on_saved)
    editor.resize(1280, 760)
    _raise(editor)
    return editor


def open_estimate(
    ctx: UiContext,
    number: str,
    parent: QWidget,
    *,
    on_changed: Callable[[str], None] | None = None,
) -> EstimateViewer:
    """Show estimate `number` in a viewer window (an open one is raised and reloaded)."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, EstimateViewer) and widget.number == number \
                and widget.isVisible():
            widget.reload()
            _raise(widget)
            return widget
    viewer = EstimateViewer(ctx, number, parent)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_changed is not None:
        viewer.changed.connect(on_changed)
    _raise(viewer)
    return viewer


# ---------------------------------------------------------------- the viewer


class EstimateViewer(QWidget):
    """Estimate `number`, read-only, in its own window.

    `loaded(EstimateView)` after each (re)load; `changed(number)` after anything that changed
    estimates (an action, a revision, a copy), so lists can refresh."""

    loaded = Signal(object)
    changed = Signal(str)

    def __init__(self, ctx: UiContext, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("estimateViewer")
        self.setWindowTitle(f"Estimate {number}")
        self.ctx = ctx
        self.number = number
        self.view: EstimateView | None = None
        self.in_force: str | None = None
        self.deviation: DeviationStatementView | None = None
        self.export_dialog: ExportDialog | None = None
        self.editor: QWidget | None = None
        self._generation = 0
        self._build()
        self.resize(1280, 800)
        self.reload()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        self.title = QLabel(f"Estimate {self.number}")
        self.title.setObjectName("viewerTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.badge = QLabel()
        self.badge.setObjectName("statusBadge")
        self.revision_label = QLabel()
        self.revision_label.setObjectName("revisionOf")
        self.subtitle = muted(QLabel("Loading…"))
        self.subtitle.setObjectName("viewerSubtitle")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = QLabel()
        self.description.setObjectName("viewerDescription")
        self.description.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addWidget(self.badge)
        title_row.addSpacing(8)
        title_row.addWidget(self.revision_label)
        title_row.addStretch(1)

        # Actions ------------------------------------------------------------------------
        self.edit_action = self._action("Edit", self.edit, "Ctrl+E",
                                        "Change the lines and measurements (creator only, "
                                        "while Drafted or Pending correction)")
        self.revise_action = self._action("Revise", self.revise, None,
                                          "Make a revised estimate (RE/…) of this approved "
                                          "estimate; this one stays as it is")
        self.deviation_action = self._action("Deviation statement", self.show_deviation, None,
                                             "This revision against the estimate it revises")
        self.pdf_action = self._action("Export PDF…", lambda: self.export(PDF), "Ctrl+P",
                                       "The detailed estimate as a PDF for printing")
        self.excel_action = self._action("Export Excel…", lambda: self.export(EXCEL), None,
                                         "The detailed estimate as an Excel workbook")
        self.template_action = self._action("Save as template…", self.save_as_template, None,
                                            "Keep these lines and measurements to start "
                                            "other estimates from")
        self.copy_action = self._action("Copy estimate…", self.copy_estimate, None,
                                        "A new draft with these lines, priced again")
        self.refresh_action = self._action("Refresh", self.reload, "F5",
                                           "Read the estimate again")
        self.toolbar = QToolBar("Estimate actions")
        self.toolbar.setObjectName("viewerToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.edit_action, self.revise_action, self.deviation_action,
                       self.pdf_action, self.excel_action, self.template_action,
                       self.copy_action, self.refresh_action):
            self.toolbar.addAction(action)
            self.addAction(action)
        for action in self._row_actions():
            action.setVisible(False)
        self.message = InlineMessage()
        self.message.setObjectName("viewerMessage")
        self.warnings = InlineMessage()
        self.warnings.setObjectName("viewerWarnings")

        # Lines, overheads, totals --------------------------------------------------------
        self.lines_model = EstimateLinesTableModel(parent=self)
        self.lines_table = QTableView()
        self.lines_table.setObjectName("viewerLines")
        self.lines_table.setModel(self.lines_model)
        configure_table(self.lines_table, stretch_column=2,
                        widths={0: 5, 1: 13, 3: 7, 4: 13, 5: 13, 6: 15})
        self.lines_table.setAccessibleName("Estimate lines")
        self.overheads_model = OverheadsTableModel(parent=self)
        self.overheads_table = QTableView()
        self.overheads_table.setObjectName("viewerOverheads")
        self.overheads_table.setModel(self.overheads_model)
        configure_table(self.overheads_table, stretch_column=0, widths={1: 24, 2: 15})
        self.overheads_table.setAccessibleName("Overheads")
        row_height = self.overheads_table.verticalHeader().defaultSectionSize()
        self.overheads_table.setMinimumHeight(row_height * 3 + 6)
        self.overheads_table.setMaximumHeight(row_height * 5 + 6)
        self.totals = QGroupBox("Totals")
        self.totals.setObjectName("viewerTotals")
        self.total_labels: dict[str, QLabel] = {}
        grid = QGridLayout(self.totals)
        rows = (("sor", "SOR items"), ("non_sor", "Non-SOR items"), ("overheads", "Overheads"),
                ("total", "Estimate total"), ("rupees", "In whole rupees"))
        for position, (key, text) in enumerate(rows):
            value = QLabel()
            value.setObjectName(f"total-{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(text)
            if key == "total":
                bold = QFont(value.font())
                bold.setBold(True)
                value.setFont(bold)
                caption.setFont(bold)
            grid.addWidget(caption, position, 0)
            grid.addWidget(value, position, 1)
            self.total_labels[key] = value
        grid.setColumnStretch(1, 1)
        self.totals.setMinimumWidth(300)
        # The words and the analysis are long: full-width lines under the tables.
        self.words = QLabel()
        self.words.setObjectName("totalInWords")
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.analysis = muted(QLabel())
        self.analysis.setObjectName("costAnalysis")
        self.analysis.setWordWrap(True)

        lower = QHBoxLayout()
        lower.addWidget(self.overheads_table, 1)
        lower.addWidget(self.totals, 0, Qt.AlignmentFlag.AlignTop)
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.addWidget(self.lines_table, 1)
        lines_layout.addLayout(lower)
        lines_layout.addWidget(self.words)
        lines_layout.addWidget(self.analysis)

        # Timeline -------------------------------------------------------------------------
        self.history_model = HistoryTableModel(parent=self)
        self.history_table = QTableView()
        self.history_table.setObjectName("viewerTimeline")
        self.history_table.setModel(self.history_model)
        configure_table(self.history_table, stretch_column=4,
                        widths={0: 17, 1: 20, 2: 22, 3: 40})
        self.history_table.setAccessibleName("Timeline")
        timeline_box = QWidget()
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Timeline — who did what, when")
        bold = QFont(caption.font())
        bold.setBold(True)
        caption.setFont(bold)
        timeline_layout.addWidget(caption)
        timeline_layout.addWidget(self.history_table, 1)

        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(lines_box)
        self.left.addWidget(timeline_box)
        self.left.setStretchFactor(0, 3)
        self.left.setStretchFactor(1, 1)
        self.left.setChildrenCollapsible(False)

        self.workflow = WorkflowPanel(self.ctx)
        self.workflow.setMinimumWidth(300)
        self.workflow.setMaximumWidth(420)
        self.workflow.acted.connect(self._acted)
        self.workflow.reload_requested.connect(self.reload)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.workflow)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.description)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.message)
        layout.addWidget(self.warnings)
        layout.addWidget(self.splitter, 1)
        self.left.setSizes([520, 200])

    def _action(self, text: str, slot: Callable[[], object], shortcut: str | None,
                tip: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(text.rstrip("…").lower().replace(" ", "-"))
        action.setToolTip(tip if shortcut is None
                          else f"{tip} ({QKeySequence(shortcut).toString()})")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        return action

    def _row_actions(self) -> tuple[QAction, ...]:
        return (self.edit_action, self.revise_action, self.deviation_action, self.pdf_action,
                self.excel_action, self.template_action, self.copy_action)

    # ---------------------------------------------------------------- loading and showing
    def _run(self, work: Callable[[], T], on_done: Callable[[T], None]) -> None:
        """Run `work` on the runner; refusals are shown inline, results dropped once closed."""

        def done(result: T) -> None:
            if alive(self):
                on_done(result)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self):
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(work, done, failed)

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        db, actor, number = self.ctx.db, self.ctx.actor, self.number

        def work() -> tuple[EstimateView, str | None]:
            view = get_estimate(db, number, viewer=actor)
            force = estimate_in_force(db, number) if view.status is Status.APPROVED else None
            return view, force

        def done(result: tuple[EstimateView, str | None]) -> None:
            if generation == self._generation:
                self.show_view(*result)

        self._run(work, done)

    def show_view(self, view: EstimateView, in_force: str | None = None) -> None:
        self.view = view
        self.number = view.number
        self.in_force = in_force
        self.setWindowTitle(f"Estimate {view.number} — {view.project.name}")
        kind = "Revised estimate" if view.revision_of else "Estimate"
        self.title.setText(f"{kind} {view.number}")
        set_badge(self.badge, view.status)
        self.revision_label.setText(
            f"Revision {view.revision_no} of {view.revision_of}" if view.revision_of else "")
        self.subtitle.setText(
            f"{view.project.number} — {view.project.name} · {view.tenant_name} · "
            f"dated {format_date(view.estimate_date)} · created by {view.created_by}")
        self.description.setText(view.description)
        self.description.setVisible(bool(view.description))

        self.lines_model.set_lines(view.lines)
        self.overheads_model.set_rows(view.overheads)
        labels = self.total_labels
        labels["sor"].setText(rupees(view.sor_total))
        labels["non_sor"].setText(rupees(view.non_sor_total))
        labels["overheads"].setText(rupees(view.overhead_total))
        labels["total"].setText(rupees(view.total))
        labels["rupees"].setText(f"₹ {format_indian(view.total_rupees, 0)}")
        self.words.setText(f"In words: {view.total_in_words}")
        a = view.analysis
        self.analysis.setText(f"Cost analysis: material {rupees(a.material)} · labour "
                              f"{rupees(a.labour)} · machinery {rupees(a.machinery)}")
        self.history_model.set_rows(view.history)
        self.history_table.resizeRowsToContents()
        if view.history:
            self.history_table.scrollToBottom()
        if view.warnings:
            self.warnings.show_hint("\n".join(view.warnings))
        else:
            self.warnings.clear_message()
        self.workflow.set_view(view)
        self._update_actions()
        self.loaded.emit(view)

    def _update_actions(self) -> None:
        view = self.view
        own_ulb = view is not None and view.tenant == self.ctx.actor.tenant
        creator = own_ulb and self.ctx.has(Role.ESTIMATE_CREATOR)
        self.edit_action.setVisible(view is not None and view.editable)
        self.revise_action.setVisible(
            creator and view is not None and view.status is Status.APPROVED
            and self.in_force == view.number)
        self.deviation_action.setVisible(view is not None and view.revision_of is not None)
        for kind, action in ((PDF, self.pdf_action), (EXCEL, self.excel_action)):
            action.setVisible(view is not None)
            available = estimate_export_available(kind)
            action.setEnabled(available)
            if not available:
                action.setToolTip(f"The {KIND_LABELS[kind]} export of estimates is not part "
                                  "of this version yet.")
        self.template_action.setVisible(creator)
        self.copy_action.setVisible(creator)
        if self.edit_action.isVisible() and not editor_available():
            self.edit_action.setEnabled(False)
            self.edit_action.setToolTip("The estimate editor is not part of this version yet.")

    def host(self) -> QWidget:
        """What windows opened from here belong to: the main window when the viewer has one.
        An editor is never the viewer's child: closing the viewer would destroy it without
        letting it save its last changes."""
        parent = self.parentWidget()
        return parent.window() if parent is not None else self

    def visible_actions(self) -> list[str]:
        """The texts of the toolbar's actions shown now (tests read them)."""
        return [a.text() for a in self._row_actions() if a.isVisible()]

    # ---------------------------------------------------------------- after changes
    def _acted(self, view: EstimateView) -> None:
        self.reload()  # the in-force estimate may have changed (an approved revision)
        self.show_view(view, self.in_force)
        self.changed.emit(view.number)

    def _editor_saved(self, number: str) -> None:
        if not alive(self):
            return
        if number == self.number:
            self.reload()
        self.changed.emit(number)

    # ---------------------------------------------------------------- actions
    def edit(self) -> QWidget | None:
        view = self.view
        if view is None or not view.editable:
            return None
        self.editor = open_editor(self.ctx, self.host(), number=view.number,
                                  on_saved=self._editor_saved)
        if self.editor is None:
            self.message.show_error("The estimate editor is not part of this version yet.")
        return self.editor

    def revise(self) -> None:
        view = self.view
        if view is None:
            return
        db, actor, today, number = self.ctx.db, self.ctx.actor, self.ctx.today(), view.number

        def done(revision: EstimateView) -> None:
            self.show_view(revision)
            self.message.show_info(
                f"{revision.number} is a new revision of {number}, as a draft. Change the "
                "quantities in the editor and give the reason for each change; then submit it.")
            self.changed.emit(revision.number)
            self.editor = open_editor(self.ctx, self.host(), number=revision.number,
                                      on_saved=self._editor_saved)

        self._run(lambda: revise(db, actor, number, today=today), done)

    def show_deviation(self) -> DeviationStatementView | None:
        view = self.view
        if view is None or view.revision_of is None:
            return None
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, DeviationStatementView) and widget.number == view.number \
                    and widget.isVisible():
                widget.reload()
                _raise(widget)
                self.deviation = widget
                return widget
        self.deviation = DeviationStatementView(self.ctx, view.number, self)
        self.deviation.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _raise(self.deviation)
        return self.deviation

    def export(self, kind: str, path: Path | None = None) -> ExportDialog | None:
        """Export to `path`, or to a file the user chooses; the progress dialog shows."""
        view = self.view
        if view is None or not estimate_export_available(kind):
            return None
        if path is None:
            path = ask_save_path(self, f"Export {view.number} as {KIND_LABELS[kind]}",
                                 file_name(view.number, "", kind), kind)
            if path is None:
                return None
        self.export_dialog = start_export(
            self, self.ctx, f"{view.number} — {KIND_LABELS[kind]}", estimate_job(view, kind),
            path)
        return self.export_dialog

    def save_as_template(self) -> SaveTemplateDialog | None:
        if self.view is None:
            return None
        dialog = SaveTemplateDialog(self.ctx, self.view, self)
        dialog.saved.connect(lambda info: self.message.show_info(
            f"Saved the template \u201c{getattr(info, 'name', '')}\u201d. Start an estimate from "
            "it in a project's view."))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def copy_estimate(self) -> CopyEstimateDialog | None:
        if self.view is None:
            return None
        dialog = CopyEstimateDialog(self.ctx, self.view, self)
        dialog.created.connect(self._copied)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _copied(self, created: object) -> None:
        view = cast(EstimateView, created)
        self.message.show_info(f"Copied into {view.number} (a draft of {view.project.number}).")
        self.changed.emit(view.number)
        if open_editor(self.ctx, self.host(), number=view.number) is None:
            open_estimate(self.ctx, view.number, self.host())
