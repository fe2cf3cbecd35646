"""Helpers for work-order and Measurement Book service tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from estimate_support import (
    DHENKANAL,
    JE,
    TODAY,
    approve,
    draft,
    fl_sor,
    new_estimate,
    row,
    sor_line,
)

from mukta_desktop.domain.dates import financial_year, india_today
from mukta_desktop.domain.measurements import MeasurementRow
from mukta_desktop.domain.roles import Role
from mukta_desktop.domain.workflow import Action
from mukta_desktop.services.database import Database
from mukta_desktop.services.estimate_views import LineDraft
from mukta_desktop.services.mb_views import MbLineDraft, MbView, WorkOrderView
from mukta_desktop.services.measurement_books import act_mb, create_mb
from mukta_desktop.services.numbering import PREFIXES, add_block
from mukta_desktop.services.sync_numbers import years_to_supply
from mukta_desktop.services.sync_setup import remember_enrolment
from mukta_desktop.services.users import Actor
from mukta_desktop.services.work_orders import create_work_order

D = Decimal
MB_AE = Actor("mb.ae", "Chitra Mohanty (AE)", DHENKANAL, frozenset({Role.MB_VERIFIER}))
MB_EE = Actor("mb.ee", "Deepak Nayak (EE)", DHENKANAL, frozenset({Role.MB_APPROVER}))
WO_START = date(2026, 7, 1)
WO_END = date(2026, 9, 30)


def awarded(
    db: Database, *lines: LineDraft, start: date = WO_START, end: date = WO_END
) -> WorkOrderView:
    """An approved estimate of `lines` (default: DESIGN's ceiling example, +10 −2 = 8 SQM of
    a FL00001-like SOR) awarded by a work order."""
    if not lines:
        lines = (sor_line(fl_sor(db), row("10"), row("2", minus=True)),)
    estimate = new_estimate(db, draft(*lines))
    approve(db, estimate.number)
    return create_work_order(
        db,
        JE,
        estimate_number=estimate.number,
        organisation="Maa Tarini Mahila SHG",
        start=start,
        end=end,
        today=TODAY,
    )


def measure(order: WorkOrderView, *quantities: str | None) -> list[MbLineDraft]:
    """One row per work-order line with the given quantity (None: nothing measured)."""
    return [
        MbLineDraft(line.key, (row(q),))
        for line, q in zip(order.lines, quantities, strict=False)
        if q is not None
    ]


def rows_for(order: WorkOrderView, position: int, *rows: MeasurementRow) -> MbLineDraft:
    return MbLineDraft(order.lines[position - 1].key, rows)


def new_mb(db: Database, order: WorkOrderView, *quantities: str | None, **kwargs: object) -> MbView:
    return create_mb(db, JE, order.number, today=TODAY, lines=measure(order, *quantities), **kwargs)  # type: ignore[arg-type]


def approve_mb(db: Database, number: str) -> MbView:
    act_mb(db, JE, number, Action.SUBMIT)
    act_mb(db, MB_AE, number, Action.VERIFY)
    return act_mb(db, MB_EE, number, Action.APPROVE)


def day(offset: int) -> date:
    return WO_START + timedelta(days=offset)


def enrol_offline(
    db: Database, *, server_url: str = "https://ho.example", device_id: str = "d-1"
) -> int:
    """Enrol as the JE without a server (a stand-in answers later), with blocks of document
    numbers as the first sync would lease them. Returns how many operations were queued."""
    queued = remember_enrolment(
        db, server_url=server_url, device_id=device_id, login=JE.login, tenant=JE.tenant
    ).queued
    years = {financial_year(TODAY), *years_to_supply(india_today())}
    with db.unit_of_work() as session:
        for year in sorted(years):
            for prefix in PREFIXES:
                add_block(session, prefix, year, 500, 599)
    return queued
