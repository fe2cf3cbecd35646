"""Qt table models of the estimate lists, the estimate viewer and the deviation statement.

Read-only tables over the plain data the services return (never ORM objects). Money is shown
with Indian grouping, dates dd/mm/yyyy and instants in India time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from mukta_desktop.domain.dates import INDIA, format_date
from mukta_desktop.domain.deviation import DeviationRow, OverheadRow, Statement, Verdict
from mukta_desktop.domain.estimate import LineCategory, OverheadKind
from mukta_desktop.domain.numbers import ONE, format_indian, format_money, plain_text
from mukta_desktop.domain.workflow import ACTION_LABELS, Action, Status
from mukta_desktop.services.estimate_views import (
    EstimateSummary,
    HistoryEvent,
    LineView,
    OverheadView,
)
from mukta_desktop.services.projects import ProjectInfo
from mukta_desktop.services.sor_store import quantity_text as plain_quantity
from mukta_desktop.services.templates import TemplateInfo

from ..widgets.table_model import Column, ColumnsTableModel

FONT = Qt.ItemDataRole.FontRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole

SAVE_DRAFT_LABEL = "Save draft"
LESS_COLOUR = "#1b5e20"  # a saving
EXCESS_COLOUR = "#b00020"  # an excess


# ---------------------------------------------------------------- formatting


def india_time(at: datetime) -> str:
    """An instant (stored in UTC) as India time: dd/mm/yyyy hh:mm."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(INDIA).strftime("%d/%m/%Y %H:%M")


def rupees(value: Decimal) -> str:
    """'₹ 12,34,567.89'."""
    return f"₹ {format_money(value)}"


def quantity_text(value: Decimal) -> str:
    return format_indian(value, 4)


def signed(value: Decimal, places: int) -> str:
    """A change with its sign: '+24.0000', '-2,041', '0'."""
    text = format_indian(value, places)
    return f"+{text}" if value > 0 else text


def action_label(action: str) -> str:
    """The words of a history event's action ('submit' → 'Submit')."""
    if action == "save-draft":
        return SAVE_DRAFT_LABEL
    try:
        return ACTION_LABELS[Action(action)]
    except ValueError:
        return action.replace("-", " ").capitalize()


def status_label(status: str | None) -> str:
    if not status:
        return ""
    try:
        return Status(status).label
    except ValueError:
        return status


# ---------------------------------------------------------------- lists


def _summary_tooltip(s: EstimateSummary) -> str:
    revision = f"\nRevision of {s.revision_of}" if s.revision_of else ""
    return (f"{s.number} · {s.status.label}\n{s.project_number} — {s.project_name}{revision}\n"
            f"Created by {s.created_by}; last changed {india_time(s.updated_at)}")


class InboxTableModel(ColumnsTableModel[EstimateSummary]):
    """Estimates waiting for the user, or the user's drafts."""

    columns = (
        Column[EstimateSummary]("Number", lambda s: s.number, tooltip=_summary_tooltip),
        Column[EstimateSummary](
            "Project", lambda s: f"{s.project_number} — {s.project_name}",
            tooltip=lambda s: s.project_name),
        Column[EstimateSummary]("Status", lambda s: s.status.label),
        Column[EstimateSummary]("Total (₹)", lambda s: format_money(s.total), right=True),
        Column[EstimateSummary]("Updated", lambda s: india_time(s.updated_at)),
    )


class ProjectEstimatesTableModel(ColumnsTableModel[EstimateSummary]):
    """The estimates of one project, revisions with the estimate they revise."""

    columns = (
        Column[EstimateSummary]("Number", lambda s: s.number, tooltip=_summary_tooltip),
        Column[EstimateSummary]("Revision of", lambda s: s.revision_of or ""),
        Column[EstimateSummary]("Date", lambda s: format_date(s.estimate_date)),
        Column[EstimateSummary]("Status", lambda s: s.status.label),
        Column[EstimateSummary]("Total (₹)", lambda s: format_money(s.total), right=True),
        Column[EstimateSummary]("Created by", lambda s: s.created_by),
    )


class ProjectsTableModel(ColumnsTableModel[ProjectInfo]):
    columns = (
        Column[ProjectInfo]("Number", lambda p: p.number),
        Column[ProjectInfo]("Name", lambda p: p.name, tooltip=lambda p: p.description or p.name),
        Column[ProjectInfo]("Ward", lambda p: p.ward),
        Column[ProjectInfo]("Locality", lambda p: p.locality),
        Column[ProjectInfo]("Sanction date", lambda p: format_date(p.sanction_date)),
    )


