"""The estimate being edited, in plain Python (no Qt): lines, measurement rows and every figure.

The figures are cached and kept up to date incrementally. When one cell changes, only that
row's quantity is recomputed, then its line's quantity, amount and cost analysis (a sum over
the line's cached row quantities), then the running totals are adjusted by the line's
difference and the overheads are taken again on the new base. An estimate of 300 lines × 10
rows therefore costs a few dozen decimal operations per keystroke, not 3,000 row products.

The figures equal `domain.estimate.compute()` of the same lines and overheads exactly: the
same domain functions compute each row and line, in the same order, and the totals are sums
of 2-decimal amounts, which decimal arithmetic adds exactly in any order.

Every change goes through a method here that returns what an undo needs; the Qt models and
undo commands (undo.py) wrap these methods, the document knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import (
    LUMP_SUM_CODE,
    CostAnalysis,
    Line,
    LineCategory,
    Overhead,
    Totals,
    line_amount_with_used,
)
from mukta_desktop.domain.measurements import MeasurementRow, check_row, row_warning
from mukta_desktop.domain.numbers import ONE, ZERO, round4, round_rupees
from mukta_desktop.domain.sor import MATERIAL_COST_HEADS, RateHeads, line_amount
from mukta_desktop.services.estimate_views import EstimateDraft, LineDraft, OverheadDraft

_NO_ANALYSIS = CostAnalysis()
# Decimal adds 2-decimal amounts exactly while a sum keeps within 28 digits, so adjusting the
# totals by differences gives what summing afresh gives. Amounts this large (absurd, but
# possible with four factors of 99,999.9999) could lose digits: with any such line the totals
# are summed afresh in line order, exactly as `compute` does.
_EXACT_LIMIT = Decimal(10) ** 21


@dataclass(eq=False)
class DocLine:
    """One estimate line being edited, with its cached figures. Compared by identity: the
    undo commands and Qt models hold on to the line object itself."""

    category: LineCategory
    description: str
    unit: str
    rate: Decimal
    rate_quantity: Decimal = ONE
    sor_code: str | None = None
    rate_id: str | None = None
    heads: RateHeads | None = None
    origin_line_id: str | None = None
    used_quantity: Decimal | None = None
    used_rate: Decimal | None = None
    reason: str = ""
    id: str | None = None
    rows: list[MeasurementRow] = field(default_factory=list)
    # cached figures (refresh() keeps them right)
    row_quantities: list[Decimal] = field(default_factory=list)  # signed, one per row
    quantity: Decimal = ZERO
    amount: Decimal = ZERO
    analysis: CostAnalysis = _NO_ANALYSIS

    def __post_init__(self) -> None:
        self.row_quantities = [row.signed_quantity for row in self.rows]
        self.refresh()

    @classmethod
    def from_draft(cls, draft: LineDraft) -> DocLine:
        return cls(
            category=draft.category,
            description=draft.description,
            unit=draft.unit,
            rate=draft.rate,
            rate_quantity=draft.rate_quantity,
            sor_code=draft.sor_code,
            rate_id=draft.rate_id,
            heads=draft.heads,
            origin_line_id=draft.origin_line_id,
            used_quantity=draft.used_quantity,
            used_rate=draft.used_rate,
            reason=draft.reason,
            id=draft.id,
            rows=list(draft.rows),
        )

    def to_draft(self) -> LineDraft:
        return LineDraft(
            category=self.category,
            description=self.description,
            unit=self.unit,
            rate=self.rate,
            rate_quantity=self.rate_quantity,
            rows=tuple(self.rows),
            sor_code=self.sor_code,
            rate_id=self.rate_id,
            heads=self.heads,
            origin_line_id=self.origin_line_id,
            used_quantity=self.used_quantity,
            used_rate=self.used_rate,
            reason=self.reason,
            id=self.id,
        )

    def to_line(self) -> Line:
        """The domain line (for checks against `compute`)."""
        return Line(
            category=self.category,
            description=self.description,
            unit=self.unit,
            rate=self.rate,
            rows=tuple(self.rows),
            rate_quantity=self.rate_quantity,
            sor_code=self.sor_code,
            heads=self.heads,
            used_quantity=self.used_quantity,
            used_rate=self.used_rate,
        )

    @property
    def is_sor(self) -> bool:
        return self.category is LineCategory.SOR

    def refresh(self) -> None:
        """Quantity, amount and analysis from the cached row quantities (as domain.estimate:
        item_quantity, line_amount_with_used, line_analysis)."""
        quantity = round4(sum(self.row_quantities, ZERO))
        self.quantity = quantity
        self.amount = line_amount_with_used(
            quantity, self.rate, self.rate_quantity, self.used_quantity, self.used_rate
        )
        if self.heads is None or self.category is not LineCategory.SOR:
            self.analysis = _NO_ANALYSIS
            return
        heads = self.heads
        material = sum((getattr(heads, h) for h in MATERIAL_COST_HEADS), ZERO)
        rq = self.rate_quantity
        self.analysis = CostAnalysis(
            line_amount(quantity, material, rq),
            line_amount(quantity, heads.labour, rq),
            line_amount(quantity, heads.machinery, rq),
        )


# Line fields a user may change (non-SOR lines: all three; revisions: the reason).
EDITABLE_LINE_FIELDS = frozenset({"description", "unit", "rate", "reason"})


def row_problem(row: MeasurementRow, *, where: str) -> tuple[str, str] | None:
    """('error' or 'warning', message) for a row that needs attention, else None."""
    try:
        check_row(row, where=where)
    except ValidationError as exc:
        return "error", exc.message
    warning = row_warning(row, where=where)
    return None if warning is None else ("warning", warning)


class EstimateDocument:
    """An estimate's header, lines and overheads with every figure, kept current."""

    def __init__(
        self,
        estimate_date: date,
        description: str = "",
        lines: Iterable[DocLine] = (),
        overheads: Iterable[OverheadDraft] = (),
    ) -> None:
        self.estimate_date = estimate_date
        self.description = description
        self.lines: list[DocLine] = list(lines)
        self.overheads: list[OverheadDraft] = list(overheads)
        self.revision = 0  # +1 on every change: what autosave compares
        self.sor_total = ZERO
        self.non_sor_total = ZERO
        self._material = ZERO
        self._labour = ZERO
        self._machinery = ZERO
        self._huge_lines = 0
        for line in self.lines:
            self._add_figures(line)
        if self._huge_lines:
            self._sum_afresh()
        self.overhead_amounts: list[Decimal] = []
        self._refresh_overheads()

    @classmethod
    def from_draft(cls, draft: EstimateDraft) -> EstimateDocument:
        return cls(
            draft.estimate_date,
            draft.description,
            (DocLine.from_draft(line) for line in draft.lines),
            draft.overheads,
        )

    def to_draft(self) -> EstimateDraft:
        """An immutable snapshot, safe to hand to a worker thread."""
        return EstimateDraft(
            estimate_date=self.estimate_date,
            description=self.description,
            lines=tuple(line.to_draft() for line in self.lines),
            overheads=tuple(self.overheads),
        )

    # ---------------------------------------------------------------- figures
    @property
    def base(self) -> Decimal:
        """SOR + non-SOR total: what percentage overheads are taken on."""
        return self.sor_total + self.non_sor_total

    @property
    def overhead_total(self) -> Decimal:
        return sum(self.overhead_amounts, ZERO)

    @property
    def total(self) -> Decimal:
        return self.base + self.overhead_total

    @property
    def total_rupees(self) -> Decimal:
        return round_rupees(self.total)

    @property
    def analysis(self) -> CostAnalysis:
        return CostAnalysis(self._material, self._labour, self._machinery)

    def totals(self) -> Totals:
        """Every figure, in the shape `domain.estimate.compute` returns."""
        return Totals(
            line_amounts=tuple(line.amount for line in self.lines),
            sor_total=self.sor_total,
            non_sor_total=self.non_sor_total,
            overhead_amounts=tuple(self.overhead_amounts),
            overhead_total=self.overhead_total,
            total=self.total,
            analysis=self.analysis,
            line_quantities=tuple(line.quantity for line in self.lines),
        )

    def _add_figures(self, line: DocLine, sign: int = 1) -> None:
        if _is_huge(line):
            self._huge_lines += sign
        amount = line.amount if sign > 0 else -line.amount
        if line.category is LineCategory.SOR:
            self.sor_total += amount
        else:
            self.non_sor_total += amount
        part = line.analysis
        if part is not _NO_ANALYSIS:
            if sign > 0:
                self._material += part.material
                self._labour += part.labour
                self._machinery += part.machinery
            else:
                self._material -= part.material
                self._labour -= part.labour
                self._machinery -= part.machinery

    def _sum_afresh(self) -> None:
        sor = non_sor = material = labour = machinery = ZERO
        for line in self.lines:
            if line.category is LineCategory.SOR:
                sor += line.amount
            else:
                non_sor += line.amount
        for line in self.lines:
            material += line.analysis.material
            labour += line.analysis.labour
            machinery += line.analysis.machinery
        self.sor_total, self.non_sor_total = sor, non_sor
        self._material, self._labour, self._machinery = material, labour, machinery

    def _refresh_overheads(self) -> None:
        base = self.base
        self.overhead_amounts = [
            Overhead(o.code, o.description, o.kind, o.percent, o.lump_sum).amount_on(base)
            for o in self.overheads
        ]

    def _changed(self) -> None:
        self._refresh_overheads()
        self.revision += 1

    def _line_figures_change(self, line: DocLine) -> _LineChange:
        return _LineChange(self, line)

    # ---------------------------------------------------------------- reading
    def index_of(self, line: DocLine) -> int:
        for index, candidate in enumerate(self.lines):
            if candidate is line:
                return index
        raise ValueError("the line is not in this estimate")

    def has_sor_lines(self) -> bool:
        return any(line.is_sor for line in self.lines)

    def overhead_codes(self) -> set[str]:
        return {o.code for o in self.overheads}

    def check_new_overhead(self, overhead: OverheadDraft) -> None:
        """Each overhead code once; typed lump sums (code LS) may repeat."""
        if overhead.code != LUMP_SUM_CODE and overhead.code in self.overhead_codes():
            raise ValidationError(
                f"Overhead {overhead.code} ({overhead.description}) is already on the estimate;"
                " each overhead is added once.",
                field="overheads",
            )

    # ---------------------------------------------------------------- rows
    def set_row(self, line: DocLine, index: int, row: MeasurementRow) -> MeasurementRow:
        """Replace one row; returns the old one."""
        with self._line_figures_change(line):
            old = line.rows[index]
            line.rows[index] = row
            line.row_quantities[index] = row.signed_quantity
        return old

    def insert_rows(self, line: DocLine, at: int, rows: Sequence[MeasurementRow]) -> None:
        with self._line_figures_change(line):
            line.rows[at:at] = rows
            line.row_quantities[at:at] = [row.signed_quantity for row in rows]

    def remove_rows(
        self, line: DocLine, positions: Iterable[int]
    ) -> list[tuple[int, MeasurementRow]]:
        """Remove rows at the given positions; returns (position, row) ascending, which
        `restore_rows` puts back."""
        ordered = sorted(set(positions))
        removed = [(p, line.rows[p]) for p in ordered]
        with self._line_figures_change(line):
            for p in reversed(ordered):
                del line.rows[p]
                del line.row_quantities[p]
        return removed

    def restore_rows(self, line: DocLine, removed: Sequence[tuple[int, MeasurementRow]]) -> None:
        with self._line_figures_change(line):
            for p, row in removed:  # ascending: each lands where it was
                line.rows.insert(p, row)
                line.row_quantities.insert(p, row.signed_quantity)

    # ---------------------------------------------------------------- lines
    def insert_line(self, at: int, line: DocLine) -> None:
        huge_before = self._huge_lines
        self.lines.insert(at, line)
        self._add_figures(line)
        self._after_line_change(huge_before)

    def remove_line(self, at: int) -> DocLine:
        huge_before = self._huge_lines
        line = self.lines.pop(at)
        self._add_figures(line, -1)
        self._after_line_change(huge_before)
        return line

    def _after_line_change(self, huge_before: int) -> None:
        if huge_before or self._huge_lines:
            self._sum_afresh()
        self._changed()

    def update_line(self, line: DocLine, changes: dict[str, object]) -> dict[str, object]:
        """Change fields of a line (description, unit, rate of a non-SOR line; a revision's
        reason); returns the old values."""
        unknown = set(changes) - EDITABLE_LINE_FIELDS
        if unknown:
            raise ValueError(f"line fields that are not edited here: {sorted(unknown)}")
        old = {name: getattr(line, name) for name in changes}
        with self._line_figures_change(line):
            for name, value in changes.items():
                setattr(line, name, value)
        return old

    # ---------------------------------------------------------------- overheads
    def insert_overhead(self, at: int, overhead: OverheadDraft) -> None:
        self.overheads.insert(at, overhead)
        self._changed()

    def remove_overhead(self, at: int) -> OverheadDraft:
        overhead = self.overheads.pop(at)
        self._changed()
        return overhead

    def set_overhead(self, at: int, overhead: OverheadDraft) -> OverheadDraft:
        old = self.overheads[at]
        self.overheads[at] = overhead
        self._changed()
        return old

    # ---------------------------------------------------------------- header
    def set_header(self, *, estimate_date: date, description: str) -> tuple[date, str]:
        old = (self.estimate_date, self.description)
        self.estimate_date = estimate_date
        self.description = description
        self.revision += 1
        return old

    # ---------------------------------------------------------------- saving
    def adopt_line_ids(self, saved: Sequence[DocLine], ids: Sequence[str | None]) -> None:
        """After a save: lines that had no id yet take the one the database gave them (the
        same line keeps its id across saves)."""
        for line, line_id in zip(saved, ids, strict=True):
            if line.id is None and line_id is not None:
                line.id = line_id


class _LineChange:
    """`with document._line_figures_change(line): ...` takes the line's figures out of the
    totals, lets the block change the line, recomputes it and puts the new figures back."""

    __slots__ = ("_document", "_huge_before", "_line")

    def __init__(self, document: EstimateDocument, line: DocLine) -> None:
        self._document = document
        self._line = line
        self._huge_before = 0

    def __enter__(self) -> None:
        self._huge_before = self._document._huge_lines
        self._document._add_figures(self._line, -1)

    def __exit__(self, *exc: object) -> None:
        self._line.refresh()
        self._document._add_figures(self._line)
        self._document._after_line_change(self._huge_before)


def _is_huge(line: DocLine) -> bool:
    part = line.analysis
    return any(
        abs(value) >= _EXACT_LIMIT
        for value in (line.amount, part.material, part.labour, part.machinery)
    )


def new_sor_line(draft: LineDraft) -> DocLine:
    """A line from a priced SOR (services.estimates.price_sor_line), without rows yet."""
    return DocLine.from_draft(replace(draft, rows=()))


def non_sor_line(description: str, unit: str, rate: Decimal) -> DocLine:
    return DocLine(LineCategory.NON_SOR, description.strip(), unit.strip(), rate)

