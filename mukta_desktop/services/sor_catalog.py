"""SOR use cases: search, view, create, modify, add or revise a rate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.numbers import check_decimal
from mukta_desktop.domain.roles import can_manage_sor_definitions, can_set_rates, require
from mukta_desktop.domain.sor import (
    STATE_TENANT,
    DatedRate,
    RateHeads,
    SorStatus,
    SorType,
    check_heads,
    check_new_rate_date,
    complete_heads,
    effective_rate,
)
from mukta_desktop.models import (
    RateAnalysis,
    Sor,
    SorRate,
    SorSubType,
    SorTypeRow,
    Tenant,
    Unit,
    Variant,
)
from mukta_desktop.models.base import utcnow

from .database import Database
from .rate_analysis_store import analysis_info
from .sor_store import (
    check_tenant,
    current_rate,
    latest_in_series,
    new_rate_row,
    next_sor_code,
    rate_history,
    rate_info,
    search_text,
    sor_by_code,
    sor_values,
    tenant_names,
)
from .sor_views import RateInfo, SorDetail, SorPage, SorRow
from .users import Actor

MAX_DESCRIPTION = 2000
MAX_RATE_QUANTITY = Decimal("99999.9999")
NOT_APPLICABLE_VARIANT = "NA"


@dataclass(frozen=True, slots=True)
class SorQuery:
    """What the Search SOR screen and `sor list` ask for."""

    text: str = ""
    type_code: str | None = None
    sub_type_code: str | None = None
    variant_code: str | None = None
    status: str | None = None
    # An effective period: SORs with a rate in force on some day of it, shown with the rate
    # in force on its last day. Without one, the rate in force on `at`.
    period_from: date | None = None
    period_to: date | None = None
    at: date | None = None
    tenant: str = STATE_TENANT
    limit: int | None = 200
    offset: int = 0


def _escape_like(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(query: SorQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for token in query.text.lower().split():
        conditions.append(Sor.search_text.like(f"%{_escape_like(token)}%", escape="\\"))
    if query.type_code:
        conditions.append(Sor.type_code == query.type_code)
    if query.sub_type_code:
        conditions.append(Sor.sub_type_code == query.sub_type_code)
    if query.variant_code:
        conditions.append(Sor.variant_code == query.variant_code)
    if query.status:
        conditions.append(Sor.status == query.status)
    return conditions


_ROW_COLUMNS = (
    Sor.id,
    Sor.code,
    Sor.description,
    Sor.type_code,
    Sor.sub_type_code,
    Sor.variant_code,
    Sor.uom_code,
    Sor.rate_quantity,
    Sor.status,
)


def search_sors(db: Database, query: SorQuery, today: date) -> SorPage:
    """SORs matching the query (text: partial words, any order, any case), ordered by code.

    Runs on every keystroke, so it reads plain columns rather than ORM objects.
    """
    at = query.at or today
    with db.read() as session:
        check_tenant(session, query.tenant)
        conditions = _filters(query)
        if query.period_from is not None or query.period_to is not None:
            # An effective period finds the SORs whose rates took effect within it (rates
            # revised this year, say) and shows the rate in force on its last day.
            start = query.period_from or date.min
            at = query.period_to or today
            if at < start:
                raise ValidationError("Effective period: 'to' is before 'from'.", field="period_to")
            conditions.append(
                Sor.id.in_(
                    select(SorRate.sor_id).where(
                        SorRate.effective_from.between(start, at),
                        SorRate.tenant_code.in_({STATE_TENANT, query.tenant}),
                    )
                )
            )
        where = and_(True, *conditions)
        stmt = select(*_ROW_COLUMNS).where(where).order_by(Sor.code).offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        found = session.execute(stmt).all()
        # A page that is not full already tells the total: skip the second scan.
        if query.limit is None or len(found) < query.limit:
            total = query.offset + len(found) if found or query.offset == 0 else None
        else:
            total = None
        if total is None:
            total = session.scalar(select(func.count()).select_from(Sor).where(where))
        rates = _current_rates(session, [r.id for r in found], query.tenant, at)
        rows = tuple(
            SorRow(
                id=r.id,
                code=r.code,
                description=r.description,
                type_code=r.type_code,
                sub_type_code=r.sub_type_code,
                variant_code=r.variant_code,
                uom=r.uom_code,
                rate_quantity=r.rate_quantity,
                status=r.status,
                rate_total=None if (rate := rates.get(r.id)) is None else rate.total,
                rate_effective_from=None if rate is None else rate.effective_from,
                rate_tenant=None if rate is None else rate.tenant,
            )
            for r in found
        )
        return SorPage(rows, int(total or 0))


def _current_rates(
    session: Session, sor_ids: list[str], tenant: str, at: date
) -> dict[str, DatedRate]:
    """The rate in force at `at` for each SOR (ULB series first), from plain columns."""
    candidates: dict[str, list[DatedRate]] = defaultdict(list)
    tenants = {STATE_TENANT, tenant}
    for offset in range(0, len(sor_ids), 900):
        chunk = sor_ids[offset : offset + 900]
        stmt = select(
            SorRate.sor_id, SorRate.tenant_code, SorRate.effective_from, SorRate.total
        ).where(
            SorRate.sor_id.in_(chunk),
            SorRate.tenant_code.in_(tenants),
            SorRate.effective_from <= at,
        )
        for sor_id, rate_tenant, effective_from, total in session.execute(stmt):
            candidates[sor_id].append(DatedRate(rate_tenant, effective_from, total))
    chosen: dict[str, DatedRate] = {}
    for sor_id, rates in candidates.items():
        best = effective_rate(rates, at, tenant)
        if best is not None:
            chosen[sor_id] = best
    return chosen


def get_sor(db: Database, code: str, *, at: date, tenant: str = STATE_TENANT) -> SorDetail:
    """Everything the View SOR screen shows: details, current rate, history, analysis."""
    with db.read() as session:
        check_tenant(session, tenant)
        return _detail(session, sor_by_code(session, code), at, tenant)


def _detail(session: Session, sor: Sor, at: date, tenant: str) -> SorDetail:
    names = tenant_names(session)
    rates = list(session.scalars(select(SorRate).where(SorRate.sor_id == sor.id)))
    current = current_rate(rates, at, tenant, names)
    type_name = session.get_one(SorTypeRow, sor.type_code).name
    sub_type_name = session.get_one(SorSubType, sor.sub_type_code).name
    variant_name = session.get_one(Variant, sor.variant_code).name
    # The analysis that made the rate in force, or else the one that made the newest rate not
    # yet in force. An older analysis beside a rate typed since would show a total that no
    # longer matches, so it is not shown.
    analysis = None
    shown = [current.id] if current is not None else []
    future = [r for r in rates if r.effective_from > at and r.tenant_code in {tenant, STATE_TENANT}]
    if future:
        shown.append(max(future, key=lambda r: r.effective_from).id)
    for rate_id in shown:
        saved = session.scalar(select(RateAnalysis).where(RateAnalysis.rate_id == rate_id))
        if saved is not None:
            analysis = analysis_info(session, saved)
            break
    return SorDetail(
        id=sor.id,
        code=sor.code,
        type_code=sor.type_code,
        type_name=type_name,
        sub_type_code=sor.sub_type_code,
        sub_type_name=sub_type_name,
        variant_code=sor.variant_code,
        variant_name=variant_name,
        uom=sor.uom_code,
        rate_quantity=sor.rate_quantity,
        description=sor.description,
        status=sor.status,
        is_demo=sor.is_demo,
        version=sor.version,
        at=at,
        tenant=tenant,
        current=current,
        history=tuple(rate_history(rates, tenant, names)),
        analysis=analysis,
    )


@dataclass(frozen=True, slots=True)
class NewSor:
    type_code: str
    sub_type_code: str
    variant_code: str
    uom_code: str
    rate_quantity: Decimal
    description: str
    first_rate: RateHeads | None = None
    first_rate_from: date | None = None


def check_definition(
    session: Session,
    type_code: str,
    sub_type_code: str,
    variant_code: str,
    uom_code: str,
    rate_quantity: Decimal,
    description: str,
) -> None:
    """The fields of a SOR definition, each refused with its own message."""
    if session.get(SorTypeRow, type_code) is None:
        raise ValidationError(f"Type '{type_code}' is not one of M, L, E, W.", field="type")
    sub_type = session.get(SorSubType, sub_type_code)
    if sub_type is None or sub_type.type_code != type_code:
        allowed = ", ".join(
            session.scalars(
                select(SorSubType.code)
                .where(SorSubType.type_code == type_code)
                .order_by(SorSubType.position)
            )
        )
        raise ValidationError(
            f"Sub type '{sub_type_code}' is not a sub type of type {type_code}; "
            f"allowed: {allowed}.",
            field="sub_type",
        )
    if session.get(Variant, variant_code) is None:
        raise ValidationError(f"Variant '{variant_code}' is not known.", field="variant")
    if type_code != SorType.WORKS and variant_code != NOT_APPLICABLE_VARIANT:
        raise ValidationError(
            "Variant applies to works items only; use NA (Not Applicable).", field="variant"
        )
    if session.get(Unit, uom_code) is None:
        raise ValidationError(f"Unit '{uom_code}' is not known.", field="uom")
    check_decimal(
        rate_quantity,
        field="Quantity for which rate is defined",
        places=4,
        minimum=Decimal("0.0001"),
        maximum=MAX_RATE_QUANTITY,
    )
    if not description.strip():
        raise ValidationError("Description: describe the item.", field="description")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            f"Description: at most {MAX_DESCRIPTION} characters (got {len(description)}).",
            field="description",
        )


def create_sor(db: Database, actor: Actor, new: NewSor, *, today: date) -> SorDetail:
    """Create a SOR with a generated code, optionally with its first (state) rate."""
    require(can_manage_sor_definitions(actor.roles), "create SORs", "MDMS_STATE_ADMIN")
    with db.unit_of_work() as session:
        check_definition(
            session,
            new.type_code,
            new.sub_type_code,
            new.variant_code,
            new.uom_code,
            new.rate_quantity,
            new.description,
        )
        code = next_sor_code(session)
        sor = Sor(
            **sor_values(
                code=code,
                type_code=new.type_code,
                sub_type_code=new.sub_type_code,
                variant_code=new.variant_code,
                uom_code=new.uom_code,
                rate_quantity=new.rate_quantity,
                description=new.description.strip(),
            )
        )
        session.add(sor)
        session.flush()
        if new.first_rate is not None:
            effective_from = new.first_rate_from or today
            check_new_rate_date(effective_from, None, today=today)
            heads = complete_heads(SorType(new.type_code), new.first_rate)
            check_heads(heads)
            session.add(
                new_rate_row(sor.id, STATE_TENANT, effective_from, heads, "MANUAL", actor.login)
            )
            session.flush()
        session.refresh(sor)
        return _detail(session, sor, today, actor.tenant)


def modify_sor(
    db: Database,
    actor: Actor,
    code: str,
    *,
    description: str | None = None,
    status: str | None = None,
    today: date,
) -> SorDetail:
    """Change a SOR's description and/or status; nothing else of a SOR ever changes."""
    require(can_manage_sor_definitions(actor.roles), "modify SORs", "MDMS_STATE_ADMIN")
    with db.unit_of_work() as session:
        sor = sor_by_code(session, code)
        if description is not None:
            text = description.strip()
            if not text:
                raise ValidationError("Description: describe the item.", field="description")
            if len(text) > MAX_DESCRIPTION:
                raise ValidationError(
                    f"Description: at most {MAX_DESCRIPTION} characters.", field="description"
                )
            changed = text != sor.description
            sor.description = text
            sor.search_text = search_text(sor.code, text)
        else:
            changed = False
        if status is not None:
            if status not in (SorStatus.ACTIVE, SorStatus.INACTIVE):
                raise ValidationError("Status: ACTIVE or INACTIVE.", field="status")
            changed = changed or status != sor.status
            sor.status = status
        # The version counts real changes (sync will compare it): saving unchanged is not one.
        if changed:
            sor.version += 1
            sor.updated_at = utcnow()
        session.flush()
        return _detail(session, sor, today, actor.tenant)


