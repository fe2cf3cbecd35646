"""Qt table models of the SOR screens, over plain data returned by the services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.numbers import ONE, format_money, parse_decimal
from mukta_desktop.domain.sor import HEAD_LABELS, RateHeads
from mukta_desktop.services.sor_store import quantity_text
from mukta_desktop.services.sor_views import (
    AnalysisLineInfo,
    ChargeInfo,
    RateInfo,
    SorPage,
    SorRow,
)

from ..widgets.table_model import Column, ColumnsTableModel, Index

DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
FONT = Qt.ItemDataRole.FontRole
QUANTITY_MAX = Decimal("99999.9999")


def per_text(rate_quantity: Decimal, uom: str) -> str:
    """'CUM' for a rate per 1 unit, '120 CUM' for a rate per 120 units."""
    return uom if rate_quantity == ONE else f"{quantity_text(rate_quantity)} {uom}"


# --- Search results ----------------------------------------------------------------------

def _money(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def _rate_tooltip(r: SorRow) -> str:
    if r.rate_total is None:
        return ""
    where = "" if r.rate_tenant in (None, "od") else f" ({r.rate_tenant})"
    return f"₹ {format_money(r.rate_total)} per {per_text(r.rate_quantity, r.uom)}{where}"


def _sor_columns(types: dict[str, str], sub_types: dict[str, str]) -> tuple[Column[SorRow], ...]:
    return (
        Column[SorRow]("Code", lambda r: r.code),
        Column[SorRow]("Description", lambda r: r.description, tooltip=lambda r: r.description),
        Column[SorRow]("Type", lambda r: types.get(r.type_code, r.type_code),
                       tooltip=lambda r: r.type_code),
        Column[SorRow]("Sub type", lambda r: sub_types.get(r.sub_type_code, r.sub_type_code),
                       tooltip=lambda r: r.sub_type_code),
        Column[SorRow]("Unit", lambda r: per_text(r.rate_quantity, r.uom),
                       tooltip=lambda r: f"Rate for {per_text(r.rate_quantity, r.uom)}"),
        Column[SorRow]("Status", lambda r: r.status.capitalize()),
        Column[SorRow]("Current rate (₹)", lambda r: _money(r.rate_total), right=True,
                       tooltip=_rate_tooltip),
        Column[SorRow]("Effective from", lambda r: format_date(r.rate_effective_from)),
    )


class SorTableModel(ColumnsTableModel[SorRow]):
    """The rows of a SOR search, fetched a page at a time as the user scrolls.

    `fetch_requested(offset)` asks the screen for the next page; it answers with
    `append_page`. A new search replaces everything with `set_page`.
    """

    fetch_requested = Signal(int)

    def __init__(
        self,
        type_names: dict[str, str] | None = None,
        sub_type_names: dict[str, str] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__((), parent)
        self.total = 0
        self._fetching = False
        # The column functions close over the name maps, not over the model: no reference
        # cycle, so the model is freed by reference counting on the GUI thread.
        self.columns = _sor_columns(dict(type_names or {}), dict(sub_type_names or {}))

    def set_page(self, page: SorPage) -> None:
        self.beginResetModel()
        self._rows = list(page.rows)
        self.total = page.total
        self._fetching = False
        self.endResetModel()

    def append_page(self, page: SorPage) -> None:
        self._fetching = False
        self.total = page.total
        if not page.rows:
            self.total = len(self._rows)  # the catalogue shrank meanwhile: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def fetch_failed(self) -> None:
        self._fetching = False

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._fetching and len(self._rows) < self.total

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        self.fetch_requested.emit(len(self._rows))


# --- Rates ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HeadLine:
    label: str
    amount: Decimal
    is_total: bool = False


class RateHeadsTableModel(ColumnsTableModel[HeadLine]):
    """The head-wise breakup of one rate, with its total as the last row (bold)."""

    columns = (
        Column[HeadLine]("Head", lambda h: h.label),
        Column[HeadLine]("Amount (₹)", lambda h: format_money(h.amount), right=True),
    )

    def set_heads(self, heads: RateHeads | None) -> None:
        if heads is None:
            self.set_rows(())
            return
        lines = [HeadLine(HEAD_LABELS[k], v) for k, v in heads.as_dict().items()]
        lines.append(HeadLine("Total", heads.total, is_total=True))
        self.set_rows(lines)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role == FONT and index.isValid():
            line = self.row_at(index.row())
            if line is not None and line.is_total:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class RateHistoryTableModel(ColumnsTableModel[RateInfo]):
    """Every rate of a SOR (state series and the ULB's own), newest first."""

    columns = (
        Column[RateInfo]("Tenant", lambda r: r.tenant_name, tooltip=lambda r: r.tenant),
        Column[RateInfo]("Effective from", lambda r: format_date(r.effective_from)),
        Column[RateInfo]("Effective to", lambda r: format_date(r.effective_to) or "—"),
        Column[RateInfo]("Total (₹)", lambda r: format_money(r.total), right=True),
        Column[RateInfo]("Source", lambda r: r.source.capitalize()),
    )


# --- Rate analysis (as saved or previewed) -------------------------------------------------

def _rate_per(rate: Decimal, rate_quantity: Decimal) -> str:
    text = format_money(rate)
    return text if rate_quantity == ONE else f"{text} / {quantity_text(rate_quantity)}"


class AnalysisLinesTableModel(ColumnsTableModel[AnalysisLineInfo]):
    """The basic SORs of an analysis and what each contributes to one unit of the works item."""

    columns = (
        Column[AnalysisLineInfo]("Code", lambda a: a.code),
        Column[AnalysisLineInfo]("Description", lambda a: a.description,
                                 tooltip=lambda a: a.description),
        Column[AnalysisLineInfo]("Unit", lambda a: a.uom),
        Column[AnalysisLineInfo]("Qty", lambda a: quantity_text(a.quantity), right=True),
        Column[AnalysisLineInfo]("Rate (₹)", lambda a: _rate_per(a.rate_total, a.rate_quantity),
                                 right=True,
                                 tooltip=lambda a: f"per {per_text(a.rate_quantity, a.uom)}"),
        Column[AnalysisLineInfo]("Contribution (₹)", lambda a: format_money(a.contribution.total),
                                 right=True),
    )


def _charge_value(c: ChargeInfo) -> str:
    return f"{quantity_text(c.value)} %" if c.kind == "PERCENT" else format_money(c.value)


class AnalysisChargesTableModel(ColumnsTableModel[ChargeInfo]):
    """Extra charges of an analysis (fixed amounts or percentages) and their amounts."""

    columns = (
        Column[ChargeInfo]("Charge", lambda c: c.description, tooltip=lambda c: c.description),
        Column[ChargeInfo]("Kind", lambda c: c.kind.capitalize()),
        Column[ChargeInfo]("Value", _charge_value, right=True),
        Column[ChargeInfo]("Head", lambda c: HEAD_LABELS.get(c.head, c.head)),
        Column[ChargeInfo]("Amount (₹)", lambda c: format_money(c.amount), right=True),
    )


# --- Import report -------------------------------------------------------------------------

class ImportProblemLike(Protocol):
    """What the table shows of sor_files.report.ImportProblem (the importer is
    loaded only when an import runs)."""

    @property
    def message(self) -> str: ...
    @property
    def sheet(self) -> str | None: ...
    @property
    def row(self) -> int | None: ...
    @property
    def column(self) -> str | None: ...


class ImportProblemsTableModel(ColumnsTableModel[ImportProblemLike]):
    """Every reason an import file was refused, where it is in the file."""

    columns = (
        Column[ImportProblemLike]("Sheet", lambda p: p.sheet or ""),
        Column[ImportProblemLike]("Row", lambda p: "" if p.row is None else str(p.row), right=True),
        Column[ImportProblemLike]("Column", lambda p: p.column or ""),
        Column[ImportProblemLike]("Problem", lambda p: p.message, tooltip=lambda p: p.message),
    )


# --- Rate analysis input (editable) --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BasicItem:
    """A material, labour or machinery SOR that can go into an analysis."""

    code: str
    description: str
    type_code: str
    uom: str
    rate_quantity: Decimal
    rate_total: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.code} — {self.description}"


