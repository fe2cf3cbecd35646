"""Rate analysis of a works SOR: basic SORs and quantities, extra charges, a live preview."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.numbers import format_money
from mukta_desktop.domain.sor import STATE_TENANT, SorType
from mukta_desktop.services.rate_analysis import (
    ChargeInput,
    LineInput,
    preview_analysis,
    save_analysis,
)
from mukta_desktop.services.sor_catalog import SorQuery, get_sor, search_sors
from mukta_desktop.services.sor_views import AnalysisInfo, RateInfo, SorDetail, SorPage

from ..context import UiContext
from ..widgets import (
    DecimalLineEdit,
    InlineMessage,
    configure_table,
    date_edit,
    from_qdate,
    to_qdate,
)
from .base import SorDialog, earliest_rate_date
from .models import (
    CHARGE_KINDS,
    AnalysisInputTableModel,
    BasicItem,
    ChargeDraft,
    ChargesInputTableModel,
    RateHeadsTableModel,
    parse_charge_value,
    per_text,
)

PREVIEW_DELAY_MS = 250
_SEPARATOR = " — "


class KindDelegate(QStyledItemDelegate):
    """Edits a charge's kind with a combo box (PERCENT / FIXED)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem("Percent", "PERCENT")
        combo.addItem("Fixed ₹", "FIXED")
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class RateAnalysisDialog(SorDialog):
    """Write (or revise) the rate analysis of a works SOR and save the rate it gives."""

    loaded = Signal(object)  # SorDetail
    previewed = Signal(object)  # AnalysisInfo
    saved = Signal(object)  # RateInfo

    def __init__(self, ctx: UiContext, code: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Rate analysis — {code}", parent)
        self.setObjectName("rateAnalysisDialog")
        self.code = code
        self.detail: SorDetail | None = None
        self.basics: dict[str, BasicItem] = {}
        self.preview: AnalysisInfo | None = None
        self._request = 0
        today = ctx.today()

        self.heading = QLabel(code)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.about = QLabel("Loading…")
        self.about.setWordWrap(True)

        self.quantity = DecimalLineEdit("Analysis quantity", places=4,
                                        minimum=Decimal("0.0001"),
                                        maximum=Decimal("99999.9999"), blank_allowed=False)
        self.quantity.setObjectName("analysisQuantity")
        self.quantity.setText("1")
        self.quantity.setMaximumWidth(self.quantity.fontMetrics().horizontalAdvance("99999.9999")
                                      + 24)
        self.quantity_unit = QLabel()
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.quantity)
        quantity_row.addWidget(self.quantity_unit)
        quantity_row.addStretch(1)
        self.effective_from = date_edit(today, minimum=today)
        self.effective_from.setObjectName("effectiveFrom")
        top_form = QFormLayout()
        quantity_label = QLabel("Analysis &quantity")
        quantity_label.setBuddy(self.quantity)
        top_form.addRow(quantity_label, quantity_row)
        top_form.addRow("&Effective from", self.effective_from)

        # Lines ---------------------------------------------------------------------------
        self.basic_code = QLineEdit()
        self.basic_code.setObjectName("basicCode")
        self.basic_code.setPlaceholderText("Basic SOR: type a code or words of the description")
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.basic_code.setCompleter(completer)
        self.line_quantity = DecimalLineEdit("Quantity", places=4, minimum=Decimal("0.0001"),
                                             maximum=Decimal("99999.9999"))
        self.line_quantity.setObjectName("lineQuantity")
        self.line_quantity.setPlaceholderText("Quantity")
        self.line_quantity.setMaximumWidth(
            self.line_quantity.fontMetrics().horizontalAdvance("99999.9999") + 24)
        self.add_line_button = QPushButton("&Add line")
        self.add_line_button.setObjectName("addLineButton")
        self.remove_line_button = QPushButton("Remove line")
        self.remove_line_button.setObjectName("removeLineButton")
        self.lines = AnalysisInputTableModel(parent=self)
        self.lines_view = QTableView()
        self.lines_view.setObjectName("lines")
        self.lines_view.setModel(self.lines)
        configure_table(self.lines_view, stretch_column=1, widths={0: 12, 2: 6, 3: 10, 4: 14,
                                                                   5: 14})
        self.lines_view.setMinimumHeight(self.lines_view.verticalHeader().defaultSectionSize()
                                         * 6)
        line_input = QHBoxLayout()
        line_input.addWidget(self.basic_code, 1)
        line_input.addWidget(self.line_quantity)
        line_input.addWidget(self.add_line_button)
        line_input.addWidget(self.remove_line_button)
        lines_box = QGroupBox("Basic SORs (material, labour, machinery) for the analysis quantity")
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addLayout(line_input)
        lines_layout.addWidget(self.lines_view)

        # Charges -------------------------------------------------------------------------
        self.charge_description = QLineEdit()
        self.charge_description.setObjectName("chargeDescription")
        self.charge_description.setPlaceholderText("Extra charge, e.g. Water charges")
        self.charge_kind = QComboBox()
        self.charge_kind.setObjectName("chargeKind")
        self.charge_kind.addItem("Percent", "PERCENT")
        self.charge_kind.addItem("Fixed ₹", "FIXED")
        self.charge_value = QLineEdit()
        self.charge_value.setObjectName("chargeValue")
        self.charge_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.charge_value.setPlaceholderText("Value")
        self.charge_value.setMaximumWidth(
            self.charge_value.fontMetrics().horizontalAdvance("99,99,999.99") + 24)
        self.add_charge_button = QPushButton("Add c&harge")
        self.add_charge_button.setObjectName("addChargeButton")
        self.remove_charge_button = QPushButton("Remove charge")
        self.charges = ChargesInputTableModel(parent=self)
        self.charges_view = QTableView()
        self.charges_view.setObjectName("charges")
        self.charges_view.setModel(self.charges)
        self.charges_view.setItemDelegateForColumn(ChargesInputTableModel.KIND,
                                                   KindDelegate(self.charges_view))
        configure_table(self.charges_view, stretch_column=0, widths={1: 10, 2: 10, 3: 14})
        self.charges_view.setMinimumHeight(self.charges_view.verticalHeader().defaultSectionSize()
                                           * 3)
        charge_input = QHBoxLayout()
        charge_input.addWidget(self.charge_description, 1)
        charge_input.addWidget(self.charge_kind)
        charge_input.addWidget(self.charge_value)
        charge_input.addWidget(self.add_charge_button)
        charge_input.addWidget(self.remove_charge_button)
        charges_box = QGroupBox("Extra charges (percentages are of the sum of the heads)")
        charges_layout = QVBoxLayout(charges_box)
        charges_layout.addLayout(charge_input)
        charges_layout.addWidget(self.charges_view)

        # Result --------------------------------------------------------------------------
        self.result_heads = RateHeadsTableModel(parent=self)
        self.result_view = QTableView()
        self.result_view.setObjectName("resultHeads")
        self.result_view.setModel(self.result_heads)
        configure_table(self.result_view, stretch_column=0)
        self.result_view.setColumnWidth(
            1, self.result_view.fontMetrics().horizontalAdvance("99,99,99,999.99") + 30)
        self.result_view.setMinimumWidth(
            self.result_view.fontMetrics().horizontalAdvance("Exploration Mineral Fund") * 2 + 20)
        self.result_view.setMinimumHeight(
            self.result_view.verticalHeader().defaultSectionSize() * 11 + 4)
        self.total_label = QLabel("—")
        self.total_label.setObjectName("previewTotal")
        bold = QFont(self.total_label.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.total_label.setFont(bold)
        self.total_label.setWordWrap(True)
        self.preview_message = InlineMessage()
        self.preview_message.setObjectName("previewMessage")
        result_box = QGroupBox("Resulting rate per unit (live)")
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.result_view, 1)
        result_layout.addWidget(self.total_label)
        result_layout.addWidget(self.preview_message)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setText("Save analysis and rate")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        # Enter adds lines here; it must never save by accident.
        for button in (self.save_button, self.add_line_button, self.remove_line_button,
                       self.add_charge_button, self.remove_charge_button,
                       self.buttons.button(QDialogButtonBox.StandardButton.Cancel)):
            button.setAutoDefault(False)
            button.setDefault(False)

        left = QVBoxLayout()
        left.addLayout(top_form)
        left.addWidget(lines_box, 3)
        left.addWidget(charges_box, 1)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(result_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.about)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.request_preview)

        self.basic_code.returnPressed.connect(self.line_quantity.setFocus)
        self.line_quantity.returnPressed.connect(self.add_line)
        self.add_line_button.clicked.connect(self.add_line)
        self.remove_line_button.clicked.connect(self.remove_line)
        self.charge_value.returnPressed.connect(self.add_charge)
        self.add_charge_button.clicked.connect(self.add_charge)
        self.remove_charge_button.clicked.connect(self.remove_charge)
        self.lines.lines_changed.connect(self.schedule_preview)
        self.lines.input_error.connect(self.message.show_error)
        self.charges.charges_changed.connect(self.schedule_preview)
        self.charges.input_error.connect(self.message.show_error)
        self.quantity.value_changed.connect(self.schedule_preview)
        self.effective_from.dateChanged.connect(self.schedule_preview)

        QWidget.setTabOrder(self.quantity, self.effective_from)
        QWidget.setTabOrder(self.effective_from, self.basic_code)
        QWidget.setTabOrder(self.basic_code, self.line_quantity)
        QWidget.setTabOrder(self.line_quantity, self.add_line_button)
        QWidget.setTabOrder(self.add_line_button, self.lines_view)
        QWidget.setTabOrder(self.lines_view, self.charge_description)
        QWidget.setTabOrder(self.charge_description, self.charge_kind)
        QWidget.setTabOrder(self.charge_kind, self.charge_value)
        QWidget.setTabOrder(self.charge_value, self.add_charge_button)
        QWidget.setTabOrder(self.add_charge_button, self.charges_view)

        self.resize(1180, 760)
        self._refresh_buttons()
        self.run(lambda: get_sor(ctx.db, code, at=today, tenant=STATE_TENANT), self._loaded)
        query = SorQuery(status="ACTIVE", limit=None, tenant=STATE_TENANT)
        self.run(lambda: search_sors(ctx.db, query, today), self._basics_loaded)

    # -- loading ------------------------------------------------------------------------------
    def _loaded(self, detail: SorDetail) -> None:
        self.detail = detail
        self.heading.setText(detail.code)
        self.quantity_unit.setText(detail.uom)
        if detail.type_code != SorType.WORKS.value:
            self.about.setText(detail.description)
            self.message.show_error(f"{detail.code} is a {detail.type_name.lower()} item; only "
                                    "works SORs have a rate analysis.")
            self._refresh_buttons()
            self.loaded.emit(detail)
            return
        self.about.setText(f"{detail.description}\nRate for "
                           f"{per_text(detail.rate_quantity, detail.uom)}. The analysis is "
                           "made with the state rates of the basic SORs in force on the "
                           "effective date.")
        self.effective_from.setDate(
            to_qdate(earliest_rate_date(detail.history, STATE_TENANT, self.ctx.today())))
        if detail.analysis is not None:
            a = detail.analysis
            self.quantity.set_value(a.analysis_quantity)
            for line in a.lines:
                self.lines.add_line(BasicItem(line.code, line.description, "", line.uom,
                                              line.rate_quantity, line.rate_total),
                                    line.quantity)
            for charge in a.charges:
                self.charges.add_charge(ChargeDraft(charge.description, charge.kind,
                                                    charge.value))
            self.message.show_hint(
                f"Starting from the analysis of {format_date(a.effective_from)}; saving adds a "
                "new rate from the effective date, the old one stays in the history.")
        self._refresh_buttons()
        self.basic_code.setFocus()
        self.loaded.emit(detail)

    def _basics_loaded(self, page: SorPage) -> None:
        self.basics = {
            r.code: BasicItem(r.code, r.description, r.type_code, r.uom, r.rate_quantity,
                              r.rate_total)
            for r in page.rows if r.type_code != SorType.WORKS.value}
        self.completer_model.setStringList([b.label for b in self.basics.values()])

    # -- lines and charges --------------------------------------------------------------------
    def find_basic(self, text: str) -> BasicItem:
        code = text.split(_SEPARATOR, 1)[0].strip()
        if not code:
            raise ValidationError("Basic SOR: type a code or choose one from the list.")
        item = self.basics.get(code) or self.basics.get(code.upper())
        if item is None:
            raise ValidationError(
                f"Basic SOR: '{code}' is not an active material, labour or machinery SOR.")
        return item

    def add_line(self) -> None:
        try:
            item = self.find_basic(self.basic_code.text())
            if not self.line_quantity.is_valid() or self.line_quantity.value() is None:
                raise ValidationError(self.line_quantity.error()
                                      or f"Quantity of {item.code}: type the quantity used; "
                                         "allowed: 0.0001 to 99,999.9999.")
        except ValidationError as exc:
            self.message.show_error(exc.message)
            return
        quantity = self.line_quantity.value()
        assert quantity is not None
        if self.lines.add_line(item, quantity):
            self.message.clear_message()
            self.basic_code.clear()
            self.line_quantity.clear()
            self.basic_code.setFocus()

    def remove_line(self) -> None:
        self.lines.remove_line(self.lines_view.currentIndex().row())

    def add_charge(self) -> None:
        description = self.charge_description.text().strip()
        kind = str(self.charge_kind.currentData())
        try:
            if not description:
                raise ValidationError("Extra charge: describe it (e.g. Water charges).")
            value = parse_charge_value(self.charge_value.text(), kind, description)
        except ValidationError as exc:
            self.message.show_error(exc.message)
            return
        self.message.clear_message()
        self.charges.add_charge(ChargeDraft(description, kind, value))
        self.charge_description.clear()
        self.charge_value.clear()
        self.charge_description.setFocus()

    def remove_charge(self) -> None:
        self.charges.remove_charge(self.charges_view.currentIndex().row())

    # -- preview ------------------------------------------------------------------------------
    def inputs(self) -> tuple[Decimal, list[LineInput], list[ChargeInput], date]:
        quantity = self.quantity.value()
        if quantity is None:
            raise ValidationError(self.quantity.error() or "Analysis quantity: type a number.")
        lines = [LineInput(d.item.code, d.quantity) for d in self.lines.rows]
        if not lines:
            raise ValidationError("Add at least one basic SOR line.")
        charges = [ChargeInput(c.description, c.kind, c.value) for c in self.charges.rows
                   if c.kind in CHARGE_KINDS]
        return quantity, lines, charges, from_qdate(self.effective_from.date())

    def schedule_preview(self) -> None:
        self._request += 1  # any result still on its way is now stale
        self.preview = None
        self._refresh_buttons()
        self.preview_timer.start()

    def request_preview(self) -> None:
        self._request += 1
        request = self._request
        try:
            quantity, lines, charges, at = self.inputs()
        except ValidationError as exc:
            self._show_preview(None, exc.message)
            return
        db = self.ctx.db
        self.run(lambda: preview_analysis(db, analysis_quantity=quantity, lines=lines,
                                          charges=charges, at=at, tenant=STATE_TENANT),
                 lambda info: self._previewed(request, info),
                 lambda exc: self._preview_failed(request, exc))

    def _previewed(self, request: int, info: AnalysisInfo) -> None:
        if request != self._request:
            return
        self._show_preview(info, "")
        self.previewed.emit(info)

    def _preview_failed(self, request: int, exc: Exception) -> None:
        if request != self._request:
            return
        from ..messages import describe, report

        report(exc)
        self._show_preview(None, describe(exc))

    def _show_preview(self, info: AnalysisInfo | None, problem: str) -> None:
        self.preview = info
        if info is None:
            self.result_heads.set_heads(None)
            self.lines.set_preview(None)
            self.charges.set_amounts(None)
            self.total_label.setText("—")
            self.preview_message.show_error(problem)
        else:
            self.result_heads.set_heads(info.heads)
            # rates and contributions both as in force on the effective date
            self.lines.set_preview(info.lines)
            self.charges.set_amounts([c.amount for c in info.charges])
            unit = self.detail.uom if self.detail is not None else "unit"
            self.total_label.setText(f"Rate: ₹ {format_money(info.total)} per {unit}")
            self.preview_message.clear_message()
        self._refresh_buttons()

    # -- saving -------------------------------------------------------------------------------
    def _refresh_buttons(self) -> None:
        works = self.detail is not None and self.detail.type_code == SorType.WORKS.value
        self.save_button.setEnabled(works and not self.busy and self.preview is not None)

    def save(self) -> None:
        if self.detail is None or self.busy or self.preview is None:
            return
        try:
            quantity, lines, charges, effective_from = self.inputs()
        except ValidationError as exc:
            self.message.show_error(exc.message)
            return
        ctx, code, today = self.ctx, self.detail.code, self.ctx.today()
        self.busy = True
        self._refresh_buttons()
        self.message.clear_message()
        self.run(lambda: save_analysis(ctx.db, ctx.actor, code, analysis_quantity=quantity,
                                       lines=lines, charges=charges,
                                       effective_from=effective_from, today=today),
                 self._saved, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._refresh_buttons()
        self.show_failure(exc)

    def _saved(self, info: RateInfo) -> None:
        self.busy = False
        self.saved.emit(info)
        self.accept()
