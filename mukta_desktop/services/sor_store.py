"""Reading and writing SOR rows: the small pieces every SOR service shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import NotFound, ValidationError
from mukta_desktop.domain.ids import new_id
from mukta_desktop.domain.numbers import plain_text
from mukta_desktop.domain.sor import (
    STATE_TENANT,
    DatedRate,
    RateHeads,
    SorStatus,
    effective_rate,
    rate_periods,
)
from mukta_desktop.models import Counter, Sor, SorRate, Tenant

from .sor_views import RateInfo

SOR_CODE_COUNTER = "sor_code"
_GENERATED_GLOB = "SOR_" + "[0-9]" * 6


def search_text(code: str, description: str) -> str:
    return f"{code} {description}".lower()


def check_tenant(session: Session, tenant: str) -> None:
    """Refuse a tenant code that is not in the Odisha tenant list."""
    if session.get(Tenant, tenant) is None:
        raise ValidationError(
            f"Tenant '{tenant}' is not known: use od (state) or od.<ulb> such as od.dhenkanal.",
            field="tenant",
        )


def sor_by_code(session: Session, code: str) -> Sor:
    sor = session.scalar(select(Sor).where(Sor.code == code.strip().upper()))
    if sor is None:
        sor = session.scalar(select(Sor).where(Sor.code == code.strip()))
    if sor is None:
        raise NotFound(f"No SOR with code '{code.strip()}'.")
    return sor


def heads_of(rate: SorRate) -> RateHeads:
    return RateHeads(
        material=rate.material,
        labour=rate.labour,
        machinery=rate.machinery,
        conveyance=rate.conveyance,
        royalty=rate.royalty,
        dmf=rate.dmf,
        emf=rate.emf,
        additional=rate.additional,
        labour_cess=rate.labour_cess,
    )


def rate_values(
    sor_id: str, tenant: str, effective_from: date, heads: RateHeads, source: str, by: str
) -> dict[str, Any]:
    """The column values of a new rate: for an ORM object or a bulk insert alike."""
    return {
        "id": new_id(),
        "sor_id": sor_id,
        "tenant_code": tenant,
        "effective_from": effective_from,
        **heads.as_dict(),
        "total": heads.total,
        "source": source,
        "created_by": by,
    }


def new_rate_row(
    sor_id: str, tenant: str, effective_from: date, heads: RateHeads, source: str, by: str
) -> SorRate:
    return SorRate(**rate_values(sor_id, tenant, effective_from, heads, source, by))


def sor_values(
    *,
    code: str,
    type_code: str,
    sub_type_code: str,
    variant_code: str,
    uom_code: str,
    rate_quantity: Decimal,
    description: str,
    is_demo: bool = False,
    sor_id: str | None = None,
) -> dict[str, Any]:
    """The column values of a new, active SOR (with its search text)."""
    return {
        "id": sor_id or new_id(),
        "code": code,
        "type_code": type_code,
        "sub_type_code": sub_type_code,
        "variant_code": variant_code,
        "uom_code": uom_code,
        "rate_quantity": rate_quantity,
        "description": description,
        "search_text": search_text(code, description),
        "status": SorStatus.ACTIVE.value,
        "is_demo": is_demo,
        "version": 1,
    }


def dated(rates: Iterable[SorRate]) -> list[DatedRate]:
    return [DatedRate(r.tenant_code, r.effective_from, r.total, r) for r in rates]


def tenant_names(session: Session) -> dict[str, str]:
    return {t.code: t.name for t in session.scalars(select(Tenant))}


def rate_history(rates: Sequence[SorRate], tenant: str, names: dict[str, str]) -> list[RateInfo]:
    """The state series and (for a ULB) the ULB's own series, each rate with its period;
    newest first."""
    infos: list[RateInfo] = []
    series = [STATE_TENANT] if tenant == STATE_TENANT else [tenant, STATE_TENANT]
    for code in series:
        for period in rate_periods(dated(r for r in rates if r.tenant_code == code)):
            row = period.rate.key
            assert isinstance(row, SorRate)
            infos.append(rate_info(row, period.effective_to, names))
    infos.sort(key=lambda i: (i.effective_from, i.tenant != STATE_TENANT), reverse=True)
    return infos


def rate_info(row: SorRate, effective_to: date | None, names: dict[str, str]) -> RateInfo:
    return RateInfo(
        id=row.id,
        tenant=row.tenant_code,
        tenant_name=names.get(row.tenant_code, row.tenant_code),
        effective_from=row.effective_from,
        effective_to=effective_to,
        heads=heads_of(row),
        total=row.total,
        source=row.source,
    )


def current_rate(
    rates: Sequence[SorRate], at: date, tenant: str, names: dict[str, str]
) -> RateInfo | None:
    chosen = effective_rate(dated(rates), at, tenant)
    if chosen is None:
        return None
    row = chosen.key
    assert isinstance(row, SorRate)
    following = [
        r.effective_from
        for r in rates
        if r.tenant_code == row.tenant_code and r.effective_from > row.effective_from
    ]
    end = date.fromordinal(min(following).toordinal() - 1) if following else None
    return rate_info(row, end, names)


def next_sor_code(session: Session) -> str:
    """The next generated code (SOR_000692 style), never one already used."""
    counter = session.get(Counter, SOR_CODE_COUNTER)
    if counter is None:
        counter = Counter(name=SOR_CODE_COUNTER, value=0)
        session.add(counter)
    # Codes imported from a file may already use SOR_ numbers: continue after the highest.
    top = session.scalar(select(func.max(Sor.code)).where(Sor.code.op("GLOB")(_GENERATED_GLOB)))
    highest = max(counter.value, int(top[4:]) if top else 0)
    counter.value = highest + 1
    return f"SOR_{counter.value:06d}"


def latest_in_series(rates: Iterable[SorRate], tenant: str) -> SorRate | None:
    candidates = [r for r in rates if r.tenant_code == tenant]
    return max(candidates, key=lambda r: r.effective_from) if candidates else None


# A rate quantity as people write it: 1, 120, 2.5.
quantity_text = plain_text
