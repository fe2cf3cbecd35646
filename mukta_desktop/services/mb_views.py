"""Plain data in and out of the work-order and Measurement Book services: drafts the MB
editor sends, views the screens, documents and command line show."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from mukta_desktop.domain.bills import MusterRollCheck, PurchaseBillCheck
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.mb import MbItem, MbItemFigures, MbTotals, Period
from mukta_desktop.domain.measurements import MeasurementRow
from mukta_desktop.domain.workflow import Action, Status

from .estimate_views import HistoryEvent, ProjectRef


class WorkOrderStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class WorkOrderLine:
    """A work-order item as the estimate in force has it, and what approved MBs measured."""

    position: int  # 1-based, as `mb create --from-json` names lines
    key: str  # the original estimate line's id: the item across revisions
    category: LineCategory
    sor_code: str | None
    description: str
    unit: str
    rate: Decimal
    rate_quantity: Decimal
    estimate_quantity: Decimal
    measured_quantity: Decimal  # in approved MBs
    measured_amount: Decimal


@dataclass(frozen=True, slots=True)
class MbSummary:
    id: str
    number: str
    work_order_number: str
    project_number: str
    project_name: str
    ward: str
    period: Period
    measurement_date: date
    status: Status
    total: Decimal
    cumulative_total: Decimal
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class WorkOrderRef:
    id: str
    number: str
    organisation: str
    work_order_date: date
    start_date: date
    end_date: date
    status: WorkOrderStatus


@dataclass(frozen=True, slots=True)
class WorkOrderSummary:
    id: str
    number: str
    project_number: str
    project_name: str
    estimate_number: str
    organisation: str
    start_date: date
    end_date: date
    status: WorkOrderStatus
    created_by: str


@dataclass(frozen=True, slots=True)
class WorkOrderView:
    id: str
    number: str
    tenant: str
    tenant_name: str
    project: ProjectRef
    location: str  # ward and locality of the project
    estimate_number: str  # the approved estimate it was made from
    estimate_in_force: str  # its latest approved revision, or itself
    organisation: str
    work_order_date: date
    start_date: date
    end_date: date
    period_days: int
    status: WorkOrderStatus
    status_reason: str
    created_by: str
    version: int
    lines: tuple[WorkOrderLine, ...]
    mbs: tuple[MbSummary, ...]
    estimate_total: Decimal  # of the estimate in force
    measured_total: Decimal  # Σ approved MBs
    next_period: Period | None  # what a new MB would cover, when one may be made now
    new_mb_refusal: str  # why no MB may be made now ("" when one may)
    history: tuple[HistoryEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class MbLineDraft:
    """What the MB editor sends for one work-order item: this MB's measurement rows."""

    key: str
    rows: tuple[MeasurementRow, ...] = ()
    remarks: str = ""


@dataclass(frozen=True, slots=True)
class MbDraft:
    period: Period
    measurement_date: date
    remarks: str = ""
    lines: tuple[MbLineDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class MbLineView:
    position: int  # 1-based position in the work order
    item: MbItem
    figures: MbItemFigures
    estimate_rows: tuple[MeasurementRow, ...]  # the estimate's rows: a starting point
    remarks: str = ""


@dataclass(frozen=True, slots=True)
class PhotoView:
    id: str
    position: int
    sha256: str
    media_type: str
    width: int
    height: int
    stored_bytes: int
    original_sha256: str
    original_name: str
    original_bytes: int
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    thumbnail: bytes  # JPEG
    path: Path  # the stored picture under the data directory
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class MbView:
    """An MB with every figure, its photos, its history and what the viewer may do."""

    id: str
    number: str
    tenant: str
    tenant_name: str
    work_order: WorkOrderRef
    project: ProjectRef
    location: str
    estimate_number: str  # the estimate in force it is measured against
    status: Status
    period: Period
    measurement_date: date
    remarks: str
    created_by: str
    created_by_name: str
    created_at: datetime
    version: int
    lines: tuple[MbLineView, ...]
    photos: tuple[PhotoView, ...]
    totals: MbTotals
    total_in_words: str  # this MB's total in whole rupees
    previous_mb: str | None  # number of the approved MB before it
    approved_at: datetime | None
    content_hash: str | None
    previous_hash: str | None
    history: tuple[HistoryEvent, ...] = ()
    mb_history: tuple[MbSummary, ...] = ()  # every MB of the work order, oldest first
    allowed_actions: tuple[Action, ...] = ()
    editable: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def draft(self) -> MbDraft:
        return MbDraft(
            self.period,
            self.measurement_date,
            self.remarks,
            tuple(MbLineDraft(line.item.key, line.item.rows, line.remarks) for line in self.lines),
        )


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What `verify` recomputed, and every mismatch in plain words."""

    measurement_books: int
    work_orders: int
    photos: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class MusterRollResult:
    work_order: str
    check: MusterRollCheck


@dataclass(frozen=True, slots=True)
class PurchaseBillResult:
    work_order: str
    check: PurchaseBillCheck
