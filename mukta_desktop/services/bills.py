"""The MB checks of a muster roll (wage bill) and a purchase bill of a work order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.bills import (
    ApprovedMb,
    check_muster_roll,
    check_purchase_bill,
)
from mukta_desktop.domain.mb import Period, compute_mb
from mukta_desktop.domain.numbers import ZERO
from mukta_desktop.domain.workflow import Status
from mukta_desktop.models import MeasurementBook

from .database import Database
from .mb_views import MusterRollResult, PurchaseBillResult
from .measurement_books import stored_mb_items
from .users import Actor
from .work_orders import find_work_order


def _approved(session: Session, work_order_id: str) -> list[ApprovedMb]:
    approved = []
    for mb in session.scalars(
        select(MeasurementBook)
        .where(
            MeasurementBook.work_order_id == work_order_id,
            MeasurementBook.status == Status.APPROVED.value,
        )
        .order_by(MeasurementBook.period_start)
    ):
        utilization = compute_mb(stored_mb_items(session, mb)).utilization
        approved.append(
            ApprovedMb(
                mb.number,
                Period(mb.period_start, mb.period_end),
                utilization.labour,
                utilization.material,
            )
        )
    return approved


def muster_roll_check(
    db: Database,
    work_order: str,
    *,
    start: date,
    end: date,
    wage_bill: Decimal,
    actor: Actor | None = None,
) -> MusterRollResult:
    """Does an approved MB cover the muster roll's period, and is the wage bill within its
    labour utilization?"""
    with db.read() as session:
        order = find_work_order(session, work_order, actor)
        check = check_muster_roll(Period(start, end), wage_bill, _approved(session, order.id))
        return MusterRollResult(order.number, check)


def purchase_bill_check(
    db: Database,
    work_order: str,
    *,
    amount: Decimal,
    billed_before: Decimal = ZERO,
    actor: Actor | None = None,
) -> PurchaseBillResult:
    """Is there an approved MB, and does the bill stay within the material utilization not
    yet billed?"""
    with db.read() as session:
        order = find_work_order(session, work_order, actor)
        check = check_purchase_bill(
            amount, _approved(session, order.id), billed_before=billed_before
        )
        return PurchaseBillResult(order.number, check)
