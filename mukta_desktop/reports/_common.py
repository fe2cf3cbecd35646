"""What the PDF and the Excel version of a document share: wording, signatures, figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from mukta_desktop.domain.dates import format_date, india_today
from mukta_desktop.domain.estimate import CostAnalysis, Line, LineCategory, line_analysis
from mukta_desktop.domain.numbers import ONE, format_indian, plain_text
from mukta_desktop.domain.workflow import Status
from mukta_desktop.services.estimate_views import EstimateView, HistoryEvent, LineView

NON_SOR = "Non-SOR"


def money(value: Decimal) -> str:
    return format_indian(value, 2)


def quantity(value: Decimal) -> str:
    return format_indian(value, 4)


def rupees(value: Decimal) -> str:
    return format_indian(value, 0)


def factor(value: Decimal | None) -> str:
    """A measurement factor as typed (a blank stays blank: it counts as 1)."""
    if value is None:
        return ""
    text = plain_text(value)
    if "." in text:
        return format_indian(value, len(text.split(".")[1]))
    return format_indian(value, 0)


# A rate quantity or percentage without trailing zeros: 120, 7.5.
plain = plain_text


def code_of(line: LineView) -> str:
    return line.draft.sor_code or NON_SOR


def document_title(view: EstimateView) -> str:
    return "REVISED ESTIMATE" if view.revision_of else "DETAILED ESTIMATE"


def estimate_line(view: EstimateView) -> str:
    """Number, date and status, as the header of every page shows them."""
    parts = [
        f"{'Revised estimate' if view.revision_of else 'Estimate'} No. {view.number}",
        f"Date {format_date(view.estimate_date)}",
        f"Status: {view.status.label}",
    ]
    if view.revision_of:
        parts.append(f"Revision {view.revision_no} of {view.revision_of}")
    return "   |   ".join(parts)


def project_line(view: EstimateView) -> str:
    return f"Project {view.project.number}: {view.project.name}"


def overhead_label(description: str, percent: Decimal | None) -> str:
    if percent is None:
        return f"{description} (lump sum)"
    return f"{description} @ {plain(percent)} % on (A + B)"


def line_cost(line: LineView) -> CostAnalysis | None:
    """Material, labour and machinery of one SOR line, by the rule of the estimate's
    analysis (domain.estimate.line_analysis), or None when the line has no rate heads."""
    d = line.draft
    if d.category is not LineCategory.SOR or d.heads is None:
        return None
    return line_analysis(
        Line(
            category=d.category,
            description=d.description,
            unit=d.unit,
            rate=d.rate,
            rows=d.rows,
            rate_quantity=d.rate_quantity,
            sor_code=d.sor_code,
            heads=d.heads,
        )
    )


def rate_quantity(line: LineView) -> Decimal:
    return line.draft.rate_quantity or ONE


# ---------------------------------------------------------------- signatures


@dataclass(frozen=True, slots=True)
class Signatory:
    act: str  # "Prepared by"
    officer: str  # "Junior Engineer"
    name: str = ""  # who did it in the current round of the workflow, if anyone has
    on: str = ""  # dd/mm/yyyy


# A signature step: the act, the officer, and the workflow actions that fulfil it.
SignatureStep = tuple[str, str, frozenset[str]]

_STEPS: tuple[SignatureStep, ...] = (
    ("Prepared by", "Junior Engineer", frozenset({"save-draft", "submit", "resubmit"})),
    ("Checked by", "Assistant Engineer", frozenset({"verify"})),
    ("Technically sanctioned by", "Executive Engineer", frozenset({"sanction"})),
    ("Approved by", "Executive Officer", frozenset({"approve"})),
)
# How many signature steps still stand once an estimate is in a status: a send-back undoes
# the checks above it, so an estimate back in verification shows no stale "Checked by".
_STEPS_STANDING = {
    Status.DRAFTED: 1,
    Status.PENDING_VERIFICATION: 1,
    Status.PENDING_CORRECTION: 1,
    Status.PENDING_TECHNICAL_SANCTION: 2,
    Status.PENDING_APPROVAL: 3,
    Status.APPROVED: 4,
}


def event_date(at: datetime) -> date:
    return india_today(at if at.tzinfo is not None else at.replace(tzinfo=UTC))


def signatories(history: Sequence[HistoryEvent]) -> tuple[Signatory, ...]:
    """The four signature blocks of an estimate, with the officer who took each step where
    one has."""
    return signatories_of(history, _STEPS, _STEPS_STANDING)


def signatories_of(
    history: Sequence[HistoryEvent],
    steps: Sequence[SignatureStep],
    standing_by_status: Mapping[Status, int],
) -> tuple[Signatory, ...]:
    """Signature blocks for any workflow: `steps` in order, and how many of them still
    stand once the record reaches a status (a send-back undoes the steps above it)."""
    done: dict[int, HistoryEvent] = {}
    for event in sorted(history, key=lambda e: e.at):
        for index, (_, _, actions) in enumerate(steps):
            if event.action in actions:
                done[index] = event
        try:
            standing = standing_by_status.get(Status(event.to_status), len(steps))
        except ValueError:
            standing = len(steps)
        for index in [i for i in done if i >= standing]:
            del done[index]
    result: list[Signatory] = []
    for index, (act, officer, _) in enumerate(steps):
        step = done.get(index)
        if step is None:
            result.append(Signatory(act, officer))
        else:
            by = step.by_name or step.by_login
            result.append(Signatory(act, officer, by, format_date(event_date(step.at))))
    return tuple(result)
