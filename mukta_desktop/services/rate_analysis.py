"""Rate analysis of a works SOR: preview the head-wise rate, save it as a future rate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.numbers import HUNDRED, check_decimal
from mukta_desktop.domain.rate_analysis import AnalysisLine, ChargeKind, ExtraCharge, analyse
from mukta_desktop.domain.roles import can_manage_sor_definitions, require
from mukta_desktop.domain.sor import (
    STATE_TENANT,
    SorStatus,
    SorType,
    check_heads,
    check_new_rate_date,
)
from mukta_desktop.models import RateAnalysis, RateAnalysisCharge, RateAnalysisLine, Sor, SorRate

from .database import Database
from .sor_store import (
    current_rate,
    heads_of,
    latest_in_series,
    new_rate_row,
    rate_info,
    sor_by_code,
    tenant_names,
)
from .sor_views import AnalysisInfo, AnalysisLineInfo, ChargeInfo, RateInfo
from .users import Actor

# Quantities in an analysis: typed with up to 4 decimals, within what a person measures.
MIN_QUANTITY = Decimal("0.0001")
MAX_QUANTITY = Decimal("99999.9999")


@dataclass(frozen=True, slots=True)
class LineInput:
    basic_code: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class ChargeInput:
    description: str
    kind: str  # FIXED or PERCENT
    value: Decimal
    head: str = "additional"


@dataclass(frozen=True, slots=True)
class _Resolved:
    basic: Sor
    rate: SorRate
    quantity: Decimal


def _resolve(
    session: Session, lines: Sequence[LineInput], at: date, tenant: str
) -> list[_Resolved]:
    names = tenant_names(session)
    resolved: list[_Resolved] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        basic = sor_by_code(session, line.basic_code)
        if basic.type_code == SorType.WORKS:
            raise ValidationError(
                f"Line {number}: {basic.code} is a works item; an analysis is made of "
                "material, labour and machinery SORs.",
                field="lines",
            )
        if basic.code in seen:
            raise ValidationError(
                f"Line {number}: {basic.code} is already in the analysis.", field="lines"
            )
        if basic.status != SorStatus.ACTIVE:
            raise ValidationError(
                f"Line {number}: {basic.code} is inactive; an analysis uses active SORs only.",
                field="lines",
            )
        check_decimal(
            line.quantity,
            field=f"Line {number} ({basic.code}) quantity",
            places=4,
            minimum=MIN_QUANTITY,
            maximum=MAX_QUANTITY,
        )
        seen.add(basic.code)
        rates = list(session.scalars(select(SorRate).where(SorRate.sor_id == basic.id)))
        info = current_rate(rates, at, tenant, names)
        if info is None:
            raise ValidationError(
                f"Line {number}: {basic.code} has no rate in force on {at:%d/%m/%Y}.", field="lines"
            )
        rate = next(r for r in rates if r.id == info.id)
        resolved.append(_Resolved(basic, rate, line.quantity))
    return resolved


def _charges(charges: Sequence[ChargeInput]) -> list[ExtraCharge]:
    result: list[ExtraCharge] = []
    for number, charge in enumerate(charges, start=1):
        if not charge.description.strip():
            raise ValidationError(f"Extra charge {number}: describe the charge.", field="charges")
        try:
            kind = ChargeKind(charge.kind)
        except ValueError:
            raise ValidationError(
                f"Extra charge '{charge.description}': kind FIXED or PERCENT."
            ) from None
        field = f"Extra charge '{charge.description}'"
        if kind is ChargeKind.PERCENT:
            check_decimal(charge.value, field=field + " (%)", places=4, maximum=HUNDRED)
        else:
            check_decimal(charge.value, field=field + " (₹)", places=2)
        result.append(ExtraCharge(charge.description, kind, charge.value, charge.head))
    return result


def _compute(
    resolved: list[_Resolved],
    analysis_quantity: Decimal,
    charges: Sequence[ChargeInput],
    at: date,
    tenant: str,
) -> AnalysisInfo:
    lines = [
        AnalysisLine(r.basic.code, r.quantity, heads_of(r.rate), r.basic.rate_quantity)
        for r in resolved
    ]
    check_decimal(
        analysis_quantity,
        field="Analysis quantity",
        places=4,
        minimum=MIN_QUANTITY,
        maximum=MAX_QUANTITY,
    )
    extra = _charges(charges)
    result = analyse(analysis_quantity, lines, extra)
    return AnalysisInfo(
        analysis_quantity=analysis_quantity,
        effective_from=at,
        tenant=tenant,
        lines=tuple(
            AnalysisLineInfo(
                r.basic.code,
                r.basic.description,
                r.basic.uom_code,
                r.quantity,
                r.rate.total,
                r.basic.rate_quantity,
                c,
            )
            for r, c in zip(resolved, result.line_heads, strict=True)
        ),
        charges=tuple(
            ChargeInfo(c.description, c.kind.value, c.value, c.head, amount)
            for c, amount in zip(extra, result.charges, strict=True)
        ),
        heads=result.heads,
        total=result.total,
    )


def preview_analysis(
    db: Database,
    *,
    analysis_quantity: Decimal,
    lines: Sequence[LineInput],
    charges: Sequence[ChargeInput] = (),
    at: date,
    tenant: str = STATE_TENANT,
) -> AnalysisInfo:
    """The head-wise rate the analysis gives, with basic rates in force on `at`."""
    with db.read() as session:
        resolved = _resolve(session, lines, at, tenant)
        return _compute(resolved, analysis_quantity, charges, at, tenant)


def save_analysis(
    db: Database,
    actor: Actor,
    works_code: str,
    *,
    analysis_quantity: Decimal,
    lines: Sequence[LineInput],
    charges: Sequence[ChargeInput] = (),
    effective_from: date,
    today: date,
) -> RateInfo:
    """Save the analysis and the rate it gives as the works SOR's state rate from a date."""
    require(can_manage_sor_definitions(actor.roles), "save rate analyses", "MDMS_STATE_ADMIN")
    with db.unit_of_work() as session:
        return save_analysis_in(
            session,
            actor,
            works_code,
            analysis_quantity=analysis_quantity,
            lines=lines,
            charges=charges,
            effective_from=effective_from,
            today=today,
        )