class TemplatesTableModel(ColumnsTableModel[TemplateInfo]):
    columns = (
        Column[TemplateInfo]("Template", lambda t: t.name),
        Column[TemplateInfo]("Lines", lambda t: str(t.lines), right=True),
        Column[TemplateInfo]("Saved by", lambda t: t.created_by),
        Column[TemplateInfo]("Saved on", lambda t: india_time(t.created_at)),
    )


# ---------------------------------------------------------------- one estimate


@dataclass(frozen=True, slots=True)
class NumberedLine:
    number: int
    line: LineView


def _code(n: NumberedLine) -> str:
    d = n.line.draft
    return d.sor_code or ("Non-SOR" if d.category is LineCategory.NON_SOR else "")


def _per(n: NumberedLine) -> str:
    d = n.line.draft
    if d.rate_quantity == ONE:
        return d.unit
    return f"{plain_quantity(d.rate_quantity)} {d.unit}"


def _line_tooltip(n: NumberedLine) -> str:
    d = n.line.draft
    parts = [d.description]
    if d.rate_quantity != ONE:
        parts.append(f"Rate ₹ {format_money(d.rate)} per {_per(n)}")
    if d.used_quantity is not None and d.used_rate is not None:
        parts.append(f"Already measured {quantity_text(d.used_quantity)} at the original rate "
                     f"₹ {format_money(d.used_rate)}")
    if d.reason:
        parts.append(f"Reason for the change: {d.reason}")
    return "\n".join(parts)


class EstimateLinesTableModel(ColumnsTableModel[NumberedLine]):
    """The lines of an estimate as the abstract shows them: quantity × rate = amount."""

    columns = (
        Column[NumberedLine]("No.", lambda n: str(n.number), right=True),
        Column[NumberedLine]("Code", _code),
        Column[NumberedLine]("Description", lambda n: n.line.draft.description,
                             tooltip=_line_tooltip),
        Column[NumberedLine]("Unit", lambda n: n.line.draft.unit),
        Column[NumberedLine]("Quantity", lambda n: quantity_text(n.line.quantity), right=True),
        Column[NumberedLine]("Rate (₹)", lambda n: format_money(n.line.draft.rate), right=True,
                             tooltip=lambda n: f"per {_per(n)}"),
        Column[NumberedLine]("Amount (₹)", lambda n: format_money(n.line.amount), right=True),
    )

    def set_lines(self, lines: Sequence[LineView]) -> None:
        self.set_rows([NumberedLine(i, line) for i, line in enumerate(lines, start=1)])


def _overhead_basis(o: OverheadView) -> str:
    d = o.draft
    if d.kind is OverheadKind.PERCENT and d.percent is not None:
        return f"{plain_text(d.percent)} % of SOR and non-SOR"
    return "Lump sum"


class OverheadsTableModel(ColumnsTableModel[OverheadView]):
    columns = (
        Column[OverheadView]("Overhead", lambda o: o.draft.description,
                             tooltip=lambda o: o.draft.code),
        Column[OverheadView]("Basis", _overhead_basis),
        Column[OverheadView]("Amount (₹)", lambda o: format_money(o.amount), right=True),
    )


def _status_change(e: HistoryEvent) -> str:
    before = status_label(e.from_status)
    after = status_label(e.to_status)
    return f"{before} → {after}" if before and before != after else after


class HistoryTableModel(ColumnsTableModel[HistoryEvent]):
    """The timeline: who did what when, with the comment, oldest first."""

    columns = (
        Column[HistoryEvent]("When (India time)", lambda e: india_time(e.at)),
        Column[HistoryEvent]("Action", lambda e: action_label(e.action)),
        Column[HistoryEvent]("By", lambda e: e.by_name or e.by_login,
                             tooltip=lambda e: f"Login: {e.by_login}"),
        Column[HistoryEvent]("Status", _status_change),
        Column[HistoryEvent]("Comment", lambda e: e.comment,
                             tooltip=lambda e: e.comment or ""),
    )


