"""Document numbers: `ES/2024-25/000311` per ULB and financial year, never reused.

A stand-alone installation numbers locally from its own counters; an enrolled device will
draw from blocks the server leases it (the sync issue).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from mukta_desktop.domain.dates import financial_year
from mukta_desktop.models import Counter


def next_number(session: Session, prefix: str, tenant: str, on: date) -> str:
    """The next number of a series, counted within the caller's unit of work."""
    year = financial_year(on)
    name = f"{prefix}|{tenant}|{year}"
    counter = session.get(Counter, name)
    if counter is None:
        counter = Counter(name=name, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return f"{prefix}/{year}/{counter.value:06d}"
