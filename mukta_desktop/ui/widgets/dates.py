"""Dates on screen: dd/MM/yyyy editors with a calendar, converted to and from `date`."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget

DATE_FORMAT = "dd/MM/yyyy"


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(
    value: date,
    *,
    minimum: date | None = None,
    maximum: date | None = None,
    parent: QWidget | None = None,
) -> QDateEdit:
    """A date editor showing dd/mm/yyyy with a calendar pop-up, optionally bounded."""
    edit = QDateEdit(parent)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    if minimum is not None:
        edit.setMinimumDate(to_qdate(minimum))
    else:
        edit.setMinimumDate(QDate(1900, 1, 1))
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    return edit
