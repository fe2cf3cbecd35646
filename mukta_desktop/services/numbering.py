"""Document numbers: `ES/2024-25/000311` per financial year, never reused.

A stand-alone installation numbers locally from its own counters; an enrolled device will
draw from blocks the server leases it (the sync issue).

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
from mukta_desktop.models import Counter


def next_number(session: Session, prefix: str, tenant: str, on: date) -> str:
    """The next number of a series, counted within the caller's unit of work."""
    year = financial_year(on)
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
    return f"{prefix}/{year}/{counter.value:06d}"