def save_analysis_in(
    session: Session,
    actor: Actor,
    works_code: str,
    *,
    analysis_quantity: Decimal,
    lines: Sequence[LineInput],
    charges: Sequence[ChargeInput] = (),
    effective_from: date,
    today: date,
) -> RateInfo:
    """`save_analysis` inside a unit of work the caller owns (the demo loads in one)."""
    require(can_manage_sor_definitions(actor.roles), "save rate analyses", "MDMS_STATE_ADMIN")
    sor = sor_by_code(session, works_code)
    if sor.type_code != SorType.WORKS:
        raise ValidationError(
            f"{sor.code} is not a works item; only works SORs have a rate analysis.",
            field="sor",
        )
    # The analysis gives a per-unit rate; a SOR defined for more units carries the rate
    # for its defined quantity.
    if sor.rate_quantity != Decimal(1):
        raise ValidationError(
            f"{sor.code}'s rate is defined for {sor.rate_quantity} {sor.uom_code}; a rate "
            "analysis gives a rate per 1 unit. Analyse SORs defined for 1 unit.",
            field="sor",
        )
    # The date is checked before the lines: a past date would otherwise be reported as
    # "no rate in force" of some basic item, hiding the real problem.
    rates = list(session.scalars(select(SorRate).where(SorRate.sor_id == sor.id)))
    latest = latest_in_series(rates, STATE_TENANT)
    check_new_rate_date(
        effective_from, None if latest is None else latest.effective_from, today=today
    )
    resolved = _resolve(session, lines, effective_from, STATE_TENANT)
    info = _compute(resolved, analysis_quantity, charges, effective_from, STATE_TENANT)
    heads = info.heads
    # An analysis whose contributions all round to nothing would make a rate of ₹ 0.00.
    check_heads(heads)
    row = new_rate_row(sor.id, STATE_TENANT, effective_from, heads, "ANALYSIS", actor.login)
    session.add(row)
    session.flush()
    saved = RateAnalysis(
        id=new_id(),
        sor_id=sor.id,
        rate_id=row.id,
        tenant_code=STATE_TENANT,
        effective_from=effective_from,
        analysis_quantity=analysis_quantity,
        created_by=actor.login,
    )
    session.add(saved)
    session.flush()
    for position, r in enumerate(resolved):
        session.add(
            RateAnalysisLine(
                id=new_id(),
                analysis_id=saved.id,
                position=position,
                basic_sor_id=r.basic.id,
                quantity=r.quantity,
                basic_rate_id=r.rate.id,
            )
        )
    for position, c in enumerate(charges):
        session.add(
            RateAnalysisCharge(
                id=new_id(),
                analysis_id=saved.id,
                position=position,
                description=c.description,
                kind=c.kind,
                value=c.value,
                head=c.head,
            )
        )
    session.flush()
    return rate_info(row, None, tenant_names(session))
