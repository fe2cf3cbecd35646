"""The head-wise rate form shared by Add rate and New SOR: typed heads, live cess and total."""

from __future__ import annotations

import itertools
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from mukta_desktop.domain.numbers import ZERO, format_money
from mukta_desktop.domain.sor import HEAD_LABELS, INPUT_HEADS, RateHeads, SorType
from mukta_desktop.services.sor_catalog import preview_rate

from ..widgets import DecimalLineEdit, InlineMessage, muted

# Two columns of four heads, in the order offices print them.
_ROWS = 4


class RateHeadsForm(QWidget):
    """Eight typed heads (₹, up to 2 decimals); labour cess and total computed as you type.

    The preview is `services.sor_catalog.preview_rate`: pure arithmetic, no database, so it
    runs on the GUI thread.
    """

    changed = Signal()

    def __init__(self, type_code: str = SorType.WORKS.value, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.type_code = type_code
        self.edits: dict[str, DecimalLineEdit] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        for position, key in enumerate(INPUT_HEADS):
            edit = DecimalLineEdit(HEAD_LABELS[key])
            edit.setObjectName(f"head_{key}")
            edit.setPlaceholderText("0.00")
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("99,99,99,999.99") + 16)
            edit.value_changed.connect(self._update)
            label = QLabel(f"{HEAD_LABELS[key]} (₹)")
            label.setBuddy(edit)
            label.setMinimumWidth(label.sizeHint().width())
            row, pair = position % _ROWS, position // _ROWS
            grid.addWidget(label, row, pair * 2)
            grid.addWidget(edit, row, pair * 2 + 1)
            self.edits[key] = edit

        self.cess_caption = QLabel(f"{HEAD_LABELS['labour_cess']} (₹)")
        self.cess_value = QLabel()
        self.cess_value.setObjectName("cessValue")
        self.cess_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.cess_note = QLabel()
        self.cess_note.setObjectName("cessNote")
        muted(self.cess_note)
        total_caption = QLabel("Total (₹)")
        self.total_value = QLabel()
        self.total_value.setObjectName("totalValue")
        self.total_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bold = QFont(self.total_value.font())
        bold.setBold(True)
        total_caption.setFont(bold)
        self.total_value.setFont(bold)
        grid.addWidget(self.cess_caption, _ROWS, 0)
        grid.addWidget(self.cess_value, _ROWS, 1)
        grid.addWidget(self.cess_note, _ROWS, 2, 1, 2)
        grid.addWidget(total_caption, _ROWS + 1, 0)
        grid.addWidget(self.total_value, _ROWS + 1, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.message = InlineMessage()
        self.message.setObjectName("headsMessage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        # Tab order: down the first column, then down the second.
        for first, second in itertools.pairwise([self.edits[k] for k in INPUT_HEADS]):
            QWidget.setTabOrder(first, second)
        self._update()

    # -- public -------------------------------------------------------------------------------
    def set_type(self, type_code: str) -> None:
        self.type_code = type_code
        self._update()

    def set_heads(self, heads: RateHeads | None) -> None:
        """Fill the fields (zero heads stay blank); labour cess is always recomputed."""
        for key, edit in self.edits.items():
            value = ZERO if heads is None else getattr(heads, key)
            edit.set_value(None if value == ZERO else value)
        self._update()

    def errors(self) -> list[str]:
        return [e.error() or "" for e in self.edits.values() if not e.is_valid()]

    def heads(self) -> RateHeads | None:
        """The typed heads (blank = 0) without cess; None while a field is invalid."""
        if self.errors():
            return None
        return RateHeads(**{k: e.value_or_zero() for k, e in self.edits.items()})

    def preview(self) -> RateHeads | None:
        """The heads as they will be saved, with labour cess; None while a field is invalid."""
        heads = self.heads()
        return None if heads is None else preview_rate(self.type_code, heads)

    def has_amount(self) -> bool:
        preview = self.preview()
        return preview is not None and preview.total > ZERO

    # -- private ------------------------------------------------------------------------------
    def _update(self) -> None:
        works = self.type_code == SorType.WORKS.value
        self.cess_note.setText("1 % of the other heads, computed" if works
                               else "none for material, labour and machinery items")
        errors = self.errors()
        if errors:
            self.message.show_error("\n".join(errors))
        else:
            self.message.clear_message()
        preview = self.preview()
        if preview is None:
            self.cess_value.setText("—")
            self.total_value.setText("—")
        else:
            self.cess_value.setText(format_money(preview.labour_cess))
            self.total_value.setText(f"₹ {format_money(preview.total)}")
        self.changed.emit()

    def total(self) -> Decimal | None:
        preview = self.preview()
        return None if preview is None else preview.total
