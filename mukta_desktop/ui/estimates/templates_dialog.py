"""Templates and copies: save an estimate's lines as a template, start an estimate of a
project from a template, copy an estimate into a new draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.services.estimate_views import EstimateView
from mukta_desktop.services.projects import ProjectInfo, search_projects
from mukta_desktop.services.templates import (
    TemplateInfo,
    copy_estimate,
    list_templates,
    save_template,
    start_from_template,
)

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive, configure_table, date_edit, from_qdate, muted
from .models import TemplatesTableModel

T = TypeVar("T")
MAX_TEMPLATE_NAME = 200


class ServiceDialog(QDialog):
    """A dialog of the estimate screens: service calls on the runner, refusals inline."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setModal(True)
        self.message = InlineMessage()
        self.message.setObjectName("dialogMessage")
        self.busy = False
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def submit(self) -> None:
        """What OK does; each dialog says."""

    def run(self, work: Callable[[], T], on_done: Callable[[T], None]) -> None:
        """Run `work` off the GUI thread; the dialog waits (buttons off) and shows refusals."""
        self._set_busy(True)

        def done(result: T) -> None:
            if alive(self):
                self._set_busy(False)
                on_done(result)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self):
                self._set_busy(False)
                self.show_failure(exc)

        self.ctx.runner.submit(work, done, failed)

    def show_failure(self, exc: Exception) -> None:
        self.message.show_error(describe(exc))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.ok_button.setEnabled(not busy)


class SaveTemplateDialog(ServiceDialog):
    """Keep an estimate's lines, measurements and overheads as a named template of the ULB."""

    saved = Signal(object)  # TemplateInfo

    def __init__(self, ctx: UiContext, view: EstimateView, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Save {view.number} as a template", parent)
        self.setObjectName("saveTemplateDialog")
        self.number = view.number
        self.ok_button.setText("Save template")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("templateName")
        self.name_edit.setMaxLength(MAX_TEMPLATE_NAME)
        self.name_edit.setPlaceholderText("e.g. Brick drain 0.9 m wide, PCC bed")
        self.name_edit.setText(view.description or view.project.name)
        self.name_edit.selectAll()
        self.name_edit.textChanged.connect(lambda _text: self.message.clear_message())
        form = QFormLayout()
        form.addRow("Template &name", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(QLabel(
            f"The {len(view.lines)} lines of {view.number} with their measurements and "
            "overheads are kept. An estimate started from the template is priced at its own "
            "date.")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

    def submit(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.message.show_error("Template name: give the template a name.")
            return
        db, actor, number = self.ctx.db, self.ctx.actor, self.number

        def done(info: TemplateInfo) -> None:
            self.saved.emit(info)
            self.accept()

        self.run(lambda: save_template(db, actor, number, name), done)


class StartFromTemplateDialog(ServiceDialog):
    """Choose a template and the estimate date; a new draft of the project is made."""

    created = Signal(object)  # EstimateView of the new draft

    def __init__(self, ctx: UiContext, project_number: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"New estimate of {project_number} from a template", parent)
        self.setObjectName("startFromTemplateDialog")
        self.project_number = project_number
        self.loaded = False
        self.ok_button.setText("Start estimate")
        self.model = TemplatesTableModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("templates")
        self.table.setModel(self.model)
        configure_table(self.table, stretch_column=0, widths={1: 7, 2: 14, 3: 17})
        self.table.activated.connect(lambda _index: self.submit())
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self.message.clear_message())
        self.date = date_edit(ctx.today())
        self.date.setObjectName("estimateDate")
        self.date.setToolTip("SOR lines are priced at the rates in force on this date")
        self.empty = muted(QLabel("Loading templates…"))
        self.empty.setObjectName("templatesState")
        form = QFormLayout()
        form.addRow("Estimate &date", self.date)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 400)
        self._set_busy(True)
        db, tenant = ctx.db, ctx.actor.tenant
        self.run(lambda: list_templates(db, tenant), self._show_templates)

    def _show_templates(self, templates: list[TemplateInfo]) -> None:
        self.loaded = True
        self.model.set_rows(templates)
        if templates:
            self.empty.setText("Choose a template:")
            self.table.selectRow(0)
            self.table.setFocus()
        else:
            self.empty.setText("Your ULB has no templates yet. Open an estimate and use "
                               "\u201cSave as template…\u201d to make one.")
            self.ok_button.setEnabled(False)

    def selected(self) -> TemplateInfo | None:
        index: QModelIndex = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def submit(self) -> None:
        template = self.selected()
        if template is None:
            self.message.show_error("Template: choose one from the list.")
            return
        db, actor, today = self.ctx.db, self.ctx.actor, self.ctx.today()
        project, on = self.project_number, from_qdate(self.date.date())

        def done(view: EstimateView) -> None:
            self.created.emit(view)
            self.accept()

        self.run(lambda: start_from_template(db, actor, template.id, project_number=project,
                                             estimate_date=on, today=today), done)


class CopyEstimateDialog(ServiceDialog):
    """A new draft with another estimate's lines, priced again at the new date, into the same
    project or another of the ULB."""

    created = Signal(object)  # EstimateView of the copy

    def __init__(self, ctx: UiContext, view: EstimateView, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Copy {view.number}", parent)
        self.setObjectName("copyEstimateDialog")
        self.number = view.number
        self.ok_button.setText("Copy")
        self.project_combo = QComboBox()
        self.project_combo.setObjectName("copyProject")
        self.project_combo.addItem(f"{view.project.number} — {view.project.name}",
                                   view.project.number)
        self.project_combo.setMinimumContentsLength(40)
        self.project_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.date = date_edit(ctx.today())
        self.date.setObjectName("estimateDate")
        self.date.setToolTip("SOR lines are priced again at the rates in force on this date")
        form = QFormLayout()
        form.addRow("Into &project", self.project_combo)
        form.addRow("Estimate &date", self.date)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(QLabel(
            f"A new draft with the lines, measurements and overheads of {view.number}. "
            "Reasons and quantities already measured are not copied.")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        db, tenant = ctx.db, ctx.actor.tenant
        ctx.runner.submit(lambda: search_projects(db, tenant), self._show_projects, report)

    def _show_projects(self, projects: list[ProjectInfo]) -> None:
        if not alive(self):
            return
        current = self.project_combo.currentData()
        for p in projects:
            if p.number != current:
                self.project_combo.addItem(f"{p.number} — {p.name}", p.number)

    def submit(self) -> None:
        db, actor, today = self.ctx.db, self.ctx.actor, self.ctx.today()
        number, project = self.number, str(self.project_combo.currentData())
        on = from_qdate(self.date.date())

        def done(view: EstimateView) -> None:
            self.created.emit(view)
            self.accept()

        self.run(lambda: copy_estimate(db, actor, number, project_number=project,
                                       estimate_date=on, today=today), done)

