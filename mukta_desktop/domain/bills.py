"""Checks a muster roll (wage bill) and a purchase bill must pass against approved MBs
(MUKTASoft PRD: no wage payment for a period the MB has not approved; no material paid
beyond what approved MBs consumed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from .errors import ValidationError
from .mb import Period
from .numbers import ZERO, format_money


@dataclass(frozen=True, slots=True)
class ApprovedMb:
    number: str
    period: Period
    labour: Decimal
    material: Decimal


@dataclass(frozen=True, slots=True)
class MusterRollCheck:
    covered: bool
    covering: tuple[str, ...]  # numbers of the approved MBs whose periods meet the roll's
    labour: Decimal  # labour utilization of those MBs
    message: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PurchaseBillCheck:
    allowed: bool
    material: Decimal  # material utilization of all approved MBs
    available: Decimal  # ... less what was billed before
    message: str
    warnings: tuple[str, ...] = ()


def _fmt(period: Period) -> str:
    return f"{period.start:%d/%m/%Y} to {period.end:%d/%m/%Y}"


def check_muster_roll(
    period: Period, wage_bill: Decimal, approved: Sequence[ApprovedMb]
) -> MusterRollCheck:
    """Is every day of the muster roll's period inside approved MBs, and does the wage bill
    stay within their labour utilization?"""
    if period.end < period.start:
        raise ValidationError("The muster roll period ends before it starts.", field="period")
    if wage_bill < ZERO:
        raise ValidationError("The wage bill amount cannot be negative.", field="amount")
    meeting = sorted(
        (mb for mb in approved if mb.period.overlaps(period)), key=lambda mb: mb.period.start
    )
    day = period.start
    for mb in meeting:
        if mb.period.start > day:
            break
        day = max(day, mb.period.end + timedelta(days=1))
    covered = day > period.end
    labour = sum((mb.labour for mb in meeting), ZERO)
    numbers = tuple(mb.number for mb in meeting)
    if covered:
        message = (
            f"The muster roll period {_fmt(period)} is covered by approved "
            f"{', '.join(numbers)}."
        )
    else:
        message = (
            f"No approved MB covers {day:%d/%m/%Y} of the muster roll period {_fmt(period)}; "
            "approval of the muster roll must wait until the MB for that period is approved."
        )
    warnings: tuple[str, ...] = ()
    if wage_bill > labour:
        warnings = (
            f"The wage bill ₹ {format_money(wage_bill)} exceeds the labour utilization "
            f"₹ {format_money(labour)} of "
            f"{', '.join(numbers) if numbers else 'the approved MBs (none)'}.",
        )
    return MusterRollCheck(covered, numbers, labour, message, warnings)


def check_purchase_bill(
    amount: Decimal, approved: Sequence[ApprovedMb], *, billed_before: Decimal = ZERO
) -> PurchaseBillCheck:
    """A purchase bill needs at least one approved MB; warn when it exceeds the material
    utilization of the approved MBs not billed yet."""
    if amount < ZERO or billed_before < ZERO:
        raise ValidationError("Bill amounts cannot be negative.", field="amount")
    material = sum((mb.material for mb in approved), ZERO)
    available = material - billed_before
    if not approved:
        return PurchaseBillCheck(
            False,
            material,
            available,
            "A purchase bill needs at least one approved MB of the work order; none is "
            "approved yet.",
        )
    warnings: tuple[str, ...] = ()
    if amount > available:
        warnings = (
            f"The purchase bill ₹ {format_money(amount)} exceeds the material utilization not "
            f"yet billed ₹ {format_money(available)} (approved MBs ₹ {format_money(material)}, "
            f"billed before ₹ {format_money(billed_before)}).",
        )
    return PurchaseBillCheck(
        True,
        material,
        available,
        f"{len(approved)} approved MB(s) consumed material worth ₹ {format_money(material)}.",
        warnings,
    )
