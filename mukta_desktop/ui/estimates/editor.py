"""The detailed-estimate editor: one screen for the whole estimate.

Left, the SOR search (and a form for non-SOR items); in the middle, the lines and the
measurement grid of the selected line; right, the overheads and the totals with the cost
analysis. Every figure updates as a cell is typed (document.py keeps them incrementally), every
edit can be undone (undo.py), and the draft saves itself: about 2 s after the last change and
at least every 5 s while changes keep coming, on the runner, never blocking typing. A new
estimate is created (numbered) by its first save. The editor is read-only when the estimate's
view says it may not be edited (approved, rejected, in review, or another user's).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import INDIA, format_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LUMP_SUM_CODE, OverheadKind
from mukta_desktop.domain.numbers import ZERO, format_money, plain_text
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import EDITABLE
from mukta_desktop.services.estimate_views import EstimateView, LineDraft, OverheadDraft
from mukta_desktop.services.estimates import (
    create_estimate,
    get_estimate,
    price_sor_line,
    save_estimate,
)
from mukta_desktop.services.masters import OverheadInfo
from mukta_desktop.services.projects import ProjectInfo, get_project

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, date_edit, from_qdate, muted, to_qdate
from .document import DocLine, EstimateDocument, new_sor_line
from .editor_models import LinesTableModel, MeasurementsTableModel, quantity_display
from .editor_panels import NonSorForm, RevisionLinePanel, TotalsPanel
from .grid import MeasurementGrid
from .sor_picker import SorPicker
from .undo import EstimateEditing

AUTOSAVE_IDLE_MS = 2000  # save this long after the last change ...
AUTOSAVE_MAX_MS = 5000  # ... and at least this often while changes keep coming
T = TypeVar("T")
KEYS_HINT = ("Tab / Enter: next cell · Delete: remove rows · Ctrl+C / Ctrl+V: copy / paste "
             "rows with Excel · Ctrl+Z / Ctrl+Y: undo / redo")


class EstimateEditor(QWidget):
    """Opens estimate `number`, or a new estimate of project `project_number`."""

    saved = Signal(str)  # the estimate's number, after each save
    loaded = Signal(object)  # the EstimateView shown (None for a new estimate)
    title_changed = Signal(str)
    closed = Signal()  # after closing (pending changes saved)

    def __init__(
        self,
        ctx: UiContext,
        number: str | None = None,
        *,
        project_number: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if number is None and project_number is None:
            raise ValueError("open an estimate by its number, or a new one for a project")
        self.setObjectName("estimateEditor")
        self.ctx = ctx
        self.number = number
        self.project_number = project_number
        self.view: EstimateView | None = None
        self.tenant = ctx.actor.tenant
        self.read_only = True
        self.loading = True
        self.autosave_idle_ms = AUTOSAVE_IDLE_MS
        self.autosave_max_ms = AUTOSAVE_MAX_MS
        self._version: int | None = None
        self._saved_revision = 0
        self._saving = False
        self._save_again = False
        self._close_when_saved = False
        self._save_error: str | None = None
        self._saved_at: datetime | None = None
        self._project_text = project_number or ""

        self.editing = EstimateEditing(EstimateDocument(ctx.today()), self)
        self._build()
        self._connect()
        self._set_read_only(True)
        self._load()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        editing = self.editing
        # Header ------------------------------------------------------------------------
        self.title_label = QLabel(self.title)
        self.title_label.setObjectName("editorTitle")
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title_label.setFont(font)
        self.project_label = muted(QLabel(self._project_text))
        self.project_label.setObjectName("editorProject")
        self.status_label = QLabel()
        self.status_label.setObjectName("editorStatus")
        self.date_edit: QDateEdit = date_edit(self.ctx.today())
        self.date_edit.setObjectName("estimateDate")
        self.date_edit.setToolTip("Estimate date: SOR rates in force on it are frozen into the "
                                  "lines (it can change only while there are no SOR lines)")
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("estimateDescription")
        self.description_edit.setPlaceholderText("Description of the estimate")
        self.description_edit.setMaxLength(2000)
        self.save_label = QLabel()
        self.save_label.setObjectName("saveState")
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.undo_action = editing.stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = editing.stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.save_action = QAction("Save now", self)
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        self.save_action.triggered.connect(self.save_now)
        self.find_action = QAction("Find a SOR", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self.focus_sor_search)
        self.non_sor_action = QAction("Add a non-SOR line", self)
        self.non_sor_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.non_sor_action.triggered.connect(self.focus_non_sor_form)
        for action in (self.undo_action, self.redo_action, self.save_action, self.find_action,
                       self.non_sor_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.undo_button = self._tool_button(self.undo_action, "undoButton")
        self.redo_button = self._tool_button(self.redo_action, "redoButton")
        self.banner = InlineMessage()
        self.banner.setObjectName("editorBanner")

        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addWidget(self.status_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.project_label, 1)
        title_row.addWidget(self.save_label)
        title_row.addWidget(self.undo_button)
        title_row.addWidget(self.redo_button)
        fields_row = QHBoxLayout()
        fields_row.addWidget(QLabel("Estimate date"))
        fields_row.addWidget(self.date_edit)
        fields_row.addSpacing(12)
        fields_row.addWidget(QLabel("Description"))
        fields_row.addWidget(self.description_edit, 1)

        # Left: adding lines ------------------------------------------------------------
        self.picker = SorPicker(self.ctx)
        self.non_sor_form = NonSorForm(self.ctx.masters)
        self.add_tabs = QTabWidget()
        self.add_tabs.setObjectName("addTabs")
        self.add_tabs.addTab(self.picker, "Add SOR line")
        self.add_tabs.addTab(self.non_sor_form, "Add non-SOR line")

        # Middle: lines and measurements ------------------------------------------------
        self.lines_table = QTableView()
        self.lines_table.setObjectName("linesTable")
        self.lines_table.setModel(editing.lines_model)
        lm = LinesTableModel
        configure_table(self.lines_table, stretch_column=lm.DESCRIPTION,
                        widths={lm.NUMBER: 4, lm.CODE: 12, lm.UNIT: 6, lm.QUANTITY: 12,
                                lm.RATE: 13, lm.AMOUNT: 14})
        self.lines_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked)
        self.lines_table.installEventFilter(self)
        self.lines_table.setAccessibleName("Estimate lines")
        self.remove_line_button = QPushButton("Remove line")
        self.remove_line_button.setObjectName("removeLine")
        self.remove_line_button.setToolTip("Remove the selected line with its measurements "
                                           "(Delete in the list; Ctrl+Z brings it back)")
        self.remove_line_button.clicked.connect(self.remove_selected_line)
        self.lines_caption = QLabel("Lines")
        self.lines_caption.setObjectName("linesCaption")
        self.lines_message = InlineMessage()
        self.lines_message.setObjectName("linesMessage")
        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_head = QHBoxLayout()
        lines_head.addWidget(self.lines_caption, 1)
        lines_head.addWidget(self.remove_line_button)
        lines_layout.addLayout(lines_head)
        lines_layout.addWidget(self.lines_table, 1)
        self.revision_panel = RevisionLinePanel()
        self.revision_panel.setVisible(False)  # revisions only
        lines_layout.addWidget(self.revision_panel)
        lines_layout.addWidget(self.lines_message)

        self.grid = MeasurementGrid(editing)
        self.grid_caption = QLabel()
        self.grid_caption.setObjectName("gridCaption")
        self.grid_caption.setWordWrap(True)
        self.grid_message = InlineMessage()
        self.grid_message.setObjectName("gridMessage")
        self.keys_hint = muted(QLabel(KEYS_HINT))
        self.keys_hint.setWordWrap(True)
        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.addWidget(self.grid_caption)
        grid_layout.addWidget(self.grid, 1)
        grid_layout.addWidget(self.grid_message)
        grid_layout.addWidget(self.keys_hint)

        self.middle = QSplitter(Qt.Orientation.Vertical)
        self.middle.addWidget(lines_box)
        self.middle.addWidget(grid_box)
        self.middle.setStretchFactor(0, 3)
        self.middle.setStretchFactor(1, 2)
        self.middle.setChildrenCollapsible(False)

        # Right: overheads and totals ---------------------------------------------------
        self.overheads_table = QTableView()
        self.overheads_table.setObjectName("overheadsTable")
        self.overheads_table.setModel(editing.overheads_model)
        configure_table(self.overheads_table, stretch_column=1, widths={0: 5, 2: 7, 3: 12})
        self.overheads_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.overheads_table.installEventFilter(self)
        row_height = self.overheads_table.verticalHeader().defaultSectionSize()
        self.overheads_table.setMinimumHeight(row_height * 4)
        self.overheads_table.setMaximumHeight(row_height * 7)
        self.overhead_menu = QMenu(self)
        self.overhead_menu.setObjectName("overheadMenu")
        self.overhead_menu.aboutToShow.connect(self._fill_overhead_menu)
        self.add_overhead_button = QToolButton()
        self.add_overhead_button.setObjectName("addOverhead")
        self.add_overhead_button.setText("Add overhead")
        self.add_overhead_button.setMenu(self.overhead_menu)
        self.add_overhead_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.remove_overhead_button = QPushButton("Remove")
        self.remove_overhead_button.setObjectName("removeOverhead")
        self.remove_overhead_button.clicked.connect(self.remove_selected_overhead)
        self.overheads_message = InlineMessage()
        self.overheads_message.setObjectName("overheadsMessage")
        overheads_group = QGroupBox("Overheads")
        overheads_layout = QVBoxLayout(overheads_group)
        overheads_layout.addWidget(self.overheads_table, 1)
        overhead_buttons = QHBoxLayout()
        overhead_buttons.addWidget(self.add_overhead_button)
        overhead_buttons.addWidget(self.remove_overhead_button)
        overhead_buttons.addStretch(1)
        overheads_layout.addLayout(overhead_buttons)
        overheads_layout.addWidget(self.overheads_message)
        self._fill_overhead_menu()

        self.totals = TotalsPanel()
        totals_group = QGroupBox("Totals")
        totals_layout = QVBoxLayout(totals_group)
        totals_layout.addWidget(self.totals)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(overheads_group)
        right_layout.addWidget(totals_group)
        right_layout.addStretch(1)

        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setObjectName("editorBody")
        self.body.addWidget(self.add_tabs)
        self.body.addWidget(self.middle)
        self.body.addWidget(right)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 6)
        self.body.setStretchFactor(2, 3)
        self.body.setChildrenCollapsible(False)
        self.body.setSizes([360, 680, 400])

        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(fields_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)

        QWidget.setTabOrder(self.description_edit, self.picker)
        QWidget.setTabOrder(self.picker.variant_combo, self.lines_table)
        QWidget.setTabOrder(self.lines_table, self.grid)
        QWidget.setTabOrder(self.grid, self.overheads_table)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.save_now)
        self.max_timer = QTimer(self)
        self.max_timer.setSingleShot(True)
        self.max_timer.timeout.connect(self.save_now)
        self.totals.show_figures(self.document)
        self._show_line_caption()

    def _tool_button(self, action: QAction, name: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setDefaultAction(action)
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                         for k in action.shortcuts())
        button.setToolTip(f"{action.text()} ({keys})")
        return button

    def _connect(self) -> None:
        editing = self.editing
        editing.changed.connect(self._document_changed)
        editing.figures_changed.connect(self._figures_changed)
        editing.focus_requested.connect(self._focus_requested)
        editing.line_added.connect(self._line_added)
        editing.header_changed.connect(self._header_changed)
        editing.measurements_model.input_error.connect(self.grid_message.show_error)
        editing.measurements_model.input_accepted.connect(self._grid_input_accepted)
        editing.lines_model.input_error.connect(self.lines_message.show_error)
        editing.overheads_model.input_error.connect(self.overheads_message.show_error)
        self.grid.message.connect(self._grid_said)
        self.lines_table.selectionModel().currentRowChanged.connect(self._current_line_changed)
        self.revision_panel.reason_edited.connect(self._reason_edited)
        self.revision_panel.reason_finished.connect(editing.finish_reason)
        self.revision_panel.reason_edit.installEventFilter(self)
        self.picker.chosen.connect(self.add_sor)
        self.non_sor_form.submitted.connect(self._add_non_sor)
        self.date_edit.dateChanged.connect(self._date_edited)
        self.description_edit.editingFinished.connect(self._description_edited)

    # ---------------------------------------------------------------- properties
    @property
    def document(self) -> EstimateDocument:
        return self.editing.document

    @property
    def title(self) -> str:
        return f"Estimate {self.number}" if self.number else "New estimate"

    @property
    def lines_model(self) -> LinesTableModel:
        return self.editing.lines_model

    @property
    def measurements_model(self) -> MeasurementsTableModel:
        return self.editing.measurements_model

    @property
    def is_revision(self) -> bool:
        """A revised estimate: its lines carry a reason for deviation."""
        return self.view is not None and self.view.revision_of is not None

    def has_unsaved_changes(self) -> bool:
        return not self.read_only and (self.is_dirty() or self._saving)

    def is_dirty(self) -> bool:
        return self.document.revision != self._saved_revision

    # ---------------------------------------------------------------- loading
    def _load(self) -> None:
        self.banner.show_hint("Loading…")
        self.body.setEnabled(False)
        db, actor = self.ctx.db, self.ctx.actor
        if self.number is not None:
            number = self.number
            self._run(lambda: get_estimate(db, number, viewer=actor), self.show_view,
                      self._load_failed)
        else:
            project_number = self.project_number or ""
            self._run(lambda: get_project(db, project_number), self._project_loaded,
                      self._load_failed)

    def _run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Run `work` on the runner; the callbacks are dropped once the editor is gone."""

        def done(result: T) -> None:
            if alive(self):
                on_done(result)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self):
                on_error(exc)

        self.ctx.runner.submit(work, done, failed)

    def _load_failed(self, exc: Exception) -> None:
        self.loading = False
        self.banner.show_error(f"The estimate could not be opened: {describe(exc)}")

    def show_view(self, view: EstimateView) -> None:
        """Show an estimate as the service returned it (loading is this, on the GUI thread:
        the document and its models are built from the view's draft)."""
        self.view = view
        self.number = view.number
        self.project_number = view.project.number
        self.tenant = view.tenant
        self._version = view.version
        self._project_text = f"{view.project.number} · {view.project.name}"
        document = EstimateDocument.from_draft(view.draft)
        self.editing.set_document(document)
        self.revision_panel.setVisible(view.revision_of is not None)
        self._saved_revision = document.revision
        self.loading = False
        self._set_read_only(not view.editable)
        self.status_label.setText(view.status.label)
        if not view.editable:
            self.banner.show_hint(self._read_only_reason(view))
        else:
            self.banner.clear_message()
        self._show_title()
        self._show_save_state()
        if document.lines:
            self.select_line(document.lines[0])
        self.loaded.emit(view)

    def _project_loaded(self, project: ProjectInfo) -> None:
        self.loading = False
        self._project_text = f"{project.number} · {project.name}"
        self.project_label.setText(self._project_text)
        self.status_label.setText("New")
        self.tenant = project.tenant
        if not self.ctx.has(Role.ESTIMATE_CREATOR):
            self.banner.show_hint("You cannot make estimates: that needs the ESTIMATE_CREATOR "
                                  "role.")
            self._set_read_only(True)
        elif project.tenant != self.ctx.actor.tenant:
            self.banner.show_hint(f"{project.number} is a project of another ULB.")
            self._set_read_only(True)
        else:
            self.banner.clear_message()
            self._set_read_only(False)
            self.picker.focus_search()
        self._show_save_state()
        self.loaded.emit(None)

    def _read_only_reason(self, view: EstimateView) -> str:
        base = f"{view.number} is {view.status.label}: it is shown read-only."
        if view.status not in EDITABLE:
            return f"{base} Only a Drafted or Pending correction estimate can be changed."
        if view.created_by != self.ctx.actor.login:
            return f"{base} Only its creator ({view.created_by}) may change it."
        if view.tenant != self.ctx.actor.tenant:
            return f"{base} It belongs to another ULB."
        return f"{base} Changing it needs the ESTIMATE_CREATOR role."

    def _set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.body.setEnabled(not self.loading)
        self.editing.set_editable(not read_only and not self.loading)
        editable = not read_only
        self.add_tabs.setVisible(editable)
        for widget in (self.remove_line_button, self.add_overhead_button,
                       self.remove_overhead_button, self.undo_button, self.redo_button,
                       self.keys_hint):
            widget.setVisible(editable)
        for action in (self.undo_action, self.redo_action, self.save_action,
                       self.find_action, self.non_sor_action):
            action.setEnabled(editable)
        if not editable:
            # QUndoStack's actions re-enable themselves with the stack; a cleared stack keeps
            # them off, and set_editable cleared it.
            self.undo_action.setEnabled(False)
            self.redo_action.setEnabled(False)
        self.description_edit.setReadOnly(read_only)
        self.grid.set_read_only(read_only)
        self._show_revision_line()
        self._update_date_edit()
        if read_only:
            self.idle_timer.stop()
            self.max_timer.stop()
        self._header_changed()

    def _show_title(self) -> None:
        self.title_label.setText(self.title)
        self.project_label.setText(self._project_text)
        self.title_changed.emit(self.title)

    # ---------------------------------------------------------------- lines
    def select_line(self, line: DocLine | None) -> None:
        if line is None:
            self.lines_table.selectionModel().clearSelection()
            self.editing.measurements_model.set_line(None)
            self._show_line_caption()
            self._show_revision_line()
            return
        row = self.document.index_of(line)
        index = self.lines_model.index(row, LinesTableModel.DESCRIPTION)
        self.lines_table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.lines_table.scrollTo(index)
        self.editing.measurements_model.set_line(line)
        self._show_line_caption()
        self._show_revision_line()

    def current_line(self) -> DocLine | None:
        index = self.lines_table.currentIndex()
        return self.lines_model.line_at(index.row()) if index.isValid() else None

    def _current_line_changed(self, current: object, _previous: object) -> None:
        self.editing.measurements_model.set_line(self.current_line())
        self.grid_message.clear_message()
        self._show_line_caption()
        self._show_revision_line()

    def _show_line_caption(self) -> None:
        line = self.editing.measurements_model.line
        if line is None:
            self.grid_caption.setText("Measurements: choose a line above, or add one.")
            return
        number = self.document.index_of(line) + 1
        code = line.sor_code or "Non-SOR"
        self.grid_caption.setText(
            f"<b>Measurements of line {number}</b> — {code}: {line.description} "
            f"({line.unit}) · quantity <b>{format_quantity(line)}</b>")

    def _show_revision_line(self) -> None:
        if self.is_revision:
            line = self.editing.measurements_model.line
            self.revision_panel.show_line(line, editable=not self.read_only and not self.loading)

    def _reason_edited(self, line: DocLine, text: str) -> None:
        if self.read_only or self.loading:
            return
        try:
            self.document.index_of(line)
        except ValueError:
            return  # the line was removed meanwhile
        self.editing.set_reason(line, text)

    def add_sor(self, code: str) -> None:
        """Price `code` at the estimate date for the ULB (service) and add it as a line; a SOR
        without a rate in force then is refused, in the picker's message."""
        if self.read_only or self.loading:
            return
        at, tenant, db = self.document.estimate_date, self.tenant, self.ctx.db
        self.picker.message.show_hint(f"Adding {code}…")

        def done(draft: LineDraft) -> None:
            if self.read_only:
                return
            if at != self.document.estimate_date:
                self.picker.message.show_error(
                    f"The estimate date changed while {code} was priced; choose it again.")
                return
            self.editing.add_line(new_sor_line(draft))
            number = len(self.document.lines)
            self.picker.message.show_info(
                f"Added {code} as line {number} at ₹ {format_money(draft.rate)}: type its "
                "measurements.")

        def failed(exc: Exception) -> None:
            self.picker.message.show_error(describe(exc))

        self._run(lambda: price_sor_line(db, code, at=at, tenant=tenant), done, failed)

    def _add_non_sor(self, line: DocLine) -> None:
        if self.read_only or self.loading:
            return
        self.editing.add_line(line)
        self.non_sor_form.message.show_info(
            f"Added as line {len(self.document.lines)}: type its measurements.")

    def _line_added(self, line: DocLine) -> None:
        self.select_line(line)
        self.grid.go_to(0, MeasurementsTableModel.NUMBER)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected_line(self) -> None:
        line = self.current_line()
        if line is None or self.read_only:
            return
        number = self.document.index_of(line) + 1
        self.editing.remove_line(line)
        self.lines_message.show_info(f"Removed line {number} ({line.sor_code or 'non-SOR'}); "
                                     "Ctrl+Z brings it back.")
        self._current_line_changed(None, None)

    # ---------------------------------------------------------------- overheads
    def _fill_overhead_menu(self) -> None:
        self.overhead_menu.clear()
        present = self.document.overhead_codes()
        for info in self.ctx.masters.overheads:
            if not info.active:
                continue
            action = self.overhead_menu.addAction(_overhead_label(info))
            action.setObjectName(f"overhead_{info.code}")
            action.setData(info.code)
            if info.code in present:
                action.setEnabled(False)
                action.setToolTip("Already on the estimate: each overhead is added once.")
            action.triggered.connect(lambda _=False, info=info: self.add_master_overhead(info))
        self.overhead_menu.addSeparator()
        lump = self.overhead_menu.addAction("Lump sum (typed)")
        lump.setObjectName("overhead_LS")
        lump.triggered.connect(self.add_lump_sum)

    def overhead_choices(self) -> list[tuple[str, bool]]:
        """(code, enabled) of the add-overhead menu, as it would be shown now."""
        self._fill_overhead_menu()
        return [(str(a.data()) if a.data() else "LS", a.isEnabled())
                for a in self.overhead_menu.actions() if not a.isSeparator()]

    def add_master_overhead(self, info: OverheadInfo) -> None:
        if self.read_only:
            return
        kind = OverheadKind(info.kind)
        overhead = OverheadDraft(
            info.code, info.name, kind,
            percent=info.value if kind is OverheadKind.PERCENT else None,
            lump_sum=(info.value or ZERO) if kind is OverheadKind.LUMPSUM else None)
        self._add_overhead(overhead)

    def add_lump_sum(self) -> None:
        if self.read_only:
            return
        self._add_overhead(OverheadDraft(LUMP_SUM_CODE, "Lump sum", OverheadKind.LUMPSUM,
                                         lump_sum=ZERO))
        row = len(self.document.overheads) - 1
        index = self.editing.overheads_model.index(row, 3)
        self.overheads_table.setCurrentIndex(index)
        self.overheads_table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.overheads_message.show_hint("Type the lump sum's amount; double-click its name "
                                         "to describe it.")

    def _add_overhead(self, overhead: OverheadDraft) -> None:
        try:
            self.editing.add_overhead(overhead)
        except ValidationError as exc:
            self.overheads_message.show_error(exc.message)
            return
        self.overheads_message.clear_message()

    def remove_selected_overhead(self) -> None:
        index = self.overheads_table.currentIndex()
        if index.isValid() and not self.read_only:
            self.editing.remove_overhead(index.row())

    # ---------------------------------------------------------------- header
    def _update_date_edit(self) -> None:
        has_sor = self.document.has_sor_lines()
        self.date_edit.setEnabled(not self.read_only and not self.loading and not has_sor)

    def _date_edited(self) -> None:
        if self.read_only or self.loading:
            return
        new = from_qdate(self.date_edit.date())
        if new != self.document.estimate_date:
            self.editing.set_header(estimate_date=new, description=self.document.description)

    def _description_edited(self) -> None:
        if self.read_only or self.loading:
            return
        text = " ".join(self.description_edit.text().split())
        if text != self.document.description:
            self.editing.set_header(estimate_date=self.document.estimate_date, description=text)

    def _header_changed(self) -> None:
        document = self.document
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(to_qdate(document.estimate_date))
        self.date_edit.blockSignals(False)
        if self.description_edit.text() != document.description:
            self.description_edit.setText(document.description)
        if not self.loading and not self.read_only:
            self.picker.set_rates_at(document.estimate_date, self.tenant)

    # ---------------------------------------------------------------- live figures
    def _figures_changed(self) -> None:
        self.totals.show_figures(self.document)
        self._show_line_caption()
        self._show_revision_line()  # undo and redo change the reason shown too
        self.lines_caption.setText(_lines_caption(self.document))

    def _document_changed(self) -> None:
        self._update_date_edit()
        if self.read_only or self.loading:
            return
        self._save_error = None
        self._show_save_state()
        self.idle_timer.start(self.autosave_idle_ms)
        if not self.max_timer.isActive():
            self.max_timer.start(self.autosave_max_ms)

    def _focus_requested(self, line: DocLine | None, row: int, column: int) -> None:
        self.select_line(line)
        if line is not None and row >= 0:
            self.grid.go_to(min(row, self.measurements_model.rowCount() - 1),
                            column if column >= 0 else MeasurementsTableModel.NUMBER)

    def _grid_said(self, text: str) -> None:
        if text.startswith(("Deleted", "Copied", "Pasted")):
            self.grid_message.show_info(text)
        else:
            self.grid_message.show_error(text)

    def _grid_input_accepted(self) -> None:
        if self.grid_message.kind == "error":
            self.grid_message.clear_message()

    # ---------------------------------------------------------------- saving
    def save_now(self) -> bool:
        """Save the draft now (the autosave timers call this); False when nothing was
        started (nothing to save, read-only, or a save already running — it saves again
        when that one is back)."""
        self.idle_timer.stop()
        self.max_timer.stop()
        if self.read_only or self.loading:
            return False
        if self._saving:
            self._save_again = True
            return False
        if not self.is_dirty():
            return False
        document = self.document
        draft = document.to_draft()
        revision = document.revision
        lines = list(document.lines)
        db, actor, today = self.ctx.db, self.ctx.actor, self.ctx.today()
        number, version, project = self.number, self._version, self.project_number
        self._saving = True
        self._save_again = False
        self._show_save_state()

        def work() -> EstimateView:
            if number is None:
                return create_estimate(db, actor, project_number=project or "", draft=draft,
                                       today=today)
            return save_estimate(db, actor, number, draft, expected_version=version)

        def done(view: EstimateView) -> None:
            self._saving = False
            if document is not self.document:
                return
            self.view = view
            self._saved_revision = revision
            self._version = view.version
            self._saved_at = datetime.now(INDIA)
            self._save_error = None
            document.adopt_line_ids(lines, [line.draft.id for line in view.lines])
            if self.number != view.number:
                self.number = view.number
                self.status_label.setText(view.status.label)
                self._show_title()
            self._show_save_state()
            self.saved.emit(view.number)
            self._after_save()

        def failed(exc: Exception) -> None:
            self._saving = False
            self._save_error = describe(exc)
            self._close_when_saved = False
            self._show_save_state()

        self._run(work, done, failed)
        return True

    def _after_save(self) -> None:
        if self.is_dirty():
            if self._close_when_saved or self._save_again:
                self.save_now()
            else:
                self.idle_timer.start(self.autosave_idle_ms)
                if not self.max_timer.isActive():
                    self.max_timer.start(self.autosave_max_ms)
        elif self._close_when_saved:
            self.close()

    def _show_save_state(self) -> None:
        if self.read_only:
            self.save_label.setText("")
            return
        if self._save_error is not None:
            self.save_label.setText("<span style='color:#b00020'>Not saved</span>")
            self.banner.show_error(f"Not saved: {self._save_error} Your changes are kept "
                                   "here; they are saved with the next change (Ctrl+S).")
            return
        if self.banner.kind == "error" and self.banner.text().startswith("Not saved"):
            self.banner.clear_message()
        if self._saving:
            self.save_label.setText("Saving…")
        elif self.is_dirty():
            self.save_label.setText("Unsaved changes")
        elif self._saved_at is not None:
            self.save_label.setText(f"Saved {self._saved_at:%H:%M:%S}")
        elif self.number is None:
            self.save_label.setText("Not saved yet: saved with the first change")
        else:
            self.save_label.setText("All changes saved")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing saves pending changes first: the editor closes itself when they are saved
        (and stays open, saying why, if they cannot be)."""
        if self.has_unsaved_changes():
            event.ignore()
            self._close_when_saved = True
            if not self._saving:
                self.save_now()
            self.save_label.setText("Saving before closing…")
            return
        self.idle_timer.stop()
        self.max_timer.stop()
        event.accept()
        self.closed.emit()

    # ---------------------------------------------------------------- keys and focus
    def focus_sor_search(self) -> None:
        if not self.read_only:
            self.add_tabs.setCurrentWidget(self.picker)
            self.picker.focus_search()

    def focus_non_sor_form(self) -> None:
        if not self.read_only:
            self.add_tabs.setCurrentWidget(self.non_sor_form)
            self.non_sor_form.description.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            table = watched if isinstance(watched, QTableView) else None
            editing_cell = table is not None and (
                table.state() == QAbstractItemView.State.EditingState)
            if watched is self.lines_table and not editing_cell:
                if key == Qt.Key.Key_Delete and not self.read_only:
                    self.remove_selected_line()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
                    if not self.grid.currentIndex().isValid():
                        self.grid.go_to(0, MeasurementsTableModel.NUMBER)
                    return True
            if watched is self.revision_panel.reason_edit and not self.read_only:
                # Ctrl+Z / Ctrl+Y undo the typed reason in the estimate's history, which
                # holds it (not the line edit's own).
                if event.matches(QKeySequence.StandardKey.Undo):
                    self.editing.finish_reason()
                    self.editing.stack.undo()
                    return True
                if event.matches(QKeySequence.StandardKey.Redo) or (
                        key == Qt.Key.Key_Y
                        and event.modifiers() == Qt.KeyboardModifier.ControlModifier):
                    self.editing.stack.redo()
                    return True
            if watched is self.overheads_table and not editing_cell \
                    and key == Qt.Key.Key_Delete and not self.read_only:
                self.remove_selected_overhead()
                return True
        return super().eventFilter(watched, event)


def format_quantity(line: DocLine) -> str:
    return quantity_display(line.quantity)


def _overhead_label(info: OverheadInfo) -> str:
    if info.kind == OverheadKind.PERCENT.value and info.value is not None:
        return f"{info.code} — {info.name} ({plain_text(info.value)} %)"
    if info.value is not None:
        return f"{info.code} — {info.name} (lump sum ₹ {format_money(info.value)})"
    return f"{info.code} — {info.name} (lump sum)"


def _lines_caption(document: EstimateDocument) -> str:
    count = len(document.lines)
    rows = sum(len(line.rows) for line in document.lines)
    return (f"<b>Lines</b> — {count} line{'s' if count != 1 else ''}, "
            f"{rows} measurement row{'s' if rows != 1 else ''} · estimate date "
            f"{format_date(document.estimate_date)}")

