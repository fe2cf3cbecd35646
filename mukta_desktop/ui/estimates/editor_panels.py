"""Smaller parts of the estimate editor: the non-SOR line form, a revision line's reason for
deviation and the totals panel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mukta_desktop.domain.numbers import ZERO, format_indian, format_money
from mukta_desktop.services.estimates import MAX_RATE
from mukta_desktop.services.masters import Masters
from mukta_desktop.services.words import rupees_in_words

from ..widgets import ALIGN_RIGHT, DecimalLineEdit, InlineMessage, muted
from .document import DocLine, EstimateDocument, non_sor_line
from .editor_models import MAX_DESCRIPTION, MAX_UNIT, quantity_display, rate_display


class NonSorForm(QWidget):
    """Description, unit and rate (typed as text) of an item the SOR does not have."""

    submitted = Signal(object)  # DocLine

    def __init__(self, masters: Masters, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nonSorForm")
        self.description = QLineEdit()
        self.description.setObjectName("nonSorDescription")
        self.description.setMaxLength(MAX_DESCRIPTION)
        self.description.setPlaceholderText("What the item is")
        self.unit = QComboBox()
        self.unit.setObjectName("nonSorUnit")
        self.unit.setEditable(True)
        self.unit.addItem("")
        for unit in masters.units:
            self.unit.addItem(unit.code)
            self.unit.setItemData(self.unit.count() - 1, unit.name, Qt.ItemDataRole.ToolTipRole)
        line_edit = self.unit.lineEdit()
        if line_edit is not None:
            line_edit.setMaxLength(MAX_UNIT)
            line_edit.setPlaceholderText("CUM, SQM, NOS…")
        self.rate = DecimalLineEdit("Rate", places=2, maximum=MAX_RATE, blank_allowed=False)
        self.rate.setObjectName("nonSorRate")
        self.rate.setPlaceholderText("0.00")
        self.add_button = QPushButton("Add non-SOR line")
        self.add_button.setObjectName("addNonSor")
        self.add_button.clicked.connect(self.submit)
        self.rate.returnPressed.connect(self.submit)
        self.description.returnPressed.connect(lambda: self.unit.setFocus())
        self.message = InlineMessage()
        self.message.setObjectName("nonSorMessage")

        form = QFormLayout()
        form.addRow("Description", self.description)
        form.addRow("Unit", self.unit)
        form.addRow("Rate (₹)", self.rate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(muted(QLabel("An item the Schedule of Rates does not have: its rate is "
                                      "typed, per one unit.")))
        layout.addLayout(form)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.setFocusProxy(self.description)

    def submit(self) -> DocLine | None:
        description = " ".join(self.description.text().split())
        unit = self.unit.currentText().strip()
        if not description:
            self.message.show_error("Description: describe the non-SOR item.")
            self.description.setFocus()
            return None
        if not unit:
            self.message.show_error("Unit: give the unit the rate is for (CUM, SQM, NOS…).")
            self.unit.setFocus()
            return None
        if self.rate.is_blank():
            self.message.show_error("Rate: type the rate per unit.")
            self.rate.setFocus()
            return None
        value = self.rate.value()
        if value is None:
            self.message.show_error(self.rate.error() or "Rate: type a number.")
            self.rate.setFocus()
            return None
        line = non_sor_line(description, unit, value)
        self.message.clear_message()
        self.description.clear()
        self.unit.setCurrentIndex(0)
        self.rate.clear()
        self.submitted.emit(line)
        return line


class RevisionLinePanel(QWidget):
    """Under the lines of a revised estimate: the selected line's reason for deviation (printed
    in the deviation statement), typed here, and what approved MBs have measured of it."""

    reason_edited = Signal(object, str)  # DocLine, the text as typed
    reason_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revisionLinePanel")
        self.line: DocLine | None = None
        self.caption = QLabel("Reason for deviation")
        self.caption.setObjectName("reasonCaption")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(MAX_DESCRIPTION)
        self.reason_edit.setAccessibleName("Reason for deviation")
        self.reason_edit.setToolTip("Why the revised quantity of this line differs from the "
                                    "original's: printed in the deviation statement")
        self.caption.setBuddy(self.reason_edit)
        self.used_label = muted(QLabel())
        self.used_label.setObjectName("usedQuantity")
        self.used_label.setWordWrap(True)
        self.used_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_edit.textEdited.connect(self._edited)
        self.reason_edit.editingFinished.connect(self.reason_finished)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.caption)
        row.addWidget(self.reason_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.used_label)
        self.setFocusProxy(self.reason_edit)
        self.show_line(None, editable=False)

    def show_line(self, line: DocLine | None, *, editable: bool) -> None:
        """Show `line` (None: no line chosen); the text is replaced only when it differs, so
        the cursor stays where the user is typing."""
        self.line = line
        self.reason_edit.setEnabled(line is not None)
        self.reason_edit.setReadOnly(not editable)
        if line is None:
            self.reason_edit.clear()
            self.reason_edit.setPlaceholderText("Choose a line above")
        else:
            if self.reason_edit.text() != line.reason:
                self.reason_edit.setText(line.reason)
            self.reason_edit.setPlaceholderText(
                "Why this line's quantity differs from the original estimate's"
                if editable else "No reason given")
        used = used_text(line) if line is not None else ""
        self.used_label.setText(used)
        self.used_label.setVisible(bool(used))

    def _edited(self, text: str) -> None:
        if self.line is not None and not self.reason_edit.isReadOnly():
            self.reason_edited.emit(self.line, text)


def used_text(line: DocLine) -> str:
    """What approved MBs measured of a revision line and the rate it keeps; '' if nothing."""
    if line.used_quantity is None or line.used_rate is None:
        return ""
    old = rate_display(line, line.used_rate)
    rest = max(line.quantity - line.used_quantity, ZERO)
    return (f"Measured in approved MBs: {quantity_display(line.used_quantity)} {line.unit} at "
            f"₹ {old} (the rate it was measured at); the rest, {quantity_display(rest)} "
            f"{line.unit}, at ₹ {rate_display(line)}.")


class TotalsPanel(QWidget):
    """SOR and non-SOR totals, the grand total (exact, in whole rupees and in words) and the
    material / labour / machinery analysis. Overhead amounts are in the overheads table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        self.sor_total = self._value("sorTotal")
        self.non_sor_total = self._value("nonSorTotal")
        self.overhead_total = self._value("overheadTotal")
        self.grand_total = self._value("grandTotal", bold=True)
        self.rupees = self._value("totalRupees")
        self.words = QLabel()
        self.words.setObjectName("totalWords")
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.material = self._value("material")
        self.labour = self._value("labour")
        self.machinery = self._value("machinery")
        self._last_rupees: object = None

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        rows = [
            ("SOR items", self.sor_total),
            ("Non-SOR items", self.non_sor_total),
            ("Overheads", self.overhead_total),
            ("Grand total", self.grand_total),
            ("In whole rupees", self.rupees),
        ]
        for row, (caption, value) in enumerate(rows):
            label = QLabel(caption)
            if value is self.grand_total:
                label.setFont(self.grand_total.font())
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
        grid.addWidget(self.words, len(rows), 0, 1, 2)
        analysis = QLabel("Cost analysis (SOR items)")
        analysis.setObjectName("analysisCaption")
        font = analysis.font()
        font.setBold(True)
        analysis.setFont(font)
        base = len(rows) + 1
        grid.addWidget(analysis, base, 0, 1, 2)
        for offset, (caption, value) in enumerate(
            (("Material", self.material), ("Labour", self.labour), ("Machinery", self.machinery)),
            start=1,
        ):
            grid.addWidget(QLabel(caption), base + offset, 0)
            grid.addWidget(value, base + offset, 1)
        grid.setColumnStretch(1, 1)

    def _value(self, name: str, *, bold: bool = False) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setAlignment(ALIGN_RIGHT)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            font = QFont(label.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.15)
            label.setFont(font)
        return label

    def show_figures(self, document: EstimateDocument) -> None:
        self.sor_total.setText(f"₹ {format_money(document.sor_total)}")
        self.non_sor_total.setText(f"₹ {format_money(document.non_sor_total)}")
        self.overhead_total.setText(f"₹ {format_money(document.overhead_total)}")
        total = document.total
        self.grand_total.setText(f"₹ {format_money(total)}")
        rupees = document.total_rupees
        if rupees != self._last_rupees:
            self._last_rupees = rupees
            self.rupees.setText(f"₹ {format_indian(rupees, 0)}")
            self.words.setText(rupees_in_words(total))
        analysis = document.analysis
        self.material.setText(f"₹ {format_money(analysis.material)}")
        self.labour.setText(f"₹ {format_money(analysis.labour)}")
        self.machinery.setText(f"₹ {format_money(analysis.machinery)}")
