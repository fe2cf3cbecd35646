"""Keeping an enrolled device supplied with document numbers (docs/sync-protocol.md §7):
each series gets a block from the server while fewer than `REFILL_BELOW` numbers are left,
for this financial year and, during March, for the next one — so a JE who goes to site on
31 March can still number on 1 April."""

from __future__ import annotations

from datetime import date, timedelta

from mukta_desktop.domain.dates import financial_year, india_today
from mukta_desktop.sync.client import SyncClient

from .database import Database
from .numbering import PREFIXES, REFILL_BELOW, add_block, local_high_water, numbers_left


def years_to_supply(today: date) -> tuple[str, ...]:
    this_year = financial_year(today)
    soon = financial_year(today + timedelta(days=31))
    return (this_year,) if soon == this_year else (this_year, soon)


def refill_numbers(db: Database, client: SyncClient, *, today: date | None = None) -> int:
    """Lease a block for every series running low; returns how many blocks arrived. One
    request per block, none when every series has enough (a no-op sync stays small)."""
    leased = 0
    for year in years_to_supply(today or india_today()):
        for prefix in PREFIXES:
            with db.read() as session:
                left = numbers_left(session, prefix, year)
                after = local_high_water(session, prefix, year)
            if left >= REFILL_BELOW:
                continue
            first, last = client.number_block(prefix, year, after=after)
            with db.unit_of_work() as session:
                add_block(session, prefix, year, first, last)
            leased += 1
    return leased
