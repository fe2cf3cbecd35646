"""SOR rates in force on the server: a pushed estimate's SOR lines must carry the rate the
head office published for the estimate's ULB on the estimate's date (docs/sor-sync.md).

The rate in force is chosen as on the desktop (`mukta_desktop.domain.sor.effective_rate`): the
ULB's own series wins over the state's; within a series the latest rate from on or before the
date applies. A line is compared on its total rate, its heads (when it carries them) and the
quantity the rate is for.

Not refused, by design: a SOR the head office has not published at all, a published SOR with
no published rate yet, and a date before the first published rate of the SOR. The head office
may not have imported a schedule yet (or not one that old: published history is never
rewritten, so an older schedule can no longer be added); the desktop's own rates stand then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.dates import format_date
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.estimate import LineCategory
from mukta_desktop.domain.numbers import plain_text, to_str2
from mukta_desktop.domain.sor import STATE_TENANT, DatedRate, RateHeads, effective_rate

from .models import PublishedRate, SorDefinition

_HEADS = tuple(f.name for f in fields(RateHeads))
_PER_QUERY = 500


def check_rates(session: Session, tenant: str, payload: dict[str, Any]) -> None:
    """Refuse an estimate whose SOR line rates are not the ones in force on the server for
    `tenant` (the device's ULB) on the estimate date; every such line is named."""
    lines = [
        line
        for line in payload.get("lines") or []
        if line.get("category") == LineCategory.SOR.value and line.get("sor_code")
    ]
    if not lines:
        return
    day = _estimate_date(payload.get("estimate_date"))
    published = _published(session, tenant, {str(line["sor_code"]) for line in lines})
    problems = []
    for line in lines:
        code = str(line["sor_code"])
        found = published.get(code.casefold())
        if found is None:
            continue  # not published by the head office: the desktop's own SOR
        rate_quantity, rates = found
        chosen = effective_rate(rates, day, tenant)
        if chosen is None:
            continue  # published, but no rate from on or before this date
        assert isinstance(chosen.key, RateHeads)
        problem = _compare(line, code, chosen, chosen.key, rate_quantity, day, tenant)
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError(" ".join(problems), field="rate")


def _estimate_date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"The estimate date '{value}' is not a date (YYYY-MM-DD).", field="estimate_date"
        ) from None


def _published(
    session: Session, tenant: str, codes: set[str]
) -> dict[str, tuple[Decimal, list[DatedRate]]]:
    """Case-folded code -> (the quantity its rate is for, its published rates of the state and
    of `tenant`, each keyed by its heads)."""
    wanted = sorted({code.casefold() for code in codes})
    definitions: dict[str, tuple[str, Decimal]] = {}
    for start in range(0, len(wanted), _PER_QUERY):
        chunk = wanted[start : start + _PER_QUERY]
        for sor_id, code, rate_quantity in session.execute(
            select(SorDefinition.id, SorDefinition.code, SorDefinition.rate_quantity).where(
                func.lower(SorDefinition.code).in_(chunk)
            )
        ):
            definitions[sor_id] = (code.casefold(), rate_quantity)
    rates: dict[str, list[DatedRate]] = defaultdict(list)
    ids = sorted(definitions)
    head_columns = [getattr(PublishedRate, name) for name in _HEADS]
    for start in range(0, len(ids), _PER_QUERY):
        for row in session.execute(
            select(
                PublishedRate.sor_id,
                PublishedRate.tenant_code,
                PublishedRate.effective_from,
                PublishedRate.total,
                *head_columns,
            ).where(
                PublishedRate.sor_id.in_(ids[start : start + _PER_QUERY]),
                PublishedRate.tenant_code.in_({tenant, STATE_TENANT}),
            )
        ):
            heads = RateHeads(**{name: getattr(row, name) for name in _HEADS})
            rates[row.sor_id].append(
                DatedRate(row.tenant_code, row.effective_from, row.total, heads)
            )
    return {
        code: (rate_quantity, rates[sor_id])
        for sor_id, (code, rate_quantity) in definitions.items()
        if rates[sor_id]
    }


def _compare(
    line: dict[str, Any],
    code: str,
    chosen: DatedRate,
    heads: RateHeads,
    rate_quantity: Decimal,
    day: date,
    tenant: str,
) -> str | None:
    where = f"Line {_position(line)} ({code})"
    series = "the state's" if chosen.tenant == STATE_TENANT else f"{chosen.tenant}'s own"
    in_force = (
        f"the rate in force on {format_date(day)} for {tenant} is {to_str2(chosen.total)} "
        f"({series} rate from {format_date(chosen.effective_from)})"
    )
    given = _decimal(line.get("rate"))
    if given is None or given != chosen.total:
        return f"{where}: the rate given is {line.get('rate')}, but {in_force}."
    raw_heads = line.get("heads")
    if isinstance(raw_heads, dict) and any(v is not None for v in raw_heads.values()):
        differing = [
            name for name in _HEADS if _decimal(raw_heads.get(name, "0")) != getattr(heads, name)
        ]
        if differing:
            return (
                f"{where}: the rate {to_str2(given)} is split into heads other than those of "
                f"the rate in force ({', '.join(differing)} differ); {in_force}."
            )
    given_quantity = _decimal(line.get("rate_quantity"))
    if given_quantity is not None and given_quantity != rate_quantity:
        return (
            f"{where}: the rate is given per {plain_text(given_quantity)} units, but the "
            f"published SOR's rate is per {plain_text(rate_quantity)}."
        )
    return None


def _position(line: dict[str, Any]) -> int:
    try:
        return int(line.get("position", 0)) + 1
    except (TypeError, ValueError):
        return 0


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
