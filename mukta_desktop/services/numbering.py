"""Document numbers: `ES/2024-25/000311` per financial year, never reused.

A stand-alone installation numbers locally from its own counters; an enrolled device draws
from blocks the server leases it (docs/sync-protocol.md §7), so two devices of a ULB never
make the same number offline. Blocks are refilled on every sync while fewer than
`REFILL_BELOW` numbers are left.

The numbers carry no ULB, and the database keeps each number once (projects and estimates
are found by number alone), so an installation holding several ULBs (a head office, a test
set-up) counts one series per prefix and year for all of them. An installation serving one
ULB, the usual case, gets exactly that ULB's series.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mukta_desktop.domain.dates import financial_year
from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.models import Counter, NumberBlock, SyncState

PREFIXES = ("PJ", "ES", "RE", "WO", "MB")
REFILL_BELOW = 20


def next_number(session: Session, prefix: str, tenant: str, on: date) -> str:
    """The next number of a series, counted within the caller's unit of work."""
    year = financial_year(on)
    if session.get(SyncState, 1) is not None:
        return f"{prefix}/{year}/{_from_block(session, prefix, year):06d}"
    return f"{prefix}/{year}/{_local_counter(session, prefix, year):06d}"


def _from_block(session: Session, prefix: str, year: str) -> int:
    block = session.scalar(
        select(NumberBlock)
        .where(
            NumberBlock.prefix == prefix,
            NumberBlock.financial_year == year,
            NumberBlock.next_value <= NumberBlock.last,
        )
        .order_by(NumberBlock.first)
        .limit(1)
    )
    if block is None:
        raise ValidationError(
            f"This device has no {prefix} numbers left for {year}. Sync with the head office "
            "once to receive the next block of numbers; nothing typed so far is lost."
        )
    value = block.next_value
    block.next_value += 1
    session.flush()
    return value


def numbers_left(session: Session, prefix: str, year: str) -> int:
    return sum(
        block.last - block.next_value + 1
        for block in session.scalars(
            select(NumberBlock).where(
                NumberBlock.prefix == prefix, NumberBlock.financial_year == year
            )
        )
    )


def local_high_water(session: Session, prefix: str, year: str) -> int:
    """The highest number this device made itself before numbering by blocks."""
    counter = session.get(Counter, f"{prefix}|{year}")
    return 0 if counter is None else counter.value


def add_block(session: Session, prefix: str, year: str, first: int, last: int) -> None:
    session.add(
        NumberBlock(prefix=prefix, financial_year=year, first=first, last=last, next_value=first)
    )
    session.flush()


def _local_counter(session: Session, prefix: str, year: str) -> int:
    name = f"{prefix}|{year}"
    counter = session.get(Counter, name)
    if counter is None:
        # Databases made before the series were shared counted per ULB
        # ("ES|od.jatni|2026-27"): continue after the highest of those.
        earlier = session.scalar(
            select(func.max(Counter.value)).where(
                Counter.name.like(f"{prefix}|%|{year}"), Counter.name != name
            )
        )
        counter = Counter(name=name, value=earlier or 0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value
