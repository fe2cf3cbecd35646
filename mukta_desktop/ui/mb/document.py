"""The Measurement Book being edited, in plain Python (no Qt): every work-order item with this
MB's measurement rows and every figure, kept current incrementally.

It is the estimate editor's document (ui/estimates/document.py) with MB lines: an MB line is a
`DocLine` (its rows, cached row quantities, this MB's quantity, amount and material / labour /
machinery) that also knows the item's key, the estimate quantity, what approved MBs measured
before, and the estimate's rows (a starting point). So one cell edit recomputes one row, its
line and the running totals exactly as in the estimate editor — a few dozen decimal operations,
not 300 items — and the same row commands, grid and undo stack serve both editors. An MB has
no overheads: its total is the estimate document's SOR + non-SOR total, its utilization
statement the estimate document's cost analysis.

The ceiling (DESIGN.md §2: per SOR item, up-to-date quantity ≤ estimate quantity) is checked
per group of lines — all lines of one SOR, or a non-SOR line alone — with the domain's own
`check_ceilings` on that group only, after each change to one of its lines: the words on screen
are the words the service refuses a submit with.

The figures equal `domain.mb.compute_mb` of the same items exactly (see `mb_totals`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import CostAnalysis
from mukta_desktop.domain.mb import MbItem, MbItemFigures, MbTotals, Period, check_ceilings
from mukta_desktop.domain.measurements import MeasurementRow
from mukta_desktop.domain.numbers import ZERO, round4
from mukta_desktop.services.mb_views import MbDraft, MbLineDraft, MbLineView

from ..estimates.document import DocLine, EstimateDocument


@dataclass(eq=False)
class MbDocLine(DocLine):
    """One work-order item in the MB being edited. `quantity`, `amount` and `analysis` (what
    DocLine keeps current) are this MB's; the rest is fixed when the MB is opened."""

    key: str = ""
    position: int = 0  # 1-based, in the work order
    estimate_quantity: Decimal = ZERO
    previous_quantity: Decimal = ZERO
    previous_amount: Decimal = ZERO
    estimate_rows: tuple[MeasurementRow, ...] = ()
    remarks: str = ""

    @classmethod
    def from_view(cls, view: MbLineView) -> MbDocLine:
        item = view.item
        return cls(
            category=item.category,
            description=item.description,
            unit=item.unit,
            rate=item.rate,
            rate_quantity=item.rate_quantity,
            sor_code=item.sor_code,
            heads=item.heads,
            rows=list(item.rows),
            key=item.key,
            position=view.position,
            estimate_quantity=item.estimate_quantity,
            previous_quantity=item.previous_quantity,
            previous_amount=item.previous_amount,
            estimate_rows=view.estimate_rows,
            remarks=view.remarks,
        )

    @property
    def cumulative_quantity(self) -> Decimal:
        """Up to date: approved before this MB + this MB."""
        return round4(self.previous_quantity + self.quantity)

    @property
    def cumulative_amount(self) -> Decimal:
        return self.previous_amount + self.amount

    @property
    def label(self) -> str:
        return f"{self.sor_code} {self.description}" if self.sor_code else self.description

    @property
    def group_key(self) -> str:
        """The ceiling's group: every line of one SOR together, a non-SOR line alone (as
        domain.mb.check_ceilings groups them)."""
        return f"SOR:{self.sor_code}" if self.sor_code else f"LINE:{self.key}"

    def to_item(self) -> MbItem:
        return MbItem(
            key=self.key,
            category=self.category,
            description=self.description,
            unit=self.unit,
            rate=self.rate,
            rate_quantity=self.rate_quantity,
            estimate_quantity=self.estimate_quantity,
            previous_quantity=self.previous_quantity,
            previous_amount=self.previous_amount,
            rows=tuple(self.rows),
            sor_code=self.sor_code,
            heads=self.heads,
        )

    def figures(self) -> MbItemFigures:
        return MbItemFigures(
            quantity=self.quantity,
            cumulative_quantity=self.cumulative_quantity,
            amount=self.amount,
            cumulative_amount=self.cumulative_amount,
            utilization=self.analysis,
        )

    def mb_draft(self) -> MbLineDraft:
        return MbLineDraft(self.key, tuple(self.rows), self.remarks)


