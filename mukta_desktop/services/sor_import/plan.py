"""Comparing valid rows with what is stored, and applying the result in one go.

The plan is made without changing anything, so a refused import leaves the session clean;
`apply_plan` is the only writer. Both work in bulk (a few statements for the whole file):
building thousands of ORM objects costs seconds that a 5,000-row import cannot spend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.numbers import to_str2
from mukta_desktop.domain.sor import STATE_TENANT, RateHeads, SorStatus
from mukta_desktop.models import Sor, SorRate
from mukta_desktop.models.base import utcnow

from ..sor_store import quantity_text, rate_values, search_text, sor_values
from .report import ImportProblem
from .rows import RATE_QUANTITY, SUB_TYPE, TOTAL, TYPE, UOM, VARIANT
from .validate import SorLine

RATE_SOURCE = "IMPORT"
_HEADS = tuple(f.name for f in fields(RateHeads))
_HEAD_COLUMNS = tuple(getattr(SorRate, name) for name in _HEADS)
_DATES_PER_QUERY = 500  # well below SQLite's limit on bound parameters


@dataclass(frozen=True, slots=True)
class StoredSor:
    """The columns of a stored SOR that an import compares with."""

    id: str
    code: str
    type_code: str
    sub_type_code: str
    variant_code: str
    uom_code: str
    rate_quantity: Decimal
    description: str
    version: int


@dataclass(frozen=True, slots=True)
class NewRate:
    sor_id: str
    heads: RateHeads
    effective_from: date


@dataclass(frozen=True, slots=True)
class _Latest:
    """The latest rate of a SOR in one tenant's series."""

    effective_from: date
    heads: RateHeads


@dataclass(slots=True)
class Plan:
    creates: list[tuple[str, SorLine]] = field(default_factory=list)  # (new SOR id, row)
    updates: list[tuple[StoredSor, SorLine]] = field(default_factory=list)  # new description
    unchanged: int = 0
    rates: list[NewRate] = field(default_factory=list)
    rates_skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def changes_definitions(self) -> bool:
        return bool(self.creates or self.updates)

    def definition_codes(self) -> list[str]:
        return [line.code for _, line in self.creates] + [line.code for _, line in self.updates]


@dataclass(frozen=True, slots=True)
class _Stored:
    """What is stored that the import compares with, read in a few queries."""

    sors: dict[str, StoredSor]  # by case-folded code
    latest: dict[str, _Latest]  # SOR id -> latest rate in the tenant's series
    # SOR id -> latest effective_from in the state series; only for a ULB's import (a ULB
    # rate wins over the state's for that ULB, so it may not start before either).
    state_latest: dict[str, date]
    same_day: dict[tuple[str, date], RateHeads]  # (SOR id, a date of the import) -> heads


def rate_date(line: SorLine, effective_from: date | None, today: date) -> date:
    """The date a row's rate takes effect: the importer's date, else the file's, else today."""
    return effective_from or line.rate_from or today


def make_plan(
    session: Session,
    lines: Sequence[SorLine],
    *,
    tenant: str,
    effective_from: date | None,
    today: date,
) -> Plan:
    days = {rate_date(line, effective_from, today) for line in lines if line.heads is not None}
    stored = _load(session, tenant, days)
    plan = Plan()
    for line in lines:
        sor = stored.sors.get(line.code.casefold())
        if sor is None:
            sor_id = new_id()
            plan.creates.append((sor_id, line))
        else:
            sor_id = sor.id
            _compare_definition(plan, sor, line)
        if line.heads is not None:
            _plan_rate(
                plan,
                stored,
                sor,
                sor_id,
                line,
                line.heads,
                tenant,
                rate_date(line, effective_from, today),
            )
    return plan


def _load(session: Session, tenant: str, days: set[date]) -> _Stored:
    columns = select(
        Sor.id,
        Sor.code,
        Sor.type_code,
        Sor.sub_type_code,
        Sor.variant_code,
        Sor.uom_code,
        Sor.rate_quantity,
        Sor.description,
        Sor.version,
    )
    sors = {row.code.casefold(): StoredSor(*row) for row in session.execute(columns)}
    newest = (
        select(SorRate.sor_id, func.max(SorRate.effective_from).label("day"))
        .where(SorRate.tenant_code == tenant)
        .group_by(SorRate.sor_id)
        .subquery()
    )
    latest = {
        row.sor_id: _Latest(row.effective_from, _heads(row))
        for row in session.execute(
            select(SorRate.sor_id, SorRate.effective_from, *_HEAD_COLUMNS)
            .join(
                newest,
                (SorRate.sor_id == newest.c.sor_id) & (SorRate.effective_from == newest.c.day),
            )
            .where(SorRate.tenant_code == tenant)
        )
    }
    state_latest: dict[str, date] = {}
    if tenant != STATE_TENANT:
        state_latest = {
            sor_id: day
            for sor_id, day in session.execute(
                select(SorRate.sor_id, func.max(SorRate.effective_from))
                .where(SorRate.tenant_code == STATE_TENANT)
                .group_by(SorRate.sor_id)
            )
        }
    same_day: dict[tuple[str, date], RateHeads] = {}
    ordered = sorted(days)
    for start in range(0, len(ordered), _DATES_PER_QUERY):
        chunk = ordered[start : start + _DATES_PER_QUERY]
        for row in session.execute(
            select(SorRate.sor_id, SorRate.effective_from, *_HEAD_COLUMNS).where(
                SorRate.tenant_code == tenant, SorRate.effective_from.in_(chunk)
            )
        ):
            same_day[(row.sor_id, row.effective_from)] = _heads(row)
    return _Stored(sors, latest, state_latest, same_day)


