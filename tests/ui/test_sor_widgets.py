"""Shared widgets: the decimal text field and the dd/mm/yyyy date editor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mukta_desktop.ui.widgets import DecimalLineEdit, InlineMessage, date_edit, from_qdate


def test_decimal_line_edit_parses_text_to_decimal(qtbot: QtBot) -> None:
    edit = DecimalLineEdit("Basic material")
    qtbot.addWidget(edit)
    assert edit.alignment() & Qt.AlignmentFlag.AlignRight
    assert edit.value() is None
    assert edit.is_valid()  # blank is allowed (counts as nothing typed)
    qtbot.keyClicks(edit, "12,34,567.5")
    assert edit.value() == Decimal("1234567.5")
    assert isinstance(edit.value(), Decimal)
    edit.setText("1,234.50")
    assert edit.value() == Decimal("1234.50")
    edit.setText("12.345")
    assert edit.value() is None
    assert edit.error() == ("Basic material: 12.345 has more than 2 decimals; allowed: 0 to "
                            "99,99,99,99,999.99 with up to 2 decimals.")
    assert "border" in edit.styleSheet()
    edit.set_value(Decimal("5026.1"))
    assert edit.text() == "5026.10"
    assert edit.styleSheet() == ""


def test_decimal_line_edit_quantity_and_required(qtbot: QtBot) -> None:
    edit = DecimalLineEdit("Quantity", places=4, minimum=Decimal("0.0001"),
                           maximum=Decimal("99999.9999"), blank_allowed=False)
    qtbot.addWidget(edit)
    assert edit.error() == "Quantity: type a number."
    edit.setText("0")
    assert "below 0.0001" in (edit.error() or "")
    edit.setText("2.8350")
    assert edit.value() == Decimal("2.8350")
    edit.set_value(Decimal("120.0000"))
    assert edit.text() == "120"


def test_date_edit_is_dd_mm_yyyy_with_a_minimum(qtbot: QtBot) -> None:
    edit = date_edit(date(2026, 11, 21), minimum=date(2026, 11, 21))
    qtbot.addWidget(edit)
    assert edit.displayFormat() == "dd/MM/yyyy"
    assert edit.text() == "21/11/2026"
    assert edit.calendarPopup()
    edit.setDate(edit.date().addDays(-5))
    assert from_qdate(edit.date()) == date(2026, 11, 21)


def test_inline_message_hides_when_empty(qtbot: QtBot) -> None:
    message = InlineMessage()
    qtbot.addWidget(message)
    message.show_error("Basic material: 'x' is not a number")
    assert message.kind == "error"
    assert not message.isHidden()
    message.show_error("")
    assert message.isHidden()
