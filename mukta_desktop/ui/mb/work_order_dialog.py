"""Create a work order: an approved estimate's items awarded to an organisation (a CBO) from a
start date to an end date, measured in MB periods of a few days (7 in MUKTA).

Opened from the approved estimate in the Projects section (the estimate is given) or from the
Work orders section (the user chooses one of the ULB's approved estimates not yet awarded).
The estimate in force (its latest approved revision) is shown: MBs measure against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.errors import DomainError
from mukta_desktop.domain.mb import DEFAULT_PERIOD_DAYS
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.estimate_views import EstimateSummary, EstimateView
from mukta_desktop.services.estimates import get_estimate, list_estimates
from mukta_desktop.services.mb_views import WorkOrderStatus, WorkOrderView
from mukta_desktop.services.revisions import estimate_in_force
from mukta_desktop.services.work_orders import (
    MAX_PERIOD_DAYS,
    create_work_order,
    list_work_orders,
)

from ..context import UiContext
from ..estimates.models import rupees
from ..estimates.templates_dialog import ServiceDialog
from ..messages import describe, report
from ..widgets import alive, date_edit, from_qdate, muted
from .work_order_view import add_row

MAX_ORGANISATION = 200
DEFAULT_WORK_DAYS = 90  # the end date first proposed: start + 90 days
_INVALID = "QLineEdit, QDateEdit, QSpinBox { border: 1px solid #b00020; background: #fdecea; }"


@dataclass(frozen=True, slots=True)
class InForce:
    """The estimate chosen and the one MBs will measure against."""

    chosen: str
    view: EstimateView  # the estimate in force


def awardable(estimates: list[EstimateSummary], awarded: set[str]) -> list[EstimateSummary]:
    """Approved original estimates not awarded by a live (active or completed) work order."""
    return [e for e in estimates
            if e.status is Status.APPROVED and e.revision_of is None and e.number not in awarded]


class WorkOrderDialog(ServiceDialog):
    """`created(WorkOrderView)` once the work order is made."""

    created = Signal(object)
    estimate_shown = Signal(object)  # InForce, after the estimate in force is read

    def __init__(self, ctx: UiContext, estimate_number: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, "New work order", parent)
        self.setObjectName("workOrderDialog")
        self.ok_button.setText("Create work order")
        self.in_force: InForce | None = None
        self.choices_loaded = estimate_number is not None
        self._generation = 0
        today = ctx.today()

        self.estimate_combo = QComboBox()
        self.estimate_combo.setObjectName("workOrderEstimate")
        self.estimate_combo.setMinimumContentsLength(48)
        self.estimate_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.in_force_label = muted(QLabel("Reading the estimate…"))
        self.in_force_label.setObjectName("estimateInForce")
        self.in_force_label.setWordWrap(True)
        self.organisation = QLineEdit()
        self.organisation.setObjectName("workOrderOrganisation")
        self.organisation.setMaxLength(MAX_ORGANISATION)
        self.organisation.setPlaceholderText("e.g. Maa Tarini Mahila SHG")
        self.issued = date_edit(today, maximum=today)
        self.issued.setObjectName("workOrderDate")
        self.issued.setToolTip("The date on the work order (today or earlier)")
        self.start = date_edit(today)
        self.start.setObjectName("workOrderStart")
        self.end = date_edit(today + timedelta(days=DEFAULT_WORK_DAYS))
        self.end.setObjectName("workOrderEnd")
        self.period_days = QSpinBox()
        self.period_days.setObjectName("workOrderPeriodDays")
        self.period_days.setRange(1, MAX_PERIOD_DAYS)
        self.period_days.setValue(DEFAULT_PERIOD_DAYS)
        self.period_days.setSuffix(" days")
        self.period_days.setToolTip("Each MB covers this many days; the first starts on the "
                                    "start date, each next the day after the previous ended")
        form = QFormLayout()
        form.addRow("&Estimate *", self.estimate_combo)
        form.addRow("", self.in_force_label)
        form.addRow("&Organisation (CBO) *", self.organisation)
        add_row(form, "Work order &date", self.issued)
        add_row(form, "Work from – &to *", self.start, "to", self.end)
        add_row(form, "MB &period", self.period_days)
        intro = muted(QLabel("The items of the approved estimate are awarded to the "
                             "organisation. Its number (WO/year/…) is given when it is "
                             "created."))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.fields: dict[str, QWidget] = {
            "organisation": self.organisation, "end": self.end, "start": self.start,
            "period_days": self.period_days, "work_order_date": self.issued,
        }
        self.organisation.textChanged.connect(lambda _t: self._mark(None))
        self.estimate_combo.currentIndexChanged.connect(lambda _i: self._estimate_changed())
        self.resize(600, self.sizeHint().height())

        if estimate_number is not None:
            self.estimate_combo.addItem(estimate_number, estimate_number)
            self.estimate_combo.setEnabled(False)
            self._estimate_changed()
        else:
            self.in_force_label.setText("Reading the approved estimates…")
            self._set_busy(True)
            db, tenant = ctx.db, ctx.actor.tenant

            def choices() -> list[EstimateSummary]:
                awarded = {w.estimate_number for w in list_work_orders(db, tenant=tenant)
                           if w.status is not WorkOrderStatus.CANCELLED}
                return awardable(list_estimates(db, tenant=tenant, statuses=[Status.APPROVED]),
                                 awarded)

            self.run(choices, self._show_choices)

    # ---------------------------------------------------------------- the estimate
    def _show_choices(self, estimates: list[EstimateSummary]) -> None:
        self.choices_loaded = True
        self.estimate_combo.blockSignals(True)
        for e in estimates:
            self.estimate_combo.addItem(f"{e.number} — {e.project_number} {e.project_name}",
                                        e.number)
        self.estimate_combo.blockSignals(False)
        if not estimates:
            self.in_force_label.setText("No approved estimate of your ULB waits for a work "
                                        "order. Approve an estimate first (Projects).")
            self.ok_button.setEnabled(False)
            return
        self.estimate_combo.setCurrentIndex(0)
        self._estimate_changed()

    def estimate_number(self) -> str | None:
        data = self.estimate_combo.currentData()
        return None if data is None else str(data)

    def select_estimate(self, number: str) -> bool:
        index = self.estimate_combo.findData(number)
        if index >= 0:
            self.estimate_combo.setCurrentIndex(index)
        return index >= 0

    def _estimate_changed(self) -> None:
        number = self.estimate_number()
        self.in_force = None
        self._generation += 1
        generation = self._generation
        if number is None:
            return
        self.in_force_label.setText("Reading the estimate…")
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> InForce:
            return InForce(number, get_estimate(db, estimate_in_force(db, number), viewer=actor))

        def done(result: InForce) -> None:
            if alive(self) and generation == self._generation:
                self._show_in_force(result)

        def failed(exc: Exception) -> None:
            report(exc)
            if alive(self) and generation == self._generation:
                self.in_force_label.setText(describe(exc))

        self.ctx.runner.submit(work, done, failed)

    def _show_in_force(self, result: InForce) -> None:
        self.in_force = result
        view = result.view
        kind = (f"{view.number}, revision {view.revision_no} of {view.revision_of}"
                if view.revision_of else view.number)
        self.in_force_label.setText(
            f"In force: {kind} · {rupees(view.total)} · {len(view.lines)} item"
            f"{'' if len(view.lines) == 1 else 's'} · {view.project.number} — "
            f"{view.project.name}")
        self.estimate_shown.emit(result)

    # ---------------------------------------------------------------- creating
    def _mark(self, field: str | None) -> None:
        """Mark the field a refusal names (None: clear the marks and the refusal)."""
        for name, widget in self.fields.items():
            widget.setStyleSheet(_INVALID if name == field else "")
        if field is None and self.message.kind == "error":
            self.message.clear_message()

    def submit(self) -> None:
        number = self.estimate_number()
        if number is None:
            self.message.show_error("Estimate: choose the approved estimate to award.")
            return
        organisation = " ".join(self.organisation.text().split())
        if not organisation:
            self.message.show_error("Organisation: give the organisation (CBO) the work is "
                                    "awarded to.")
            self._mark("organisation")
            self.organisation.setFocus()
            return
        db, actor, today = self.ctx.db, self.ctx.actor, self.ctx.today()
        start, end = from_qdate(self.start.date()), from_qdate(self.end.date())
        issued, days = from_qdate(self.issued.date()), self.period_days.value()

        def done(view: WorkOrderView) -> None:
            self.created.emit(view)
            self.accept()

        self.run(lambda: create_work_order(
            db, actor, estimate_number=number, organisation=organisation, start=start, end=end,
            today=today, work_order_date=issued, period_days=days), done)

    def show_failure(self, exc: Exception) -> None:
        super().show_failure(exc)
        if isinstance(exc, DomainError) and exc.field in self.fields:
            self._mark(exc.field)
            self.fields[exc.field].setFocus()


def open_work_order_dialog(ctx: UiContext, estimate_number: str | None, parent: QWidget,
                           on_created: Callable[[WorkOrderView], object]) -> WorkOrderDialog:
    """Show the dialog (not waited for); `on_created` gets the new work order."""
    dialog = WorkOrderDialog(ctx, estimate_number, parent)
    dialog.created.connect(on_created)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