@dataclass(frozen=True, slots=True)
class LineDraft:
    item: BasicItem
    quantity: Decimal
    contribution: Decimal | None = None
    rate: Decimal | None = None  # the rate in force on the effective date (from the preview)

    @property
    def shown_rate(self) -> Decimal | None:
        """The rate the contribution was computed with, else the one known when added."""
        return self.item.rate_total if self.rate is None else self.rate


class AnalysisInputTableModel(ColumnsTableModel[LineDraft]):
    """The lines of a rate analysis being written; the quantity is typed as text."""

    QUANTITY, RATE, CONTRIBUTION = 3, 4, 5
    input_error = Signal(str)
    lines_changed = Signal()

    columns = (
        Column[LineDraft]("Code", lambda d: d.item.code),
        Column[LineDraft]("Description", lambda d: d.item.description,
                          tooltip=lambda d: d.item.description),
        Column[LineDraft]("Unit", lambda d: d.item.uom),
        Column[LineDraft]("Quantity", lambda d: quantity_text(d.quantity), right=True,
                          tooltip=lambda d: "Type the quantity used for the analysis quantity"),
        Column[LineDraft]("Rate (₹)",
                          lambda d: "" if d.shown_rate is None
                          else _rate_per(d.shown_rate, d.item.rate_quantity), right=True,
                          tooltip=lambda d: f"per {per_text(d.item.rate_quantity, d.item.uom)}"
                          + ("" if d.rate is None else ", in force on the effective date")),
        Column[LineDraft]("Contribution (₹)",
                          lambda d: "" if d.contribution is None else format_money(d.contribution),
                          right=True),
    )

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.QUANTITY:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role == EDIT and index.isValid() and index.column() == self.QUANTITY:
            draft = self.row_at(index.row())
            return None if draft is None else quantity_text(draft.quantity)
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() != self.QUANTITY:
            return False
        draft = self.row_at(index.row())
        if draft is None:
            return False
        try:
            quantity = parse_quantity(str(value), f"Quantity of {draft.item.code}")
        except ValidationError as exc:
            self.input_error.emit(exc.message)
            return False
        self._rows[index.row()] = replace(draft, quantity=quantity, contribution=None)
        self.dataChanged.emit(index, self.index(index.row(), len(self.columns) - 1))
        self.lines_changed.emit()
        return True

    def add_line(self, item: BasicItem, quantity: Decimal) -> bool:
        """Add a line; False (and `input_error`) when the SOR is already in the analysis."""
        if any(d.item.code == item.code for d in self._rows):
            self.input_error.emit(f"{item.code} is already in the analysis; change its "
                                  "quantity in the table instead.")
            return False
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(LineDraft(item, quantity))
        self.endInsertRows()
        self.lines_changed.emit()
        return True

    def remove_line(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.lines_changed.emit()

    def set_preview(self, lines: Sequence[AnalysisLineInfo] | None) -> None:
        """Each line's rate in force on the effective date and its contribution, from a
        preview (None: no preview, so neither is known)."""
        if lines is not None and [a.code for a in lines] != [d.item.code for d in self._rows]:
            return  # the lines changed since the preview was asked for
        for row, draft in enumerate(self._rows):
            info = None if lines is None else lines[row]
            self._rows[row] = replace(
                draft, contribution=None if info is None else info.contribution.total,
                rate=None if info is None else info.rate_total)
        if self._rows:
            self.dataChanged.emit(self.index(0, self.RATE),
                                  self.index(len(self._rows) - 1, self.CONTRIBUTION))


def parse_quantity(text: str, field: str) -> Decimal:
    value = parse_decimal(text, field=field, places=4, minimum=Decimal("0.0001"),
                          maximum=QUANTITY_MAX)
    return value


@dataclass(frozen=True, slots=True)
class ChargeDraft:
    description: str
    kind: str  # FIXED or PERCENT
    value: Decimal
    amount: Decimal | None = None


CHARGE_KINDS = ("PERCENT", "FIXED")


class ChargesInputTableModel(ColumnsTableModel[ChargeDraft]):
    """Extra charges of an analysis being written: description, kind and value editable."""

    DESCRIPTION, KIND, VALUE = 0, 1, 2
    input_error = Signal(str)
    charges_changed = Signal()

    columns = (
        Column[ChargeDraft]("Charge", lambda c: c.description, tooltip=lambda c: c.description),
        Column[ChargeDraft]("Kind", lambda c: "Percent" if c.kind == "PERCENT" else "Fixed ₹"),
        Column[ChargeDraft]("Value", lambda c: quantity_text(c.value)
                            + (" %" if c.kind == "PERCENT" else ""), right=True),
        Column[ChargeDraft]("Amount (₹)",
                            lambda c: "" if c.amount is None else format_money(c.amount),
                            right=True),
    )

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in (self.DESCRIPTION, self.KIND, self.VALUE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role == EDIT and index.isValid():
            charge = self.row_at(index.row())
            if charge is None:
                return None
            if index.column() == self.DESCRIPTION:
                return charge.description
            if index.column() == self.KIND:
                return charge.kind
            if index.column() == self.VALUE:
                return quantity_text(charge.value)
            return None
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid():
            return False
        charge = self.row_at(index.row())
        if charge is None:
            return False
        text = str(value).strip()
        try:
            if index.column() == self.DESCRIPTION:
                if not text:
                    raise ValidationError("Charge: describe the charge.")
                changed = replace(charge, description=text)
            elif index.column() == self.KIND:
                kind = text.upper()
                if kind in ("%", "PERCENTAGE"):
                    kind = "PERCENT"
                if kind not in CHARGE_KINDS:
                    raise ValidationError(f"Kind of '{charge.description}': PERCENT or FIXED.")
                # the value must fit the new kind, as when the charge is added
                try:
                    value = parse_charge_value(quantity_text(charge.value), kind,
                                               charge.description)
                except ValidationError as exc:
                    what = "a percentage" if kind == "PERCENT" else "a fixed amount"
                    raise ValidationError(f"'{charge.description}' cannot become {what}: "
                                          f"{exc.message}") from exc
                changed = replace(charge, kind=kind, value=value)
            elif index.column() == self.VALUE:
                changed = replace(charge, value=parse_charge_value(text, charge.kind,
                                                                   charge.description))
            else:
                return False
        except ValidationError as exc:
            self.input_error.emit(exc.message)
            return False
        self._rows[index.row()] = replace(changed, amount=None)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 3))
        self.charges_changed.emit()
        return True

    def add_charge(self, charge: ChargeDraft) -> None:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(charge)
        self.endInsertRows()
        self.charges_changed.emit()

    def remove_charge(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.charges_changed.emit()

    def set_amounts(self, amounts: Sequence[Decimal] | None) -> None:
        if amounts is not None and len(amounts) != len(self._rows):
            return
        for row, charge in enumerate(self._rows):
            self._rows[row] = replace(charge, amount=None if amounts is None else amounts[row])
        if self._rows:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self._rows) - 1, 3))


def parse_charge_value(text: str, kind: str, description: str) -> Decimal:
    if kind == "PERCENT":
        return parse_decimal(text, field=f"Percentage of '{description}'", places=4,
                             maximum=Decimal(100))
    return parse_decimal(text, field=f"Amount of '{description}'", places=2)
