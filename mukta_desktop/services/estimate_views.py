"""Plain data in and out of the estimate services: drafts the editor sends, views it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from mukta_desktop.domain.estimate import CostAnalysis, LineCategory, OverheadKind
from mukta_desktop.domain.measurements import MeasurementRow
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.domain.workflow import Action, Status


@dataclass(frozen=True, slots=True)
class LineDraft:
    """An estimate line as the editor holds it. A SOR line's rate fields come from
    `price_sor_line` and are frozen; a non-SOR line's are typed."""

    category: LineCategory
    description: str
    unit: str
    rate: Decimal
    rate_quantity: Decimal = Decimal(1)
    rows: tuple[MeasurementRow, ...] = ()
    sor_code: str | None = None
    rate_id: str | None = None
    heads: RateHeads | None = None
    origin_line_id: str | None = None  # revisions: the original line
    used_quantity: Decimal | None = None
    used_rate: Decimal | None = None
    reason: str = ""  # revisions: why the quantity deviates
    id: str | None = None  # kept across saves so revisions and MBs can point at a line


@dataclass(frozen=True, slots=True)
class OverheadDraft:
    code: str
    description: str
    kind: OverheadKind
    percent: Decimal | None = None
    lump_sum: Decimal | None = None


@dataclass(frozen=True, slots=True)
class EstimateDraft:
    estimate_date: date
    description: str = ""
    lines: tuple[LineDraft, ...] = ()
    overheads: tuple[OverheadDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class LineView:
    draft: LineDraft
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OverheadView:
    draft: OverheadDraft
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    action: str
    by_login: str
    by_name: str
    at: datetime
    comment: str
    from_status: str | None
    to_status: str


@dataclass(frozen=True, slots=True)
class ProjectRef:
    id: str
    number: str
    name: str


@dataclass(frozen=True, slots=True)
class EstimateView:
    """An estimate with every computed figure, its history and what the viewer may do."""

    id: str
    number: str
    project: ProjectRef
    tenant: str
    tenant_name: str
    revision_of: str | None  # the number of the estimate it revises
    revision_no: int
    estimate_date: date
    description: str
    status: Status
    created_by: str
    version: int
    lines: tuple[LineView, ...]
    overheads: tuple[OverheadView, ...]
    sor_total: Decimal
    non_sor_total: Decimal
    overhead_total: Decimal
    total: Decimal
    total_rupees: Decimal
    total_in_words: str
    analysis: CostAnalysis
    history: tuple[HistoryEvent, ...] = ()
    allowed_actions: tuple[Action, ...] = ()
    editable: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def draft(self) -> EstimateDraft:
        return EstimateDraft(
            self.estimate_date,
            self.description,
            tuple(line.draft for line in self.lines),
            tuple(o.draft for o in self.overheads),
        )


@dataclass(frozen=True, slots=True)
class EstimateSummary:
    id: str
    number: str
    project_number: str
    project_name: str
    revision_of: str | None
    estimate_date: date
    status: Status
    total: Decimal
    created_by: str
    updated_at: datetime
