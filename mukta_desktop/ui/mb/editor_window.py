"""The Measurement Book editor: one window for one MB.

Header: the MB's number and status, its work order, project, location and the estimate it is
measured against, the period (its end and the date of measurement are typed while the MB may be
edited), the MB history of the work order, and for an approved MB its content hash and the
previous approved MB's. Middle: every work-order item with estimate quantity, quantity up to
the previous MB, this MB, up to date, rate, amount and up-to-date amount; under it the selected
item's measurement rows, typed like a spreadsheet (the estimate editor's grid: keyboard, paste
from Excel, every edit undoable), with the estimate's rows to copy as a starting point. Right:
totals and the utilization statement, the workflow (actions, comment) and, in tabs, the site
photos and the timeline.

Every figure is live (document.py recomputes one row, its line, its ceiling group and the
running totals per keystroke); an item whose up-to-date quantity passes the estimate quantity
turns red and the message bar names it with both quantities, as the service will on submit.
Drafts save themselves (about 2 s after the last change, at least every 5 s while typing, on
Ctrl+S and on closing) through the editor's queue of service calls (editor_jobs.py): the GUI
thread never waits on the database, the disk, an export or a camera import.

Other screens call `open_mb_editor(ctx, number)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import INDIA, format_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.mb import Period
from mukta_desktop.domain.workflow import EDITABLE, Action, Status
from mukta_desktop.services.mb_views import MbView
from mukta_desktop.services.measurement_books import act_mb, get_mb

from ..context import UiContext
from ..estimates.editor import KEYS_HINT
from ..estimates.editor_models import MeasurementsTableModel as M
from ..estimates.editor_models import quantity_display
from ..estimates.estimate_view import set_badge
from ..estimates.export import EXCEL, KIND_LABELS, PDF, ask_save_path, file_name, start_export
from ..estimates.grid import FramingDelegate, MeasurementGrid
from ..estimates.models import HistoryTableModel
from ..estimates.workflow_panel import WorkflowPanel, WorkflowRecord
from ..messages import describe, show_error
from ..widgets import InlineMessage, alive, configure_table, date_edit, from_qdate, muted, to_qdate
from .document import MbDocLine, MbDocument
from .editor_jobs import SerialJobs
from .editor_models import LinesTableModel, MbHistoryTableModel, RowsTableModel, period_text
from .editor_panels import MbTotalsPanel
from .editor_save import DraftSaver
from .editor_undo import MbEditing
from .export import mb_export_available, mb_job
from .photos_panel import PhotosPanel

MB_WHO_NEXT = {
    Status.DRAFTED: "the creator (Submit)",
    Status.PENDING_VERIFICATION: "an MB verifier (AE/ME)",
    Status.PENDING_APPROVAL: "an MB approver (EE)",
    Status.PENDING_CORRECTION: "the creator (correct and Re-submit)",
}
MAX_CEILING_LINES = 4  # problems named in the message bar; the rest are counted
L = LinesTableModel


class MbWorkflowPanel(WorkflowPanel):
    """The estimate viewer's workflow panel over `act_mb`; an action first saves what is typed
    (through the editor's queue: the action runs after the save is back)."""

    def __init__(self, window: MbEditorWindow) -> None:
        super().__init__(window.ctx, act_service=act_mb, noun="MB", who_next=MB_WHO_NEXT)
        self.editor = window

    def submit(
        self,
        action: Action,
        comment: str,
        on_done: Callable[[WorkflowRecord], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self.editor.run_action(action, comment, on_done, on_error)


class MbEditorWindow(QMainWindow):
    """MB `number`: loaded on the runner (`loaded(MbView)` once shown), editable when the view
    says so (the creator, while Drafted or Pending correction), read-only otherwise."""

    loaded = Signal(object)  # the MbView shown, after each (re)load
    load_failed = Signal(object)  # the exception, when the MB could not be opened
    saved = Signal(str)  # the MB's number, after each save
    changed = Signal(str)  # after an action or a photo: lists may refresh
    closed = Signal()

    def __init__(self, ctx: UiContext, number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mbEditor")
        self.setWindowTitle(f"MB {number}")
        self.ctx = ctx
        self.number = number
        self.view: MbView | None = None
        self.read_only = True
        self.loading = True
        self.version: int | None = None  # of the MB as loaded or last saved here
        self._close_when_saved = False
        self._discard = False
        self._ceiling_text = ""
        self.question: QMessageBox | None = None
        self.export_dialog: QDialog | None = None
        self.jobs = SerialJobs(ctx.runner, self)
        self.saver = DraftSaver(self, self.jobs, self)
        today = ctx.today()
        self.editing = MbEditing(MbDocument(Period(today, today), today), self)
        self._build()
        self._connect()
        self._set_read_only(True)
        self.resize(1440, 900)
        self.reload()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        editing = self.editing
        # Actions --------------------------------------------------------------------------
        self.save_action = self._action("Save", self.save_now, "Ctrl+S",
                                        "Save the draft now (it also saves itself)")
        self.undo_action = editing.stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = editing.stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.copy_line_action = self._action(
            "Copy rows from the estimate", self.copy_line_rows, "Ctrl+Shift+E",
            "Put the estimate's measurement rows of the selected line in place of this MB's "
            "rows (Ctrl+Z undoes)")
        self.copy_all_action = self._action(
            "Copy rows for all lines", self.copy_all_rows, None,
            "Copy the estimate's measurement rows into every line this MB has not measured "
            "yet (lines already measured are kept; Ctrl+Z undoes)")
        self.pdf_action = self._action("Export PDF…", lambda: self.export(PDF), "Ctrl+P",
                                       "The MB as a PDF for printing")
        self.excel_action = self._action("Export Excel…", lambda: self.export(EXCEL), None,
                                         "The MB as an Excel workbook")
        self.toolbar = QToolBar("MB actions")
        self.toolbar.setObjectName("mbToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.save_action, self.undo_action, self.redo_action):
            self.toolbar.addAction(action)
        # The editing groups (and their separators) are shown only while the MB is editable.
        self.edit_separators = [self.toolbar.addSeparator()]
        self.toolbar.addAction(self.copy_line_action)
        self.toolbar.addAction(self.copy_all_action)
        self.edit_separators.append(self.toolbar.addSeparator())
        self.toolbar.addAction(self.pdf_action)
        self.toolbar.addAction(self.excel_action)
        self.addToolBar(self.toolbar)

        # Header ---------------------------------------------------------------------------
        self.title_label = _heading(f"Measurement Book {self.number}", "mbTitle")
        self.badge = QLabel()
        self.badge.setObjectName("statusBadge")
        self.save_label = QLabel()
        self.save_label.setObjectName("saveState")
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addWidget(self.badge)
        title_row.addStretch(1)
        title_row.addWidget(self.save_label)

        self.work_order_label = self._info("mbWorkOrder")
        self.project_label = self._info("mbProject")
        self.location_label = self._info("mbLocation")
        self.estimate_label = self._info("mbEstimate")
        self.period_start_label = QLabel()
        self.period_start_label.setObjectName("periodStart")
        today = self.ctx.today()
        self.period_end_edit: QDateEdit = date_edit(today)
        self.period_end_edit.setObjectName("periodEnd")
        self.period_end_edit.setToolTip("The last day this MB measures (the next MB starts the "
                                        "day after)")
        self.measured_edit: QDateEdit = date_edit(today)
        self.measured_edit.setObjectName("measurementDate")
        self.measured_edit.setToolTip("The day the work was measured: in the period, not in the "
                                      "future")
        period_row = QHBoxLayout()
        period_row.setContentsMargins(0, 0, 0, 0)
        period_row.setSpacing(8)
        period_row.addWidget(self.period_start_label)
        period_row.addWidget(QLabel("to"))
        period_row.addWidget(self.period_end_edit)
        period_row.addSpacing(16)
        period_row.addWidget(QLabel("Date of measurement"))
        period_row.addWidget(self.measured_edit)
        period_row.addStretch(1)
        self.hash_label = self._info("contentHash")
        self.previous_hash_label = self._info("previousHash")
        for label in (self.hash_label, self.previous_hash_label):
            mono = QFont("monospace")
            mono.setStyleHint(QFont.StyleHint.Monospace)
            label.setFont(mono)
        self.hash_caption = QLabel("Content hash")
        self.previous_hash_caption = QLabel("Previous hash")

        info = QGridLayout()
        info.setContentsMargins(0, 0, 0, 0)
        info.setHorizontalSpacing(12)
        info.setVerticalSpacing(1)
        rows: list[tuple[str | QLabel, QWidget | QHBoxLayout]] = [
            ("Work order", self.work_order_label),
            ("Project", self.project_label),
            ("Location", self.location_label),
            ("Measured against", self.estimate_label),
            ("Period", period_row),
            (self.hash_caption, self.hash_label),
            (self.previous_hash_caption, self.previous_hash_label),
        ]
        for row, (caption, value) in enumerate(rows):
            label = caption if isinstance(caption, QLabel) else muted(QLabel(caption))
            info.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)
            if isinstance(value, QHBoxLayout):
                info.addLayout(value, row, 1)
            else:
                info.addWidget(value, row, 1)
        info.setColumnStretch(1, 1)

        self.history_model = MbHistoryTableModel(self)
        self.history_table = QTableView()
        self.history_table.setObjectName("mbHistory")
        self.history_table.setModel(self.history_model)
        configure_table(self.history_table, stretch_column=2,
                        widths={0: 19, 1: 12, 3: 13, 4: 19})
        self.history_table.setAccessibleName("MB history of the work order")
        row_height = self.history_table.verticalHeader().defaultSectionSize()
        self.history_table.setFixedHeight(row_height * 4 + 4)
        self.history_table.setMinimumWidth(620)
        header = QHBoxLayout()
        header.addLayout(info, 1)
        header.addSpacing(16)
        header.addWidget(_stack(QLabel("<b>MB history of the work order</b>"),
                                self.history_table, (QWidget(), 1)))

        self.banner = InlineMessage()
        self.banner.setObjectName("mbBanner")
        self.ceiling_message = InlineMessage()
        self.ceiling_message.setObjectName("ceilingMessage")
        self.ceiling_message.setStyleSheet("")

        # Lines and rows -------------------------------------------------------------------
        self.lines_table = QTableView()
        self.lines_table.setObjectName("mbLines")
        self.lines_table.setModel(editing.lines_model)
        configure_table(self.lines_table, stretch_column=L.DESCRIPTION,
                        widths={L.NUMBER: 4, L.CODE: 12, L.UNIT: 5, L.ESTIMATE: 11,
                                L.PREVIOUS: 13, L.THIS_MB: 10, L.UP_TO_DATE: 10, L.RATE: 11,
                                L.AMOUNT: 12, L.UP_TO_DATE_AMOUNT: 16})
        self.lines_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # The up-to-date cell of an item over its ceiling: framed in red, selected or not.
        self.lines_table.setItemDelegateForColumn(
            L.UP_TO_DATE, FramingDelegate(self._over_ceiling, self.lines_table))
        self.lines_table.installEventFilter(self)
        self.lines_table.setAccessibleName("MB lines")
        self.lines_caption = QLabel()
        self.lines_caption.setObjectName("linesCaption")
        lines_box = _stack(self.lines_caption, (self.lines_table, 1))

        self.grid = MeasurementGrid(editing)
        self.grid.setAccessibleName("This MB's measurements of the selected line")
        self.grid_caption = QLabel()
        self.grid_caption.setObjectName("gridCaption")
        self.grid_caption.setWordWrap(True)
        self.copy_line_button = QPushButton("Copy rows from the estimate")
        self.copy_line_button.setObjectName("copyLineRows")
        self.copy_line_button.setToolTip(self.copy_line_action.toolTip())
        self.copy_line_button.clicked.connect(self.copy_line_rows)
        self.copy_all_button = QPushButton("… for all lines")
        self.copy_all_button.setObjectName("copyAllRows")
        self.copy_all_button.setToolTip(self.copy_all_action.toolTip())
        self.copy_all_button.clicked.connect(self.copy_all_rows)
        self.grid_message = InlineMessage()
        self.grid_message.setObjectName("gridMessage")
        self.keys_hint = muted(QLabel(KEYS_HINT))
        self.keys_hint.setWordWrap(True)
        grid_head = QHBoxLayout()
        grid_head.addWidget(self.grid_caption, 1)
        grid_head.addWidget(self.copy_line_button)
        grid_head.addWidget(self.copy_all_button)
        grid_box = _stack(grid_head, (self.grid, 1), self.grid_message, self.keys_hint)
        self.middle = _split(Qt.Orientation.Vertical, (lines_box, 1), (grid_box, 1))

        # Right: totals, workflow, photos, timeline ------------------------------------------
        self.totals = MbTotalsPanel()
        totals_box = QGroupBox("Totals and utilization")
        QVBoxLayout(totals_box).addWidget(self.totals)
        self.workflow = MbWorkflowPanel(self)
        self.workflow.comment.setMaximumHeight(self.fontMetrics().lineSpacing() * 2 + 14)
        self.photos = PhotosPanel(self.ctx, self.jobs)
        self.timeline_model = HistoryTableModel(parent=self)
        self.timeline_table = QTableView()
        self.timeline_table.setObjectName("mbTimeline")
        self.timeline_table.setModel(self.timeline_model)
        configure_table(self.timeline_table, widths={0: 15, 1: 15, 2: 16, 3: 30, 4: 30})
        # In the narrow side panel the comment (why it was sent back) comes before the status.
        self.timeline_table.horizontalHeader().moveSection(4, 3)
        self.timeline_table.setAccessibleName("Timeline")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mbTabs")
        self.tabs.addTab(self.photos, "Site photos")
        self.tabs.addTab(self.timeline_table, "Timeline")
        # Scrolls rather than pushing the window taller than the screen.
        right = QScrollArea()
        right.setObjectName("mbSide")
        right.setWidget(_stack(totals_box, self.workflow, (self.tabs, 1)))
        right.setWidgetResizable(True)
        right.setFrameShape(QFrame.Shape.NoFrame)
        right.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right.setMinimumWidth(460)

        self.body = _split(Qt.Orientation.Horizontal, (self.middle, 1), (right, 0))
        self.body.setObjectName("mbBody")
        self.body.setSizes([960, 470])
        self.setCentralWidget(_stack(title_row, header, self.banner, self.ceiling_message,
                                     (self.body, 1), margins=9))

        for kind, action in ((PDF, self.pdf_action), (EXCEL, self.excel_action)):
            if not mb_export_available(kind):
                action.setEnabled(False)
                action.setToolTip(f"The {KIND_LABELS[kind]} export of MBs is not part of this "
                                  "version yet.")

    def _info(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _action(self, text: str, slot: Any, shortcut: str | None, tip: str) -> QAction:
        """A window action (its keys work anywhere in the window; the tooltip names them)."""
        action = QAction(text, self)
        action.setObjectName(text.rstrip("…").lower().replace(" ", "-"))
        keys = QKeySequence(shortcut or "")
        if not keys.isEmpty():
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tip = f"{tip} ({keys.toString()})"
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _connect(self) -> None:
        editing = self.editing
        editing.changed.connect(self._document_changed)
        editing.figures_changed.connect(self._figures_changed)
        editing.focus_requested.connect(self._focus_requested)
        editing.header_changed.connect(self._header_changed)
        self.grid.say_in(self.grid_message)
        self.saver.saved.connect(self._saved)
        self.saver.failed.connect(self._save_failed)
        self.saver.state_changed.connect(self._show_save_state)
        self.lines_table.selectionModel().currentRowChanged.connect(self._current_line_changed)
        self.lines_table.doubleClicked.connect(lambda _index: self._focus_grid())
        self.period_end_edit.dateChanged.connect(self._period_edited)
        self.measured_edit.dateChanged.connect(self._period_edited)
        self.workflow.acted.connect(self._acted)
        self.workflow.reload_requested.connect(self._reload_if_saved)
        self.photos.photos_changed.connect(self._photos_changed)

    # ---------------------------------------------------------------- properties
    @property
    def document(self) -> MbDocument:
        return self.editing.document

    @property
    def lines_model(self) -> LinesTableModel:
        return self.editing.lines_model

    @property
    def rows_model(self) -> RowsTableModel:
        return self.editing.measurements_model

    def may_save(self) -> bool:
        return not self.read_only and not self.loading

    def is_dirty(self) -> bool:
        return self.saver.dirty()

    def has_unsaved_changes(self) -> bool:
        return not self.read_only and (self.saver.dirty() or self.saver.busy())

    # ---------------------------------------------------------------- loading
    def reload(self) -> None:
        """Read the MB again (on the runner, after any save in progress)."""
        db, actor, number = self.ctx.db, self.ctx.actor, self.number
        if self.view is None:
            self.banner.show_hint("Loading…")
        self.jobs.submit(lambda: lambda: get_mb(db, number, viewer=actor), self.show_view,
                         self._load_failed)

    def _reload_if_saved(self) -> None:
        if not self.has_unsaved_changes():
            self.reload()

    def _load_failed(self, exc: Exception) -> None:
        if self.view is None:
            self.loading = False
            self.banner.show_error(f"{self.number} could not be opened: {describe(exc)}")
            self.load_failed.emit(exc)
        else:
            self.banner.show_error(f"{self.number} could not be read again: {describe(exc)}")

    def show_view(self, view: MbView) -> None:
        """Show the MB as the service returned it: the document and its models are built from
        the view (on the GUI thread: this is what the load budget measures)."""
        self.view = view
        self.number = view.number
        self.version = view.version
        document = MbDocument.from_lines(view.period, view.measurement_date, view.remarks,
                                         view.lines)
        self.loading = False
        self.editing.set_document(document)
        self.saver.reset(document.revision)
        self._set_read_only(not view.editable)
        self.setWindowTitle(f"MB {view.number} — {view.project.name}")
        self.title_label.setText(f"Measurement Book {view.number}")
        set_badge(self.badge, view.status)
        order = view.work_order
        self.work_order_label.setText(
            f"{order.number} · {order.organisation} · {format_date(order.start_date)} to "
            f"{format_date(order.end_date)}")
        self.project_label.setText(f"{view.project.number} — {view.project.name} · "
                                   f"{view.tenant_name}")
        self.location_label.setText(view.location or "—")
        previous = f" · previous MB {view.previous_mb}" if view.previous_mb else " · first MB"
        self.estimate_label.setText(f"{view.estimate_number}{previous} · created by "
                                    f"{view.created_by_name}")
        self._show_hashes(view)
        self.history_model.set_history(view.mb_history, view.number)
        self.timeline_model.set_rows(view.history)
        if view.history:
            self.timeline_table.scrollToBottom()
        self.photos.set_view(view)
        self.workflow.set_view(view)
        self._header_changed()
        if view.editable:
            notes = [w for w in view.warnings if "in force now" in w]
            if notes:
                self.banner.show_hint(" ".join(notes))
            else:
                self.banner.clear_message()
        else:
            self.banner.show_hint(self._read_only_reason(view))
        self._show_save_state()
        if document.items:
            self.select_line(document.items[0])
        self.loaded.emit(view)

    def _show_hashes(self, view: MbView) -> None:
        approved = view.status is Status.APPROVED
        self.hash_label.setText(view.content_hash or "")
        self.previous_hash_label.setText(
            view.previous_hash or "none: the first approved MB of the work order")
        for widget in (self.hash_caption, self.hash_label, self.previous_hash_caption,
                       self.previous_hash_label):
            widget.setVisible(approved)

    def _read_only_reason(self, view: MbView) -> str:
        base = f"{view.number} is {view.status.label}: it is shown read-only."
        if view.status is Status.APPROVED:
            approved = ""
            if view.approved_at is not None:
                at = view.approved_at.astimezone(INDIA)
                approved = f" on {at:%d/%m/%Y} at {at:%H:%M}"
            return (f"{view.number} was approved{approved}: it never changes. Its content "
                    "hash is shown below the period.")
        if view.status not in EDITABLE:
            return f"{base} Only a Drafted or Pending correction MB can be changed."
        if view.created_by != self.ctx.actor.login:
            return f"{base} Only its creator ({view.created_by_name}) may change it."
        return f"{base} Changing it needs the MB_CREATOR role."

    def _set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        editable = not read_only and not self.loading
        self.editing.set_editable(editable)
        for action in (self.save_action, self.undo_action, self.redo_action,
                       self.copy_line_action, self.copy_all_action):
            action.setEnabled(editable)
            action.setVisible(editable)
        if not editable:
            # QUndoStack's actions re-enable themselves with the stack; the cleared stack
            # keeps them off.
            self.undo_action.setEnabled(False)
            self.redo_action.setEnabled(False)
        for widget in (self.copy_line_button, self.copy_all_button, self.keys_hint):
            widget.setVisible(editable)
        for separator in self.edit_separators:
            separator.setVisible(editable)
        self.period_end_edit.setEnabled(editable)
        self.measured_edit.setEnabled(editable)
        self.grid.set_read_only(not editable)
        if not editable:
            self.saver.stop()

    # ---------------------------------------------------------------- lines
    def select_line(self, line: MbDocLine | None) -> None:
        if line is None:
            self.lines_table.selectionModel().clearSelection()
            self.rows_model.set_line(None)
            self._show_line_caption()
            return
        index = self.lines_model.index(self.document.index_of(line), L.DESCRIPTION)
        self.lines_table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.lines_table.scrollTo(index)
        self.rows_model.set_line(line)
        self._show_line_caption()

    def _over_ceiling(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        line = self.lines_model.line_at(index.row())
        return line is not None and self.document.ceiling_problem(line) is not None

    def current_line(self) -> MbDocLine | None:
        index = self.lines_table.currentIndex()
        return self.lines_model.line_at(index.row()) if index.isValid() else None

    def _current_line_changed(self, *_: object) -> None:
        self.rows_model.set_line(self.current_line())
        self.grid_message.clear_message()
        self._show_line_caption()

    def _show_line_caption(self) -> None:
        line = self.current_line()
        self.copy_line_button.setEnabled(line is not None and bool(line.estimate_rows))
        self.copy_line_action.setEnabled(self.copy_line_button.isEnabled()
                                         and not self.read_only)
        if line is None:
            self.grid_caption.setText("Measurements: choose a line above.")
            return
        estimate_rows = len(line.estimate_rows)
        offer = (f" · the estimate has {estimate_rows} row{'s' if estimate_rows != 1 else ''}"
                 if estimate_rows else " · the estimate has no rows for it")
        self.grid_caption.setText(
            f"<b>This MB's measurements of line {line.position}</b> — "
            f"{line.sor_code or 'Non-SOR'} ({line.unit}) · this MB "
            f"<b>{quantity_display(line.quantity)}</b>{offer}")

    def _focus_grid(self) -> None:
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.grid.currentIndex().isValid():
            self.grid.go_to(0, M.NUMBER)

    def copy_line_rows(self) -> int:
        line = self.current_line()
        if line is None or self.read_only:
            return 0
        replaced = len(line.rows)
        if not self.editing.copy_estimate_rows([line], replace=True):
            self.grid_message.show_hint("This MB's rows of the line are the estimate's already."
                                        if line.estimate_rows else
                                        "The estimate has no measurement rows for this line.")
            return 0
        kept = f" in place of {replaced} row{'s' if replaced != 1 else ''}" if replaced else ""
        self.grid_message.show_info(
            f"Copied the estimate's {len(line.estimate_rows)} rows into line {line.position}"
            f"{kept}: change them to what was measured (Ctrl+Z undoes).")
        self._focus_grid()
        return 1

    def copy_all_rows(self) -> int:
        if self.read_only:
            return 0
        lines = self.document.items
        count = self.editing.copy_estimate_rows(lines, replace=False)
        measured = sum(1 for line in lines if line.rows) - count
        if not count:
            self.grid_message.show_hint("Every line is measured already or has no estimate "
                                        "rows: nothing was copied.")
            return 0
        kept = f"; {measured} line{'s' if measured != 1 else ''} already measured kept" \
            if measured else ""
        self.grid_message.show_info(f"Copied the estimate's rows into {count} "
                                    f"line{'s' if count != 1 else ''}{kept} (Ctrl+Z undoes).")
        return count

    # ---------------------------------------------------------------- live figures
    def _figures_changed(self) -> None:
        document = self.document
        self.totals.show_figures(document)
        self._show_line_caption()
        self._show_ceiling()
        count = len(document.items)
        measured = sum(1 for line in document.items if line.rows)
        self.lines_caption.setText(
            f"<b>Lines of the work order</b> — {count} item{'s' if count != 1 else ''}, "
            f"{measured} measured in this MB")

    def _show_ceiling(self) -> None:
        problems = self.document.problems_in_order()
        if not problems:
            text = ""
        else:
            shown = [f"Line {line.position}: {message}"
                     for line, message in problems[:MAX_CEILING_LINES]]
            more = len(problems) - MAX_CEILING_LINES
            if more > 0:
                shown.append(f"… and {more} more item{'s' if more != 1 else ''} over the "
                             "estimate.")
            text = "\n".join(shown)
        if text == self._ceiling_text:
            return
        self._ceiling_text = text
        if text:
            self.ceiling_message.show_error(text)
        else:
            self.ceiling_message.clear_message()

    def ceiling_text(self) -> str:
        return self._ceiling_text

    def _focus_requested(self, line: MbDocLine | None, row: int, column: int) -> None:
        if line is None:
            return
        if line is not self.current_line():
            self.select_line(line)
        if row >= 0:
            self.grid.go_to(min(row, self.rows_model.rowCount() - 1),
                            column if column >= 0 else M.NUMBER)

    # ---------------------------------------------------------------- header
    def _period_edited(self) -> None:
        if self.read_only or self.loading:
            return
        document = self.document
        end = from_qdate(self.period_end_edit.date())
        measured = from_qdate(self.measured_edit.date())
        self.editing.set_period(Period(document.period.start, end), measured)

    def _header_changed(self) -> None:
        document = self.document
        view = self.view
        self.period_start_label.setText(format_date(document.period.start))
        for edit, value in ((self.period_end_edit, document.period.end),
                            (self.measured_edit, document.measurement_date)):
            edit.blockSignals(True)
            edit.setMinimumDate(to_qdate(document.period.start))
            if view is not None and edit is self.period_end_edit:
                edit.setMaximumDate(to_qdate(view.work_order.end_date))
            elif edit is self.measured_edit:
                edit.setMaximumDate(to_qdate(max(self.ctx.today(), document.period.start)))
            edit.setDate(to_qdate(value))
            edit.blockSignals(False)
        self.period_start_label.setToolTip(f"Period {period_text(document.period)}")

    # ---------------------------------------------------------------- saving
    def _document_changed(self) -> None:
        if self.may_save():
            self.saver.changed()

    def save_now(self) -> bool:
        """Save the draft now (Ctrl+S; the autosave does it by itself)."""
        return self.saver.save_now()

    def _saved(self, view: MbView) -> None:
        self.version = view.version
        self.history_model.set_history(view.mb_history, view.number)
        self.timeline_model.set_rows(view.history)
        self.saved.emit(view.number)
        if self._close_when_saved:
            if self.is_dirty():
                self.saver.save_now()
            elif not self.saver.busy():
                self.close()

    def _save_failed(self, _reason: str) -> None:
        if self._close_when_saved:
            self._close_when_saved = False
            self._ask_to_discard()

    def _show_save_state(self) -> None:
        saver = self.saver
        self.save_label.setText("" if self.read_only else saver.text())
        if saver.error is not None and not self.read_only:
            self.banner.show_error(f"Not saved: {saver.error} Your changes are kept here; they "
                                   "are saved with the next change (Ctrl+S).")
        elif self.banner.kind == "error" and self.banner.text().startswith("Not saved"):
            self.banner.clear_message()

    # ---------------------------------------------------------------- workflow, photos
    def run_action(
        self,
        action: Action,
        comment: str,
        on_done: Callable[[WorkflowRecord], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Save what is typed, then take `action` (both through the queue)."""
        self.save_now()
        db, actor, number = self.ctx.db, self.ctx.actor, self.number

        def make_work() -> Any:
            if self.is_dirty():
                reason = f": {self.saver.error}" if self.saver.error else ""
                raise ValidationError(f"Your latest changes are not saved{reason}. "
                                      f"'{action.label}' was not done.")
            return lambda: act_mb(db, actor, number, action, comment=comment)

        self.jobs.submit(make_work, on_done, on_error)

    def _acted(self, view: WorkflowRecord) -> None:
        """After an action the window shows the MB as it now stands (read-only once it left
        the creator)."""
        assert isinstance(view, MbView)
        self.show_view(view)
        self.changed.emit(view.number)

    def _photos_changed(self, view: MbView) -> None:
        self.version = view.version
        self.changed.emit(view.number)

    # ---------------------------------------------------------------- export
    def export(self, kind: str) -> None:
        """Save, then read the MB as stored and write it (progress and Cancel)."""
        if self.view is None:
            return
        label = KIND_LABELS[kind]
        path = ask_save_path(self, f"Export {self.number} as {label}",
                             file_name(self.number, "", kind), kind)
        if path is None:
            return
        self.save_now()
        db, actor, number, ctx = self.ctx.db, self.ctx.actor, self.number, self.ctx

        def make_work() -> Any:
            if self.is_dirty() and not self.read_only:
                raise ValidationError("Your latest changes are not saved: the export would not "
                                      "show them. Save (Ctrl+S) and export again.")
            return lambda: get_mb(db, number, viewer=actor)

        def done(view: MbView) -> None:
            self.export_dialog = start_export(self, ctx, f"{label} of {number}",
                                              mb_job(view, kind), path)

        self.jobs.submit(make_work, done, lambda exc: self.banner.show_error(describe(exc)))

    # ---------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing saves first and closes when saved; only if saving failed does it ask
        whether to close without the changes."""
        if self.has_unsaved_changes() and not self._discard:
            event.ignore()
            if self.saver.error is not None and not self.saver.busy():
                self._ask_to_discard()
                return
            self._close_when_saved = True
            self.saver.save_now()
            self.save_label.setText("Saving before closing…")
            return
        self.saver.stop()
        _OPEN.pop(self.number, None)
        event.accept()
        self.closed.emit()

    def _ask_to_discard(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Not saved",
                          f"Your changes to {self.number} could not be saved: "
                          f"{self.saver.error}\n\nClose the MB and lose them?",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("discardQuestion")
        discard = box.addButton("Close without saving", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if alive(self) and box.clickedButton() is discard:
                self._discard = True
                self.close()

        box.finished.connect(answered)
        self.question = box
        box.open()

    # ---------------------------------------------------------------- keys
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.lines_table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self._focus_grid()
            return True
        return super().eventFilter(watched, event)


# ---------------------------------------------------------------- building blocks


def _heading(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    bold = label.font()
    bold.setBold(True)
    bold.setPointSizeF(bold.pointSizeF() * 1.3)
    label.setFont(bold)
    return label


Part = QWidget | QLayout | tuple[QWidget, int]


def _stack(*parts: Part, margins: int = 0) -> QWidget:
    """A widget holding `parts` one under another; a (widget, stretch) pair takes its share of
    the spare height."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(margins, margins, margins, margins)
    for part in parts:
        if isinstance(part, tuple):
            layout.addWidget(*part)
        elif isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    return box


def _split(orientation: Qt.Orientation, *parts: tuple[QWidget, int]) -> QSplitter:
    """A splitter of `parts` (widget, stretch) whose parts never collapse to nothing."""
    splitter = QSplitter(orientation)
    for position, (widget, stretch) in enumerate(parts):
        splitter.addWidget(widget)
        splitter.setStretchFactor(position, stretch)
    splitter.setChildrenCollapsible(False)
    return splitter


# ---------------------------------------------------------------- opening

_OPEN: dict[str, MbEditorWindow] = {}


def _raise(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()


def open_mb_editor(ctx: UiContext, number: str, parent: QWidget | None = None) -> MbEditorWindow:
    """Open MB `number` in its own window, shown once loaded (on the runner); a window already
    open for it is raised instead. A refusal to open it is shown in plain words."""
    window = _OPEN.get(number)
    if window is not None and alive(window):
        if window.view is not None:
            _raise(window)
        return window
    window = MbEditorWindow(ctx, number, parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _OPEN[number] = window

    def loaded(_view: MbView) -> None:
        if not window.isVisible():
            _raise(window)

    def failed(exc: Exception) -> None:
        _OPEN.pop(number, None)
        show_error(parent, exc, "The MB could not be opened")
        window.close()

    window.loaded.connect(loaded)
    window.load_failed.connect(failed)
    return window


def open_windows() -> list[MbEditorWindow]:
    """The MB editors open now (or loading)."""
    return [w for w in _OPEN.values() if alive(w)]