# ---------------------------------------------------------------- the deviation statement


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One row of the on-screen statement: an item, an overhead, or the total."""

    item: DeviationRow | None = None
    overhead: OverheadRow | None = None
    total: Statement | None = None


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{signed(value, 2)} %"


def _verdict(change: Decimal) -> str:
    if change == 0:
        return Verdict.NIL.value
    return Verdict.LESS.value if change < 0 else Verdict.EXCESS.value


def _cell(r: StatementRow, field: str) -> str:
    if r.item is not None:
        i = r.item
        values: dict[str, str] = {
            "no": str(i.number),
            "code": i.code or "Non-SOR",
            "description": i.description + (" (extra item)" if i.extra else "")
            + (" (removed)" if i.removed else ""),
            "unit": i.unit,
            "rate": format_money(i.rate),
            "oq": "" if i.extra else quantity_text(i.original_quantity),
            "oa": "" if i.extra else format_indian(i.original_amount, 0),
            "rq": "" if i.removed else quantity_text(i.revised_quantity),
            "ra": "" if i.removed else format_indian(i.revised_amount, 0),
            "dq": signed(i.quantity_change, 4),
            "da": signed(i.amount_change, 0),
            "pc": "Extra item" if i.extra else _percent(i.percent),
            "verdict": i.verdict.value,
            "reason": i.reason,
        }
        return values[field]
    if r.overhead is not None:
        o = r.overhead
        return {
            "description": o.description,
            "oa": format_indian(o.original_amount, 0),
            "ra": format_indian(o.revised_amount, 0),
            "da": signed(o.amount_change, 0),
            "verdict": _verdict(o.amount_change),
        }.get(field, "")
    if r.total is not None:
        s = r.total
        return {
            "description": "Total",
            "oa": format_indian(s.original_total, 0),
            "ra": format_indian(s.revised_total, 0),
            "da": signed(s.total_change, 0),
            "pc": _percent(s.percent),
            "verdict": _verdict(s.total_change),
        }.get(field, "")
    return ""


def _deviation_column(header: str, field: str, right: bool = False) -> Column[StatementRow]:
    return Column[StatementRow](header, lambda r: _cell(r, field), right,
                                tooltip=lambda r: _cell(r, field) if field in (
                                    "description", "reason") else "")


class DeviationTableModel(ColumnsTableModel[StatementRow]):
    """The deviation statement: items, then overheads, then the total (whole rupees)."""

    columns = (
        _deviation_column("No.", "no", True),
        _deviation_column("SOR code", "code"),
        _deviation_column("Description", "description"),
        _deviation_column("Unit", "unit"),
        _deviation_column("Rate (₹)", "rate", True),
        _deviation_column("Original\nqty", "oq", True),
        _deviation_column("Original\namount (₹)", "oa", True),
        _deviation_column("Revised\nqty", "rq", True),
        _deviation_column("Revised\namount (₹)", "ra", True),
        _deviation_column("Excess (+) /\nsaving (−) qty", "dq", True),
        _deviation_column("Excess (+) /\nsaving (−) ₹", "da", True),
        _deviation_column("Deviation\n%", "pc", True),
        _deviation_column("Less /\nExcess / Nil", "verdict"),
        _deviation_column("Reason", "reason"),
    )
    VERDICT = 12

    def __init__(self, statement: Statement | None = None, parent: QObject | None = None) -> None:
        super().__init__((), parent)
        self.statement: Statement | None = None
        if statement is not None:
            self.set_statement(statement)

    def set_statement(self, statement: Statement) -> None:
        self.statement = statement
        rows = [StatementRow(item=r) for r in statement.rows]
        rows += [StatementRow(overhead=o) for o in statement.overheads]
        rows.append(StatementRow(total=statement))
        self.set_rows(rows)

    def items(self) -> list[DeviationRow]:
        return [r.item for r in self._rows if r.item is not None]

    def extra_data(self, row: StatementRow, column: int, role: int) -> Any:
        if role == FONT and (row.total is not None or (row.item is not None and row.item.extra)):
            font = QFont()
            font.setBold(row.total is not None)
            font.setItalic(row.item is not None and row.item.extra)
            return font
        if role == FOREGROUND and column == self.VERDICT:
            verdict = _cell(row, "verdict")
            if verdict == Verdict.LESS.value:
                return QBrush(QColor(LESS_COLOUR))
            if verdict == Verdict.EXCESS.value:
                return QBrush(QColor(EXCESS_COLOUR))
        return None