def add_rate(
    db: Database,
    actor: Actor,
    code: str,
    heads: RateHeads,
    *,
    effective_from: date,
    tenant: str,
    today: date,
) -> RateInfo:
    """Add or revise a rate of a SOR for the state or a ULB, from today or later.

    Labour cess is computed (1 % for works items, none for M/L/E) whatever was passed.
    """
    require(
        can_set_rates(actor.roles, actor.tenant, tenant),
        f"set rates for {tenant}",
        "MDMS_STATE_ADMIN" if tenant == STATE_TENANT else "MDMS_CITY_ADMIN (of that ULB)",
    )
    with db.unit_of_work() as session:
        if session.get(Tenant, tenant) is None:
            raise ValidationError(f"Tenant '{tenant}' is not known.", field="tenant")
        sor = sor_by_code(session, code)
        complete = complete_heads(SorType(sor.type_code), heads)
        check_heads(complete)
        rates = list(session.scalars(select(SorRate).where(SorRate.sor_id == sor.id)))
        latest = latest_in_series(rates, tenant)
        check_new_rate_date(
            effective_from, None if latest is None else latest.effective_from, today=today
        )
        row = new_rate_row(sor.id, tenant, effective_from, complete, "MANUAL", actor.login)
        session.add(row)
        sor.updated_at = utcnow()
        session.flush()
        return rate_info(row, None, tenant_names(session))


def preview_rate(type_code: str, heads: RateHeads) -> RateHeads:
    """The heads with labour cess as they will be saved (the live preview of the rate form)."""
    return complete_heads(SorType(type_code), heads)
