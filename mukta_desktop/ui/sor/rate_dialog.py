"""Add or revise a rate: heads typed as text, live cess and total, effective today or later."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.domain.sor import STATE_TENANT
from mukta_desktop.services.sor_catalog import add_rate, get_sor
from mukta_desktop.services.sor_views import RateInfo, SorDetail

from ..context import UiContext
from ..messages import report
from ..widgets import date_edit, from_qdate, to_qdate
from .base import SorDialog, earliest_rate_date
from .heads_form import RateHeadsForm
from .models import per_text


class AddRateDialog(SorDialog):
    """Add a rate to a SOR for the state or a ULB (a revision when one is in force)."""

    loaded = Signal(object)  # SorDetail
    saved = Signal(object)  # RateInfo

    def __init__(self, ctx: UiContext, code: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Add / revise rate — {code}", parent)
        self.setObjectName("addRateDialog")
        self.code = code
        self.detail: SorDetail | None = None
        self._request = 0  # a load still on its way for an older tenant choice is dropped
        self._first_load = True
        today = ctx.today()

        self.heading = QLabel(code)
        heading_font = QFont(self.heading.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        self.heading.setFont(heading_font)
        self.heading.setWordWrap(True)
        self.about = QLabel("Loading…")
        self.about.setWordWrap(True)
        self.current = QLabel()
        self.current.setObjectName("currentRate")
        self.current.setWordWrap(True)

        self.tenant = QComboBox()
        self.tenant.setObjectName("tenant")
        for tenant_code, label in self.tenant_choices():
            self.tenant.addItem(label, tenant_code)
        self.tenant.setEnabled(self.tenant.count() > 1)
        self.tenant.currentIndexChanged.connect(self._tenant_changed)
        self.effective_from = date_edit(today, minimum=today)
        self.effective_from.setObjectName("effectiveFrom")
        self.effective_from.setToolTip("A new rate starts today or later; history is never "
                                       "rewritten.")
        form = QFormLayout()
        form.addRow("Rate for", self.tenant)
        form.addRow("Effective from", self.effective_from)

        self.heads = RateHeadsForm()
        self.heads.changed.connect(self._refresh_buttons)
        box = QGroupBox("Head-wise rate")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.heads)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.about)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        QWidget.setTabOrder(self.tenant, self.effective_from)
        QWidget.setTabOrder(self.effective_from, self.heads.edits["material"])
        self.setMinimumWidth(self.sizeHint().width() + 40)
        self._load()

    # -- loading ------------------------------------------------------------------------------
    def _load(self) -> None:
        """Read the SOR as seen by the chosen tenant (its own rates, else the state's)."""
        self._request += 1
        request = self._request
        self.detail = None
        self._set_inputs_enabled(False)
        ctx, code, tenant, today = self.ctx, self.code, self.selected_tenant(), self.ctx.today()
        self.run(lambda: get_sor(ctx.db, code, at=today, tenant=tenant),
                 lambda detail: self._loaded(request, detail),
                 lambda exc: self._load_failed(request, exc))

    def _loaded(self, request: int, detail: SorDetail) -> None:
        if request != self._request or detail.tenant != self.selected_tenant():
            return  # the tenant was changed again meanwhile
        first = self._first_load
        self._first_load = False
        self.detail = detail
        self.heading.setText(f"{detail.code}")
        self.about.setText(f"{detail.description}\n{detail.type_name} · {detail.sub_type_name}"
                           f" · rate for {per_text(detail.rate_quantity, detail.uom)}")
        self.heads.set_type(detail.type_code)
        self.heads.set_heads(None if detail.current is None else detail.current.heads)
        self.current.setText(self._current_text(detail))
        today = self.ctx.today()
        self.effective_from.setMinimumDate(to_qdate(today))
        self.effective_from.setDate(
            to_qdate(earliest_rate_date(detail.history, detail.tenant, today)))
        self._set_inputs_enabled(True)
        if first:
            self.heads.edits["material"].setFocus()
        self.loaded.emit(detail)

    def _load_failed(self, request: int, exc: Exception) -> None:
        if request == self._request:
            self.show_failure(exc)
        else:
            report(exc)  # logged; the load for the tenant chosen now is still on its way

    def _tenant_changed(self) -> None:
        self.message.clear_message()
        self._load()

    def _current_text(self, detail: SorDetail) -> str:
        """What is in force today for the chosen tenant, and whose rate it is."""
        tenant = detail.tenant
        name = self.ctx.masters.tenant_name(tenant)
        state = tenant == STATE_TENANT
        c = detail.current
        if c is None:
            text = ("No rate is in force today: the heads below start blank." if state
                    else f"No rate is in force today for {name}, neither its own nor a state "
                         "rate: the heads below start blank.")
        else:
            if state:
                whose = f"({c.tenant_name} state rate)"
            elif c.tenant == tenant:
                whose = f"({name}'s own rate)"
            else:
                whose = (f"— the {c.tenant_name} state rate, as {name} has no rate of its "
                         "own in force")
            text = (f"Rate in force today{'' if state else f' for {name}'}: "
                    f"₹ {format_money(c.total)} from {format_date(c.effective_from)} {whose}. "
                    "The heads below start from it; change what is revised.")
        upcoming = [r for r in detail.history
                    if r.tenant == tenant and r.effective_from > self.ctx.today()]
        if upcoming:
            latest = max(r.effective_from for r in upcoming)
            series = "state" if state else name
            text += (f" A {series} rate from {format_date(latest)} is already set: a new one "
                     "starts after it.")
        return text

    # -- saving -------------------------------------------------------------------------------
    def selected_tenant(self) -> str:
        value = self.tenant.currentData()
        return str(value) if value is not None else STATE_TENANT

    def selected_date(self) -> date:
        return from_qdate(self.effective_from.date())

    def _set_inputs_enabled(self, enabled: bool) -> None:
        """Heads and date while a SOR is loaded and nothing is saving; the tenant whenever
        nothing is saving (changing it reloads)."""
        ready = enabled and self.detail is not None
        self.heads.setEnabled(ready)
        self.effective_from.setEnabled(ready)
        self.tenant.setEnabled(not self.busy and self.tenant.count() > 1)
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        ready = self.detail is not None and not self.busy and self.heads.has_amount()
        self.save_button.setEnabled(ready)

    def save(self) -> None:
        if self.detail is None or self.busy:
            return
        heads = self.heads.heads()
        if heads is None:
            self.message.show_error("Correct the heads marked in red first.")
            return
        if not self.heads.has_amount():
            self.message.show_error("A rate needs at least one head above zero.")
            return
        self.message.clear_message()
        ctx, code = self.ctx, self.detail.code
        tenant, effective_from, today = self.selected_tenant(), self.selected_date(), ctx.today()
        self.busy = True
        self._set_inputs_enabled(False)
        self.run(lambda: add_rate(ctx.db, ctx.actor, code, heads, effective_from=effective_from,
                                  tenant=tenant, today=today),
                 self._saved, self._save_failed)

    def _saved(self, info: RateInfo) -> None:
        self.busy = False
        self.saved.emit(info)
        self.accept()

    def _save_failed(self, exc: Exception) -> None:
        self.busy = False
        self._set_inputs_enabled(True)
        self.show_failure(exc)
