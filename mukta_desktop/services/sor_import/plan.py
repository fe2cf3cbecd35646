"""Reading what the desktop stores for an import's rules (mukta_desktop.sor_files.rules), and
applying the resulting plan in one go.

The plan is made without changing anything, so a refused import leaves the session clean;
`apply_plan` is the only writer. Both work in bulk (a few statements for the whole file):
building thousands of ORM objects costs seconds that a 5,000-row import cannot spend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from mukta_desktop.domain.sor import STATE_TENANT, RateHeads, SorStatus
from mukta_desktop.models import Sor, SorRate
from mukta_desktop.models.base import utcnow
from mukta_desktop.sor_files.rules import (
    Latest,
    NewRate,
    Plan,
    Stored,
    StoredSor,
    plan_lines,
    rate_days,
)
from mukta_desktop.sor_files.validate import SorLine

from ..sor_store import rate_values, search_text, sor_values

RATE_SOURCE = "IMPORT"
_HEADS = tuple(f.name for f in fields(RateHeads))
_HEAD_COLUMNS = tuple(getattr(SorRate, name) for name in _HEADS)
_DATES_PER_QUERY = 500  # well below SQLite's limit on bound parameters


def make_plan(
    session: Session,
    lines: Sequence[SorLine],
    *,
    tenant: str,
    effective_from: date | None,
    today: date,
) -> Plan:
    stored = _load(session, tenant, rate_days(lines, effective_from, today))
    return plan_lines(stored, lines, tenant=tenant, effective_from=effective_from, today=today)


def _load(session: Session, tenant: str, days: set[date]) -> Stored:
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
        row.sor_id: Latest(row.effective_from, _heads(row))
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
    return Stored(sors, latest, state_latest, same_day)


def _heads(row: Any) -> RateHeads:
    return RateHeads(**{name: getattr(row, name) for name in _HEADS})


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
