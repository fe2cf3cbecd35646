"""The MB checks of bills on screen: does an approved MB cover a muster roll's period and its
wage bill (labour utilization), and may a purchase bill be paid against approved MBs (material
utilization not billed yet)? The services decide; this dialog asks and says what they found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.mb import Period
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.bills import muster_roll_check, purchase_bill_check
from mukta_desktop.services.mb_views import (
    MusterRollResult,
    PurchaseBillResult,
    WorkOrderView,
)

from ..context import UiContext
from ..widgets import DecimalLineEdit, InlineMessage, date_edit, from_qdate, muted
from .work_order_view import add_row, period_text, row_of, run_here


def default_muster_period(view: WorkOrderView) -> Period:
    """The latest approved MB's period; before any, the first period of the work order."""
    approved = [mb.period for mb in view.mbs if mb.status is Status.APPROVED]
    if approved:
        return approved[-1]
    end = min(view.start_date + timedelta(days=view.period_days - 1), view.end_date)
    return Period(view.start_date, end)


def _group(title: str, name: str) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title)
    box.setObjectName(name)
    form = QFormLayout(box)
    return box, form


Result = MusterRollResult | PurchaseBillResult


def passed(result: Result) -> bool:
    return result.check.covered if isinstance(result, MusterRollResult) else result.check.allowed


class _Check:
    """One check's button and what it says: the service's finding (green when the bill may
    go ahead, red when not) and its warnings."""

    def __init__(self, dialog: QDialog, ctx: UiContext, text: str, name: str) -> None:
        self.dialog = dialog
        self.ctx = ctx
        self.result: Result | None = None
        self.button = QPushButton(text)
        self.button.setObjectName(f"check{name}")
        self.message = InlineMessage()
        self.message.setObjectName(f"{name}Message")
        self.warning = InlineMessage()
        self.warning.setObjectName(f"{name}Warning")

    def add_to(self, form: QFormLayout) -> None:
        form.addRow("", row_of(self.button))
        form.addRow(self.message)
        form.addRow(self.warning)

    def refuse(self, text: str) -> None:
        self.warning.clear_message()
        self.message.show_error(text)

    def run(self, work: Callable[[], Result]) -> None:
        self.warning.clear_message()
        self.button.setEnabled(False)
        self.message.show_hint("Checking…")

        def done(result: Result) -> None:
            self.button.setEnabled(True)
            self.result = result
            check = result.check
            if passed(result):
                self.message.show_info(check.message)
            else:
                self.message.show_error(check.message)
            self.warning.show_error("\n".join(f"Warning: {w}" for w in check.warnings))

        run_here(self.dialog, self.ctx, self.message, work, done,
                 lambda: self.button.setEnabled(True))


class BillsDialog(QDialog):
    """Muster roll and purchase bill checks of one work order; the last results are kept in
    `muster_result` and `purchase_result`."""

    def __init__(self, ctx: UiContext, view: WorkOrderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("billsDialog")
        self.setWindowTitle(f"Bill checks — {view.number}")
        self.ctx = ctx
        self.number = view.number
        self.muster = _Check(self, ctx, "Check muster roll", "MusterRoll")
        self.purchase = _Check(self, ctx, "Check purchase bill", "PurchaseBill")
        approved = [mb for mb in view.mbs if mb.status is Status.APPROVED]
        summary = ("Approved MBs: " + "; ".join(
            f"{mb.number} ({period_text(mb.period)})" for mb in approved)
            if approved else "No MB of this work order is approved yet.")
        self.intro = muted(QLabel(f"{view.number} · {view.organisation} · {summary}"))
        self.intro.setObjectName("billsIntro")
        self.intro.setWordWrap(True)

        # Muster roll ----------------------------------------------------------------------
        period = default_muster_period(view)
        muster_box, muster_form = _group("Muster roll (wage bill)", "musterRollBox")
        self.muster_from = date_edit(period.start)
        self.muster_from.setObjectName("musterFrom")
        self.muster_to = date_edit(period.end)
        self.muster_to.setObjectName("musterTo")
        self.wage_bill = DecimalLineEdit("Wage bill amount", blank_allowed=False)
        self.wage_bill.setObjectName("wageBill")
        self.wage_bill.setPlaceholderText("₹")
        self.muster.button.clicked.connect(self.check_muster_roll)
        add_row(muster_form, "Muster roll &period", self.muster_from, "to", self.muster_to)
        add_row(muster_form, "&Wage bill (₹)", self.wage_bill)
        self.muster.add_to(muster_form)

        # Purchase bill --------------------------------------------------------------------
        purchase_box, purchase_form = _group("Purchase bill (materials)", "purchaseBillBox")
        self.purchase_amount = DecimalLineEdit("Purchase bill amount", blank_allowed=False)
        self.purchase_amount.setObjectName("purchaseAmount")
        self.purchase_amount.setPlaceholderText("₹")
        self.billed_before = DecimalLineEdit("Amount billed before")
        self.billed_before.setObjectName("billedBefore")
        self.billed_before.setPlaceholderText("0.00")
        self.purchase.button.clicked.connect(self.check_purchase_bill)
        for amount in (self.wage_bill, self.purchase_amount, self.billed_before):
            amount.setMinimumWidth(180)
        add_row(purchase_form, "Bill &amount (₹)", self.purchase_amount)
        add_row(purchase_form, "Billed &before (₹)", self.billed_before)
        self.purchase.add_to(purchase_form)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(muster_box)
        layout.addWidget(purchase_box)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())

    # ---------------------------------------------------------------- checking
    def check_muster_roll(self) -> None:
        amount = self.wage_bill.value()
        if amount is None:
            self.muster.refuse(self.wage_bill.error() or "Type the wage bill.")
            return
        db, actor, number = self.ctx.db, self.ctx.actor, self.number
        start, end = from_qdate(self.muster_from.date()), from_qdate(self.muster_to.date())
        self.muster.run(lambda: muster_roll_check(db, number, start=start, end=end,
                                                  wage_bill=amount, actor=actor))

    def check_purchase_bill(self) -> None:
        amount = self.purchase_amount.value()
        if amount is None or not self.billed_before.is_valid():
            self.purchase.refuse(self.purchase_amount.error() or self.billed_before.error()
                                 or "Type the purchase bill amount.")
            return
        before = self.billed_before.value() or ZERO
        db, actor, number = self.ctx.db, self.ctx.actor, self.number
        self.purchase.run(lambda: purchase_bill_check(db, number, amount=amount,
                                                      billed_before=before, actor=actor))

    @property
    def muster_result(self) -> MusterRollResult | None:
        result = self.muster.result
        return result if isinstance(result, MusterRollResult) else None

    @property
    def purchase_result(self) -> PurchaseBillResult | None:
        result = self.purchase.result
        return result if isinstance(result, PurchaseBillResult) else None