def _heads(row: Any) -> RateHeads:
    return RateHeads(**{name: getattr(row, name) for name in _HEADS})


def _compare_definition(plan: Plan, sor: StoredSor, line: SorLine) -> None:
    differences = [
        (TYPE, "type", line.type_code, sor.type_code),
        (SUB_TYPE, "sub type", line.sub_type_code, sor.sub_type_code),
        (VARIANT, "variant", line.variant_code, sor.variant_code),
        (UOM, "unit", line.uom_code, sor.uom_code),
    ]
    problems = [
        line.source.problem(_changed(sor, label, new, old), column)
        for column, label, new, old in differences
        if new != old
    ]
    if line.rate_quantity != sor.rate_quantity:
        problems.append(
            line.source.problem(
                _changed(
                    sor,
                    "quantity for which the rate is defined",
                    quantity_text(line.rate_quantity),
                    quantity_text(sor.rate_quantity),
                ),
                RATE_QUANTITY,
            )
        )
    if problems:
        plan.problems.extend(problems)
    elif line.description != sor.description:
        plan.updates.append((sor, line))
    else:
        plan.unchanged += 1


def _changed(sor: StoredSor, label: str, new: str, old: str) -> str:
    return (
        f"{label} differs from the stored SOR {sor.code}: file {new}, stored {old}; "
        "a SOR's definition changes only through Modify SOR"
    )


def _plan_rate(
    plan: Plan,
    stored: _Stored,
    sor: StoredSor | None,
    sor_id: str,
    line: SorLine,
    heads: RateHeads,
    tenant: str,
    effective_from: date,
) -> None:
    if sor is None:
        plan.rates.append(NewRate(sor_id, heads, effective_from))
        return
    same = stored.same_day.get((sor_id, effective_from))
    latest = stored.latest.get(sor_id)
    latest_day = None if latest is None else latest.effective_from
    state_day = stored.state_latest.get(sor_id)
    if same is not None and same == heads:
        plan.rates_skipped += 1
    elif same is not None:
        plan.problems.append(
            line.source.problem(
                f"{sor.code} already has a different rate for {tenant} from "
                f"{format_date(effective_from)} (total {to_str2(same.total)}, this row "
                f"{to_str2(heads.total)}); rate history is never rewritten: import the new rate "
                "with a later effective date",
                TOTAL,
            )
        )
    elif tenant != STATE_TENANT and any(
        day is not None and effective_from < day for day in (latest_day, state_day)
    ):
        ulb = "none" if latest_day is None else f"from {format_date(latest_day)}"
        state = "none" if state_day is None else f"from {format_date(state_day)}"
        plan.problems.append(
            line.source.problem(
                f"effective from {format_date(effective_from)} is earlier than the latest rate of "
                f"{sor.code} (for {tenant}: {ulb}; for {STATE_TENANT}: {state}); a rate for "
                f"{tenant} wins over the state's there, so it may not start before either: rate "
                "history is never rewritten"
            )
        )
    elif latest_day is not None and effective_from < latest_day:
        plan.problems.append(
            line.source.problem(
                f"effective from {format_date(effective_from)} is earlier than the latest rate of "
                f"{sor.code} for {tenant} (from {format_date(latest_day)}); rate history is never "
                "rewritten"
            )
        )
    elif latest is not None and latest.heads == heads:
        # The same amounts as the rate in force since an earlier date: already present.
        plan.rates_skipped += 1
    else:
        plan.rates.append(NewRate(sor_id, heads, effective_from))


def apply_plan(session: Session, plan: Plan, *, tenant: str, by: str) -> None:
    """Write the plan; the caller's unit of work commits it or nothing."""
    if plan.creates:
        session.execute(insert(Sor), [_new_sor(sor_id, line) for sor_id, line in plan.creates])
    if plan.updates:
        now = utcnow()
        session.execute(
            update(Sor),
            [
                {
                    "id": sor.id,
                    "description": line.description,
                    "search_text": search_text(sor.code, line.description),
                    "version": sor.version + 1,
                    "updated_at": now,
                }
                for sor, line in plan.updates
            ],
        )
    if plan.rates:
        session.execute(insert(SorRate), [_rate_row(rate, tenant, by) for rate in plan.rates])


def _new_sor(sor_id: str, line: SorLine) -> dict[str, Any]:
    values = sor_values(
        sor_id=sor_id,
        code=line.code,
        type_code=line.type_code,
        sub_type_code=line.sub_type_code,
        variant_code=line.variant_code,
        uom_code=line.uom_code,
        rate_quantity=line.rate_quantity,
        description=line.description,
    )
    # A new SOR takes the file's status; a stored SOR's status changes only through Modify SOR.
    values["status"] = line.status or SorStatus.ACTIVE.value
    return values


def _rate_row(rate: NewRate, tenant: str, by: str) -> dict[str, Any]:
    return rate_values(rate.sor_id, tenant, rate.effective_from, rate.heads, RATE_SOURCE, by)