class MbDocument(EstimateDocument):
    """An MB's period, date of measurement and items with every figure, kept current."""

    def __init__(
        self,
        period: Period,
        measurement_date: date,
        remarks: str = "",
        lines: Iterable[MbDocLine] = (),
    ) -> None:
        self.items: list[MbDocLine] = list(lines)  # the same objects as `lines`, typed
        self._positions = {id(line): index for index, line in enumerate(self.items)}
        super().__init__(measurement_date, remarks, self.items)
        self.period = period
        self.measurement_date = measurement_date
        self.remarks = remarks
        self.previous_total = sum((line.previous_amount for line in self.items), ZERO)
        self.groups: dict[str, list[MbDocLine]] = {}
        for line in self.items:
            self.groups.setdefault(line.group_key, []).append(line)
        # group key → the refusal a submit would meet (what the editor warns of, live)
        self.ceiling_problems: dict[str, str] = {}
        for key in self.groups:
            self._check_group(key)

    @classmethod
    def from_lines(
        cls, period: Period, measurement_date: date, remarks: str, lines: Sequence[MbLineView]
    ) -> MbDocument:
        return cls(period, measurement_date, remarks, (MbDocLine.from_view(v) for v in lines))

    def to_mb_draft(self) -> MbDraft:
        """An immutable snapshot, safe to hand to a worker thread."""
        return MbDraft(
            self.period,
            self.measurement_date,
            self.remarks,
            tuple(line.mb_draft() for line in self.items),
        )

    # ---------------------------------------------------------------- figures
    @property
    def total(self) -> Decimal:
        """This MB's amount (an MB has no overheads)."""
        return self.base

    @property
    def cumulative_total(self) -> Decimal:
        return self.previous_total + self.base

    @property
    def utilization(self) -> CostAnalysis:
        """Material, labour and machinery consumed by this MB (heads × this MB's quantity)."""
        return self.analysis

    def mb_totals(self) -> MbTotals:
        """Every figure, in the shape `domain.mb.compute_mb` returns."""
        return MbTotals(
            items=tuple(line.figures() for line in self.items),
            total=self.total,
            previous_total=self.previous_total,
            cumulative_total=self.cumulative_total,
            utilization=self.utilization,
        )

    def index_of(self, line: DocLine) -> int:
        index = self._positions.get(id(line))
        if index is None or self.items[index] is not line:
            raise ValueError("the line is not in this MB")
        return index

    # ---------------------------------------------------------------- the ceiling
    def group_of(self, line: MbDocLine) -> list[MbDocLine]:
        return self.groups[line.group_key]

    def ceiling_problem(self, line: MbDocLine) -> str | None:
        """The refusal the line's SOR item (or non-SOR line) would meet on submit, if any."""
        return self.ceiling_problems.get(line.group_key)

    def problems_in_order(self) -> list[tuple[MbDocLine, str]]:
        """(first line of the group, message), in work-order order."""
        found = [(self.groups[key][0], message) for key, message in self.ceiling_problems.items()]
        return sorted(found, key=lambda pair: pair[0].position)

    def _check_group(self, key: str) -> None:
        lines = self.groups[key]
        try:
            check_ceilings([line.to_item() for line in lines], [line.figures() for line in lines])
        except ValidationError as exc:
            self.ceiling_problems[key] = exc.message
        else:
            self.ceiling_problems.pop(key, None)

    # ---------------------------------------------------------------- changes
    # The estimate document changes the rows and every running figure; then the line's
    # ceiling group is checked again.
    def set_row(self, line: DocLine, index: int, row: MeasurementRow) -> MeasurementRow:
        old = super().set_row(line, index, row)
        self._recheck(line)
        return old

    def insert_rows(self, line: DocLine, at: int, rows: Sequence[MeasurementRow]) -> None:
        super().insert_rows(line, at, rows)
        self._recheck(line)

    def remove_rows(
        self, line: DocLine, positions: Iterable[int]
    ) -> list[tuple[int, MeasurementRow]]:
        removed = super().remove_rows(line, positions)
        self._recheck(line)
        return removed

    def restore_rows(self, line: DocLine, removed: Sequence[tuple[int, MeasurementRow]]) -> None:
        super().restore_rows(line, removed)
        self._recheck(line)

    def _recheck(self, line: DocLine) -> None:
        if isinstance(line, MbDocLine):
            self._check_group(line.group_key)

    def set_period(self, period: Period, measurement_date: date) -> tuple[Period, date]:
        """Change the period (its end) and the date of measurement; returns the old ones."""
        old = (self.period, self.measurement_date)
        self.period = period
        self.measurement_date = measurement_date
        self.estimate_date = measurement_date
        self.revision += 1
        return old
