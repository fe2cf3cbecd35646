"""The Projects section: search the ULB's projects as you type, create one, and see a project
with its estimates (new estimate, start from a template, open); award an approved estimate by
a work order, and close a project whose work orders are all completed or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.estimate_views import EstimateSummary, EstimateView
from mukta_desktop.services.mb_views import WorkOrderView
from mukta_desktop.services.projects import (
    MAX_NAME,
    NewProject,
    ProjectInfo,
    create_project,
    get_project,
    search_projects,
)

from ..context import UiContext
from ..mb.work_order_dialog import WorkOrderDialog, open_work_order_dialog
from ..mb.work_order_view import (
    WorkOrderWindow,
    ask_close_project,
    may_manage_work_orders,
    open_work_order,
)
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, date_edit, from_qdate, muted
from .estimate_view import EstimateViewer, editor_available, open_editor, open_estimate
from .models import ProjectEstimatesTableModel, ProjectsTableModel
from .templates_dialog import ServiceDialog, StartFromTemplateDialog

SEARCH_DELAY_MS = 150
MAX_FIELD = 200


class NewProjectDialog(ServiceDialog):
    """A new project of the user's ULB; refusals are said at the field."""

    created = Signal(object)  # ProjectInfo

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "New project", parent)
        self.setObjectName("newProjectDialog")
        self.ok_button.setText("Create project")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("projectName")
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setPlaceholderText("e.g. Covered drain along Station Road, Ward 7")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("projectDescription")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.ward_edit = QLineEdit()
        self.ward_edit.setObjectName("projectWard")
        self.ward_edit.setMaxLength(MAX_FIELD)
        self.locality_edit = QLineEdit()
        self.locality_edit.setObjectName("projectLocality")
        self.locality_edit.setMaxLength(MAX_FIELD)
        self.sanctioned_check = QCheckBox("Sanctioned on")
        self.sanctioned_check.setObjectName("projectSanctioned")
        self.sanction_date = date_edit(ctx.today())
        self.sanction_date.setObjectName("projectSanctionDate")
        self.sanction_date.setEnabled(False)
        self.sanctioned_check.toggled.connect(self.sanction_date.setEnabled)
        sanction = QHBoxLayout()
        sanction.addWidget(self.sanctioned_check)
        sanction.addWidget(self.sanction_date)
        sanction.addStretch(1)
        form = QFormLayout()
        form.addRow("&Name *", self.name_edit)
        form.addRow("&Description", self.description_edit)
        form.addRow("&Ward", self.ward_edit)
        form.addRow("&Locality", self.locality_edit)
        form.addRow("Sanction", sanction)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(QLabel(
            f"A project of {ctx.masters.tenant_name(ctx.actor.tenant)}. Its number "
            "(PJ/year/…) is given when it is created.")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(lambda _t: self._mark(None))
        self.resize(560, self.sizeHint().height())

    def new_project(self) -> NewProject:
        return NewProject(
            name=self.name_edit.text(),
            description=self.description_edit.toPlainText(),
            ward=self.ward_edit.text(),
            locality=self.locality_edit.text(),
            sanction_date=from_qdate(self.sanction_date.date())
            if self.sanctioned_check.isChecked() else None,
        )

    def _mark(self, field: str | None) -> None:
        """Mark the field a refusal names (None: clear the mark and the refusal)."""
        self.name_edit.setProperty("invalid", field == "name")
        self.name_edit.style().unpolish(self.name_edit)
        self.name_edit.style().polish(self.name_edit)
        if field is None and self.message.kind == "error":
            self.message.clear_message()

    def submit(self) -> None:
        new = self.new_project()
        if not new.name.strip():
            self.message.show_error("Project name: name the work.")
            self._mark("name")
            self.name_edit.setFocus()
            return
        db, actor, today = self.ctx.db, self.ctx.actor, self.ctx.today()

        def done(info: ProjectInfo) -> None:
            self.created.emit(info)
            self.accept()

        self.run(lambda: create_project(db, actor, new, today=today), done)

    def show_failure(self, exc: Exception) -> None:
        super().show_failure(exc)
        if isinstance(exc, DomainError) and exc.field == "name":
            self._mark("name")
            self.name_edit.setFocus()


class ProjectPanel(QWidget):
    """One project: its details and its estimates, with what may be done from here."""

    open_requested = Signal(str)
    work_order_requested = Signal(str)  # the approved estimate to award

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectPanel")
        self.project: ProjectInfo | None = None
        self.title = QLabel("Choose a project")
        self.title.setObjectName("projectTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.name = QLabel()
        self.name.setObjectName("projectPanelName")
        self.name.setWordWrap(True)
        bold = QFont(self.name.font())
        bold.setBold(True)
        self.name.setFont(bold)
        self.description = QLabel()
        self.description.setObjectName("projectPanelDescription")
        self.description.setWordWrap(True)
        self.details = muted(QLabel())
        self.details.setObjectName("projectPanelDetails")
        self.details.setWordWrap(True)
        for label in (self.name, self.description, self.details):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ProjectEstimatesTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("projectEstimates")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=5, widths={0: 19, 1: 19, 2: 11, 3: 22, 4: 14})
        self.table.activated.connect(self._activated)
        self.estimates_caption = QLabel("Estimates")
        self.estimates_caption.setFont(bold)
        self.new_button = QPushButton("New estimate")
        self.new_button.setObjectName("newEstimate")
        self.template_button = QPushButton("Start from template…")
        self.template_button.setObjectName("startFromTemplate")
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("openEstimate")
        self.open_button.clicked.connect(self._open_current)
        self.work_order_button = QPushButton("Create work order…")
        self.work_order_button.setObjectName("createWorkOrder")
        self.work_order_button.setToolTip("Award the chosen approved estimate to an "
                                          "organisation")
        self.work_order_button.clicked.connect(self._work_order_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.estimates_caption)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.template_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.work_order_button)
        self.empty = muted(QLabel())
        self.empty.setObjectName("projectEstimatesEmpty")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.name)
        layout.addWidget(self.description)
        layout.addWidget(self.details)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.show_project(None)

    def show_project(self, project: ProjectInfo | None) -> None:
        self.project = project
        if project is None:
            self.title.setText("Choose a project")
            for label in (self.name, self.description, self.details):
                label.clear()
            self.model.set_rows([])
            self.empty.setText("Choose a project on the left to see its estimates.")
            self._selection_changed()
            return
        selected = self.selected_number()
        self.title.setText(project.number)
        self.name.setText(project.name)
        self.description.setText(project.description)
        self.description.setVisible(bool(project.description))
        parts = [f"Ward {project.ward}" if project.ward else "Ward not given"]
        if project.locality:
            parts.append(project.locality)
        parts.append(f"sanctioned on {format_date(project.sanction_date)}"
                     if project.sanction_date else "sanction date not given")
        parts.append(f"created by {project.created_by}")
        if project.closed:
            parts.insert(0, "Closed: no new estimates, work orders or MBs")
        self.details.setText(" · ".join(parts))
        self.model.set_rows(project.estimates)
        count = len(project.estimates)
        self.estimates_caption.setText(f"Estimates ({count})")
        self.empty.setText("" if count else "No estimates yet. Make the first one with "
                                            "\u201cNew estimate\u201d or from a template.")
        self.empty.setVisible(not count)
        if selected is not None:
            self.select_number(selected)
        self._selection_changed()

    def selected_summary(self) -> EstimateSummary | None:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        selected = self.table.selectionModel().selectedRows()
        if row is None and selected:
            row = self.model.row_at(selected[0].row())
        return row

    def selected_number(self) -> str | None:
        row = self.selected_summary()
        return None if row is None else row.number

    def selected_approved(self) -> str | None:
        """The chosen estimate when a work order may award it: approved, of an open
        project."""
        if self.project is None or self.project.closed:
            return None
        row = self.selected_summary()
        return row.number if row is not None and row.status is Status.APPROVED else None

    def select_number(self, number: str) -> bool:
        for row, summary in enumerate(self.model.rows):
            if summary.number == number:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self, *_: QItemSelection) -> None:
        self.open_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
        self.work_order_button.setEnabled(self.selected_approved() is not None)

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_requested.emit(row.number)

    def _open_current(self) -> None:
        number = self.selected_number()
        if number is not None:
            self.open_requested.emit(number)

    def _work_order_current(self) -> None:
        number = self.selected_approved()
        if number is not None:
            self.work_order_requested.emit(number)


