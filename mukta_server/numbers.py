"""Blocks of document numbers leased to devices (sync-protocol §7), so two devices of a ULB
never make the same number offline.

One counter per ULB, prefix and financial year (a row of `change_counter`, named
`numbers|<ulb>|<prefix>|<year>`), moved forward inside the leasing transaction: concurrent
leases, from any server process, serialise on that row. A block starts after the highest
number of the series the server knows — the counter, any record pushed with such a number,
and the highest number the device says it made before it enrolled — so numbers made before
numbering by blocks are never handed out again."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError

from .db import Database
from .models import ChangeCounter, Record

BLOCK_SIZE = 100
PREFIXES = frozenset({"PJ", "ES", "RE", "WO", "MB"})
_YEAR = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True, slots=True)
class NumberBlock:
    prefix: str
    financial_year: str
    first: int
    last: int


def lease_block(
    db: Database, tenant: str, prefix: str, financial_year: str, *, after: int = 0
) -> NumberBlock:
    if prefix not in PREFIXES:
        raise ValidationError(
            f"'{prefix}' is not a series of document numbers; one of "
            f"{', '.join(sorted(PREFIXES))}.",
            field="prefix",
        )
    if not _YEAR.match(financial_year):
        raise ValidationError(
            f"'{financial_year}' is not a financial year like 2026-27.", field="financial_year"
        )
    name = f"numbers|{tenant}|{prefix}|{financial_year}"
    for _attempt in range(3):
        try:
            with db.unit_of_work() as session:
                highest = max(
                    after, _highest_record_number(session, tenant, prefix, financial_year)
                )
                # SQLite's two-argument max() is PostgreSQL's greatest().
                larger = func.max if db.is_sqlite else func.greatest
                moved = session.execute(
                    update(ChangeCounter)
                    .where(ChangeCounter.name == name)
                    .values(value=larger(ChangeCounter.value, highest) + BLOCK_SIZE)
                    .returning(ChangeCounter.value)
                ).scalar_one_or_none()
                if moved is None:
                    moved = highest + BLOCK_SIZE
                    session.add(ChangeCounter(name=name, value=moved))
                    session.flush()
                last = int(moved)
                return NumberBlock(prefix, financial_year, last - BLOCK_SIZE + 1, last)
        except IntegrityError:
            continue  # another process made the counter row first: lease from it
    raise RuntimeError(f"no block of {name} could be leased")  # pragma: no cover


def _highest_record_number(session: Session, tenant: str, prefix: str, year: str) -> int:
    # Zero-padded to six digits: the greatest string is the greatest number.
    highest = session.scalar(
        select(func.max(Record.number)).where(
            Record.tenant_code == tenant, Record.number.like(f"{prefix}/{year}/%")
        )
    )
    if highest is None:
        return 0
    tail = str(highest).rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0
