"""A text field for money and quantities: typed text parsed to `Decimal`, never a float spin box.

Accepts `1234.5`, `1,234.50` and Indian grouping `12,34,567.89` (domain.numbers.parse_decimal).
An invalid entry turns the field red and `error()` names the field and the allowed range.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.numbers import MAX_AMOUNT, ZERO, parse_decimal, plain_text

_INVALID_STYLE = "QLineEdit { border: 1px solid #b00020; background: #fdecea; }"


class DecimalLineEdit(QLineEdit):
    """A right-aligned number field. `value()` is a Decimal, None when blank or invalid."""

    value_changed = Signal()

    def __init__(
        self,
        field: str,
        *,
        places: int = 2,
        minimum: Decimal | None = ZERO,
        maximum: Decimal | None = MAX_AMOUNT,
        blank_allowed: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.field = field
        self.places = places
        self.minimum = minimum
        self.maximum = maximum
        self.blank_allowed = blank_allowed
        self._value: Decimal | None = None
        self._error: str | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaxLength(24)
        self.setAccessibleName(field)
        self.textChanged.connect(self._parse)
        self._parse(self.text())

    def value(self) -> Decimal | None:
        return self._value

    def value_or_zero(self) -> Decimal:
        return ZERO if self._value is None else self._value

    def error(self) -> str | None:
        return self._error

    def is_valid(self) -> bool:
        return self._error is None

    def is_blank(self) -> bool:
        return not self.text().strip()

    def set_value(self, value: Decimal | None) -> None:
        if value is None:
            self.setText("")
        elif self.places == 2:
            self.setText(f"{value:.2f}")
        else:
            self.setText(plain_text(value))

    def set_blank_allowed(self, allowed: bool) -> None:
        self.blank_allowed = allowed
        self._parse(self.text())

    def _parse(self, text: str) -> None:
        value: Decimal | None = None
        error: str | None = None
        if not text.strip():
            if not self.blank_allowed:
                error = f"{self.field}: type a number."
        else:
            try:
                value = parse_decimal(text, field=self.field, places=self.places,
                                      minimum=self.minimum, maximum=self.maximum)
            except ValidationError as exc:
                error = exc.message
        self._value = value
        self._error = error
        self.setStyleSheet(_INVALID_STYLE if error and not self.is_blank() else "")
        self.setToolTip(error or "")
        self.value_changed.emit()
