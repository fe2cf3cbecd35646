"""Creating a SOR (with an optional first rate) and modifying its description or status."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.sor import SorStatus, SorType
from mukta_desktop.services.sor_catalog import (
    MAX_DESCRIPTION,
    MAX_RATE_QUANTITY,
    NOT_APPLICABLE_VARIANT,
    NewSor,
    create_sor,
    get_sor,
    modify_sor,
)
from mukta_desktop.services.sor_views import SorDetail

from ..context import UiContext
from ..widgets import DecimalLineEdit, date_edit, from_qdate, muted
from .base import SorDialog
from .heads_form import RateHeadsForm


def _description_edit() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName("description")
    edit.setTabChangesFocus(True)
    lines = 4
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class NewSorDialog(SorDialog):
    """Create a SOR: the code is generated and shown after saving."""

    created = Signal(object)  # SorDetail

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "New SOR", parent)
        self.setObjectName("newSorDialog")
        self.result_detail: SorDetail | None = None
        masters = ctx.masters
        today = ctx.today()

        self.type_combo = QComboBox()
        self.type_combo.setObjectName("type")
        for t in masters.sor_types:
            self.type_combo.addItem(t.label, t.code)
        self.sub_type_combo = QComboBox()
        self.sub_type_combo.setObjectName("subType")
        self.variant_combo = QComboBox()
        self.variant_combo.setObjectName("variant")
        for v in masters.variants:
            self.variant_combo.addItem(v.label, v.code)
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("unit")
        for u in masters.units:
            self.unit_combo.addItem(u.label, u.code)
        self.rate_quantity = DecimalLineEdit(
            "Quantity for which rate is defined", places=4, minimum=Decimal("0.0001"),
            maximum=MAX_RATE_QUANTITY, blank_allowed=False)
        self.rate_quantity.setObjectName("rateQuantity")
        self.rate_quantity.setText("1")
        self.rate_quantity.setToolTip("Usually 1; a rate may be for 100 or 120 units.")
        self.description = _description_edit()
        self.description.setPlaceholderText("Describe the item as the schedule prints it")

        form = QFormLayout()
        form.addRow("&Type", self.type_combo)
        form.addRow("&Sub type", self.sub_type_combo)
        form.addRow("&Variant", self.variant_combo)
        form.addRow("&Unit", self.unit_combo)
        form.addRow("Rate defined for (qty)", self.rate_quantity)
        form.addRow("&Description", self.description)

        self.rate_box = QGroupBox("Add a first state rate now")
        self.rate_box.setObjectName("firstRate")
        self.rate_box.setCheckable(True)
        self.rate_box.setChecked(False)
        self.heads = RateHeadsForm()
        self.effective_from = date_edit(today, minimum=today)
        self.effective_from.setObjectName("effectiveFrom")
        rate_form = QFormLayout()
        rate_form.addRow("Effective from", self.effective_from)
        box_layout = QVBoxLayout(self.rate_box)
        box_layout.addLayout(rate_form)
        box_layout.addWidget(self.heads)

        self.created_label = QLabel()
        self.created_label.setObjectName("createdCode")
        big = QFont(self.created_label.font())
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.25)
        self.created_label.setFont(big)
        self.created_label.setStyleSheet("color: #1b5e20;")
        self.created_label.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setText("Create SOR")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        intro = QLabel("A new SOR gets the next code (SOR_000001 style) when it is created. "
                       "Code, type, sub type, variant, unit and quantity never change afterwards.")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.rate_box)
        layout.addWidget(self.message)
        layout.addWidget(self.created_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.rate_box.toggled.connect(self._rate_toggled)
        self._rate_toggled(False)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self.rate_quantity.value_changed.connect(self._refresh)
        self.description.textChanged.connect(self._refresh)
        self.heads.changed.connect(self._refresh)
        self.set_type(SorType.WORKS.value)
        self.resize(max(640, self.sizeHint().width()), self.sizeHint().height())

    # -- inputs -------------------------------------------------------------------------------
    def set_type(self, type_code: str) -> None:
        index = self.type_combo.findData(type_code)
        if index >= 0:
            self.type_combo.setCurrentIndex(index)
        self._type_changed()

    def type_code(self) -> str:
        return str(self.type_combo.currentData())

    def _type_changed(self) -> None:
        type_code = self.type_code()
        self.sub_type_combo.clear()
        for s in self.ctx.masters.sub_types_of(type_code):
            self.sub_type_combo.addItem(s.label, s.code)
        works = type_code == SorType.WORKS.value
        if not works:
            self.variant_combo.setCurrentIndex(
                self.variant_combo.findData(NOT_APPLICABLE_VARIANT))
        self.variant_combo.setEnabled(works)
        self.variant_combo.setToolTip("" if works else "Variant applies to works items only.")
        self.heads.set_type(type_code)
        self._refresh()

    def _rate_toggled(self, on: bool) -> None:
        self.heads.setVisible(on)
        self.effective_from.setEnabled(on)
        if self.isVisible():
            self.resize(self.width(), self.sizeHint().height())
        self._refresh()

    def problems(self) -> list[str]:
        found: list[str] = []
        if not self.rate_quantity.is_valid():
            found.append(self.rate_quantity.error() or "")
        text = self.description.toPlainText().strip()
        if not text:
            found.append("Description: describe the item.")
        elif len(text) > MAX_DESCRIPTION:
            found.append(f"Description: at most {MAX_DESCRIPTION} characters (got {len(text)}).")
        if self.rate_box.isChecked():
            if self.heads.errors():
                found.append("First rate: correct the heads marked in red.")
            elif not self.heads.has_amount():
                found.append("First rate: a rate needs at least one head above zero "
                             "(or untick 'Add a first state rate now').")
        return found

    def _refresh(self) -> None:
        if self.result_detail is not None:
            return
        self.save_button.setEnabled(not self.busy and not self.problems())

    # -- saving -------------------------------------------------------------------------------
    def new_sor(self) -> NewSor:
        problems = self.problems()
        if problems:
            raise ValidationError(" ".join(problems))
        rate_quantity = self.rate_quantity.value()
        assert rate_quantity is not None
        with_rate = self.rate_box.isChecked()
        return NewSor(
            type_code=self.type_code(),
            sub_type_code=str(self.sub_type_combo.currentData()),
            variant_code=str(self.variant_combo.currentData()),
            uom_code=str(self.unit_combo.currentData()),
            rate_quantity=rate_quantity,
            description=self.description.toPlainText().strip(),
            first_rate=self.heads.heads() if with_rate else None,
            first_rate_from=from_qdate(self.effective_from.date()) if with_rate else None,
        )

    def save(self) -> None:
        if self.busy or self.result_detail is not None:
            return
        try:
            new = self.new_sor()
        except ValidationError as exc:
            self.message.show_error(exc.message)
            return
        self.message.clear_message()
        ctx, today = self.ctx, self.ctx.today()
        self.busy = True
        self._refresh()
        self.run(lambda: create_sor(ctx.db, ctx.actor, new, today=today), self._created,
                 self._failed)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._refresh()
        self.show_failure(exc)

    def _created(self, detail: SorDetail) -> None:
        self.busy = False
        self.result_detail = detail
        self.created_label.setText(f"Created {detail.code}")
        self.created_label.show()
        self.message.show_info(f"The new SOR's code is {detail.code}."
                               + ("" if detail.current is not None or not self.rate_box.isChecked()
                                  else " Its first rate starts on the date chosen."))
        for widget in (self.type_combo, self.sub_type_combo, self.variant_combo, self.unit_combo,
                       self.rate_quantity, self.description, self.rate_box):
            widget.setEnabled(False)
        self.save_button.hide()
        close = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        close.setText("Close")
        close.setFocus()
        self.setWindowTitle(f"New SOR — {detail.code}")
        self.created.emit(detail)


class ModifySorDialog(SorDialog):
    """Change a SOR's description or status; nothing else of a SOR ever changes."""

    loaded = Signal(object)  # SorDetail
    saved = Signal(object)  # SorDetail

    def __init__(self, ctx: UiContext, code: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Modify SOR — {code}", parent)
        self.setObjectName("modifySorDialog")
        self.code = code
        self.detail: SorDetail | None = None
        self.about = QLabel("Loading…")
        self.about.setWordWrap(True)
        self.description = _description_edit()
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.status.addItem("Active", SorStatus.ACTIVE.value)
        self.status.addItem("Inactive (not offered for new estimates)", SorStatus.INACTIVE.value)
        note = QLabel("Code, type, sub type, variant, unit and quantity never change once a "
                      "SOR exists; rates are added, never edited.")
        note.setWordWrap(True)
        muted(note)
        form = QFormLayout()
        form.addRow("&Description", self.description)
        form.addRow("&Status", self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.description.textChanged.connect(self._refresh)
        self.status.currentIndexChanged.connect(self._refresh)
        today = ctx.today()
        self.run(lambda: get_sor(ctx.db, code, at=today, tenant=ctx.actor.tenant), self._loaded)

    def _loaded(self, detail: SorDetail) -> None:
        self.detail = detail
        self.about.setText(f"<b>{detail.code}</b> — {detail.type_name} · {detail.sub_type_name}"
                           f" · {detail.variant_name} · {detail.uom}")
        self.description.setPlainText(detail.description)
        self.status.setCurrentIndex(max(0, self.status.findData(detail.status)))
        self._refresh()
        self.description.setFocus()
        self.loaded.emit(detail)

    def _changes(self) -> tuple[str | None, str | None]:
        assert self.detail is not None
        text = self.description.toPlainText().strip()
        status = str(self.status.currentData())
        return (text if text != self.detail.description else None,
                status if status != self.detail.status else None)

    def _refresh(self) -> None:
        if self.detail is None:
            self.save_button.setEnabled(False)
            return
        description, status = self._changes()
        text = self.description.toPlainText().strip()
        if not text:
            self.message.show_error("Description: describe the item.")
        elif len(text) > MAX_DESCRIPTION:
            self.message.show_error(f"Description: at most {MAX_DESCRIPTION} characters "
                                    f"(got {len(text)}).")
        else:
            self.message.clear_message()
        self.save_button.setEnabled(
            not self.busy and self.message.kind != "error"
            and (description is not None or status is not None))

    def save(self) -> None:
        if self.detail is None or self.busy:
            return
        description, status = self._changes()
        ctx, code, today = self.ctx, self.detail.code, self.ctx.today()
        self.busy = True
        self.save_button.setEnabled(False)
        self.run(lambda: modify_sor(ctx.db, ctx.actor, code, description=description,
                                    status=status, today=today),
                 self._saved, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._refresh()
        self.show_failure(exc)

    def _saved(self, detail: SorDetail) -> None:
        self.busy = False
        self.saved.emit(detail)
        self.accept()