class ProjectsSection(QWidget):
    """Projects of the user's ULB. `actions_for_menu` go to the main window's menu."""

    title = "Projects"
    searched = Signal(object)  # the list of ProjectInfo of a finished search
    project_shown = Signal(object)  # the ProjectInfo shown in the panel

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectsSection")
        self.ctx = ctx
        self._generation = 0
        self._project_generation = 0
        self._select_after_search: str | None = None
        self.creator = ctx.has(Role.ESTIMATE_CREATOR)
        self.manager = may_manage_work_orders(ctx)
        self.dialog: QWidget | None = None

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("projectSearch")
        self.search_edit.setPlaceholderText("Search projects: number, name or ward (words in "
                                            "any order)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.installEventFilter(self)
        self.count_label = muted(QLabel())
        self.count_label.setObjectName("projectCount")
        self.model = ProjectsTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("projects")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=1, widths={0: 19, 2: 7, 3: 14, 4: 12})
        # Locality and sanction date are in the project's view beside the list.
        self.table.setColumnHidden(3, True)
        self.table.setColumnHidden(4, True)
        self.table.setAccessibleName("Projects")
        self.table.selectionModel().selectionChanged.connect(self._project_selected)
        self.message = InlineMessage()
        self.message.setObjectName("sectionMessage")

        self.panel = ProjectPanel()
        self.panel.open_requested.connect(self.open_estimate)
        self.panel.new_button.clicked.connect(self.new_estimate)
        self.panel.template_button.clicked.connect(self.start_from_template)
        self.panel.work_order_requested.connect(self.create_work_order)

        self.find_action = self._action("Find project", self.focus_search, "Ctrl+F")
        self.new_action = self._action("New project…", self.new_project, "Ctrl+N", self.creator)
        self.new_estimate_action = self._action("New estimate", self.new_estimate, None,
                                                self.creator)
        self.template_action = self._action("Start from template…", self.start_from_template,
                                            None, self.creator)
        self.work_order_action = self._action("Create work order…",
                                              lambda: self.create_work_order(), None,
                                              self.manager)
        self.close_action = self._action("Close project…", self.close_project, None,
                                         self.manager)
        self.refresh_action = self._action("Refresh", self.refresh, "F5")
        self.actions_for_menu: list[QAction] = [
            a for a in (self.find_action, self.new_action, self.new_estimate_action,
                        self.template_action, self.work_order_action, self.close_action,
                        self.refresh_action) if a.isVisible()]
        self.addActions(self.actions_for_menu)
        self.toolbar = QToolBar("Project actions")
        self.toolbar.setObjectName("projectsToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        if self.creator:
            self.toolbar.addAction(self.new_action)
        if self.manager:
            self.toolbar.addAction(self.close_action)
        self.toolbar.addAction(self.refresh_action)
        self.panel.new_button.setVisible(self.creator)
        self.panel.template_button.setVisible(self.creator)
        self.panel.work_order_button.setVisible(self.manager)
        self.panel.table.selectionModel().selectionChanged.connect(
            lambda *_: self._update_actions())

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.count_label)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([520, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.search_now)
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.setFocusProxy(self.search_edit)
        self._update_actions()
        self.search_now()

    def _action(self, text: str, slot: Callable[[], object], shortcut: str | None = None,
                allowed: bool = True) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.rstrip('…')} ({QKeySequence(shortcut).toString()})")
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        action.setVisible(allowed)
        action.setEnabled(allowed)
        return action

    # ---------------------------------------------------------------- searching
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def refresh(self) -> None:
        """Search again (and reload the project shown): estimates may have changed."""
        self.search_now()

    def search_now(self) -> None:
        self.search_timer.stop()
        self._generation += 1
        generation = self._generation
        db, tenant, text = self.ctx.db, self.ctx.actor.tenant, self.search_edit.text().strip()

        def done(projects: list[ProjectInfo]) -> None:
            if alive(self) and generation == self._generation:
                self._show_projects(projects)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self) and generation == self._generation:
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: search_projects(db, tenant, text), done, failed)

    def _show_projects(self, projects: list[ProjectInfo]) -> None:
        if self.message.kind == "error":  # a failed search is over; news stays
            self.message.clear_message()
        wanted = self._select_after_search or self.selected_number()
        self._select_after_search = None
        self.model.set_rows(projects)
        count = len(projects)
        self.count_label.setText(f"{count} project{'' if count == 1 else 's'}")
        if wanted is None or not self.select_number(wanted):
            if projects and self.search_edit.text().strip():
                self.table.selectRow(0)
            else:
                self._project_selected()
        self.searched.emit(projects)

    def selected_number(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        project = self.model.row_at(rows[0].row())
        return None if project is None else project.number

    def select_number(self, number: str) -> bool:
        for row, project in enumerate(self.model.rows):
            if project.number == number:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                self._project_selected()  # reload it even when it was selected already
                return True
        return False

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down or Enter in the search box moves to the results."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            key = cast(QKeyEvent, event).key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                    and self.model.rowCount() > 0:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if self.selected_number() is None:
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    # ---------------------------------------------------------------- the project shown
    def _project_selected(self, *_: QItemSelection) -> None:
        number = self.selected_number()
        self._project_generation += 1
        generation = self._project_generation
        if number is None:
            self.panel.show_project(None)
            self._update_actions()
            return
        db = self.ctx.db

        def done(project: ProjectInfo) -> None:
            if alive(self) and generation == self._project_generation:
                self.panel.show_project(project)
                self._update_actions()
                self.project_shown.emit(project)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self) and generation == self._project_generation:
                self.message.show_error(describe(exc))

        self.ctx.runner.submit(lambda: get_project(db, number), done, failed)

    def reload_project(self, *_: object) -> None:
        if alive(self):
            self._project_selected()

    def _update_actions(self) -> None:
        has = self.panel.project is not None
        for action in (self.new_estimate_action, self.template_action):
            action.setEnabled(has and self.creator)
        self.panel.new_button.setEnabled(has and self.creator)
        self.panel.template_button.setEnabled(has and self.creator)
        project = self.panel.project
        self.close_action.setEnabled(project is not None and not project.closed
                                     and self.manager)
        self.work_order_action.setEnabled(
            self.manager and self.panel.selected_approved() is not None)
        if not editor_available():
            self.panel.new_button.setToolTip("The estimate editor is not part of this version "
                                             "yet.")

    # ---------------------------------------------------------------- actions
    def new_project(self) -> NewProjectDialog | None:
        if not self.creator:
            return None
        dialog = NewProjectDialog(self.ctx, self)
        dialog.created.connect(self._created)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _created(self, created: object) -> None:
        project = cast(ProjectInfo, created)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._select_after_search = project.number
        self.search_now()
        self.message.show_info(f"Created {project.number}.")

    def open_estimate(self, number: str) -> EstimateViewer:
        return open_estimate(self.ctx, number, self, on_changed=self.reload_project)

    def new_estimate(self) -> QWidget | None:
        project = self.panel.project
        if project is None or not self.creator:
            return None
        editor = open_editor(self.ctx, self, project_number=project.number,
                             on_saved=self.reload_project)
        if editor is None:
            self.message.show_error("The estimate editor is not part of this version yet.")
        return editor

    def start_from_template(self) -> StartFromTemplateDialog | None:
        project = self.panel.project
        if project is None or not self.creator:
            return None
        dialog = StartFromTemplateDialog(self.ctx, project.number, self)
        dialog.created.connect(self._started)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _started(self, created: object) -> None:
        view = cast(EstimateView, created)
        self.message.show_info(f"Started {view.number} from the template.")
        self.reload_project()
        if open_editor(self.ctx, self, number=view.number, on_saved=self.reload_project) is None:
            self.open_estimate(view.number)

    # ---------------------------------------------------------------- work orders
    def create_work_order(self, estimate_number: str | None = None) -> WorkOrderDialog | None:
        """Award an approved estimate (the chosen one by default) by a new work order."""
        number = estimate_number or self.panel.selected_approved()
        if number is None or not self.manager:
            return None
        dialog = open_work_order_dialog(self.ctx, number, self, self._work_order_created)
        self.dialog = dialog
        return dialog

    def _work_order_created(self, view: WorkOrderView) -> WorkOrderWindow:
        self.message.show_info(f"Created {view.number} for {view.estimate_number}, awarded to "
                               f"{view.organisation}. It is listed under Work orders.")
        return open_work_order(self.ctx, view.number, self.window())

    def close_project(self) -> QMessageBox | None:
        project = self.panel.project
        if project is None or not self.manager:
            return None
        box = ask_close_project(self, self.ctx, self.message, project.number, project.name,
                                self.reload_project)
        self.dialog = box
        return box
