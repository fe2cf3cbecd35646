"""SORs and rates the head office published, applied to this desktop's SOR tables
(docs/sor-sync.md).

A `sor_set` change is one part of a publication: up to 200 SORs, each with its definition as
published and the rates that publication added (all for the publication's tenant: the state
`od`, or this device's ULB). Applying it:

- a SOR is found by its code (as given, upper- or lower-case); a new one is added, a known one
  takes the published definition (the head office is the authority on state-level SORs);
- a rate is added on its effective date. Rates already here are never rewritten when anything
  refers to them (an estimate line, a rate analysis): a newer schedule adds rows with later
  dates, so estimates dated before it keep the rate they were priced with. A local rate on the
  same date with other amounts that nothing refers to takes the published amounts; one that
  something refers to is kept, and logged;
- the part is remembered (synced_record) with its content hash, so the same change applied
  again does nothing at all.

The caller's unit of work commits it with the pulled page and the new cursor. Everything is
written in bulk: a 20,000-rate pull is a hundred changes of a few statements each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.sor import RateHeads
from mukta_desktop.models import (
    EstimateLine,
    RateAnalysis,
    RateAnalysisLine,
    Sor,
    SorRate,
    SorSubType,
    SorTypeRow,
    SyncedRecord,
    Tenant,
    Unit,
    Variant,
)
from mukta_desktop.models.base import utcnow
from mukta_desktop.sync.client import Change

from .sor_store import rate_values, search_text, sor_values

log = logging.getLogger(__name__)

SOR_SET = "sor_set"
RECORD_TYPES = frozenset({SOR_SET})
RATE_SOURCE = "SERVER"
_HEADS = tuple(f.name for f in fields(RateHeads))
_PER_QUERY = 500  # bound parameters per IN (...), well below SQLite's limit
_MASTERS_KEY = "mukta_desktop.sync_sor.masters"
_SOR_TABLE = cast(Table, Sor.__table__)
_RATE_TABLE = cast(Table, SorRate.__table__)


def apply_sor_change(session: Session, change: Change) -> bool:
    """Apply a pulled change if it is one of the head office's SOR publications; returns
    whether it was (False: not a SOR change, for the caller to handle)."""
    if change.record_type not in RECORD_TYPES:
        return False
    seen = session.scalar(
        select(SyncedRecord).where(
            SyncedRecord.record_type == change.record_type,
            SyncedRecord.record_id == change.record_id,
        )
    )
    if seen is not None and seen.content_hash == change.content_hash:
        return True
    part = _read_part(change)
    _check_masters(session, part.sors)
    _ensure_tenant(session, part.tenant, part.tenant_name)
    ids = _apply_definitions(session, part.sors)
    _apply_rates(session, part, ids)
    if seen is None:
        session.add(
            SyncedRecord(
                record_type=change.record_type,
                record_id=change.record_id,
                version=change.version,
                content_hash=change.content_hash,
            )
        )
    else:
        seen.version, seen.content_hash, seen.seen_at = (
            change.version,
            change.content_hash,
            utcnow(),
        )
    session.flush()
    return True


# -- reading a change -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rate:
    effective_from: date
    heads: RateHeads


@dataclass(frozen=True, slots=True)
class _Sor:
    code: str
    type_code: str
    sub_type_code: str
    variant_code: str
    uom_code: str
    rate_quantity: Decimal
    description: str
    status: str
    rates: tuple[_Rate, ...]


@dataclass(frozen=True, slots=True)
class _Part:
    tenant: str
    tenant_name: str
    by: str
    sors: tuple[_Sor, ...]


def _read_part(change: Change) -> _Part:
    payload = change.payload
    try:
        publication = payload["publication"]
        return _Part(
            tenant=str(publication["tenant"]),
            tenant_name=str(publication.get("tenant_name") or publication["tenant"]),
            by=str(publication["published_by"])[:60],
            sors=tuple(_read_sor(item) for item in payload["sors"]),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise ValidationError(
            f"The server sent SOR change {change.seq} in a form this version cannot read "
            f"({type(exc).__name__}: {exc}); update MUKTA Desktop."
        ) from None


def _read_sor(item: dict[str, Any]) -> _Sor:
    code = str(item["code"])
    rates = []
    for raw in item["rates"]:
        heads = RateHeads(**{name: Decimal(str(raw[name])) for name in _HEADS})
        if heads.total != Decimal(str(raw["total"])):
            raise ValueError(f"{code}: total {raw['total']} is not the sum of its heads")
        rates.append(_Rate(date.fromisoformat(str(raw["effective_from"])), heads))
    return _Sor(
        code=code,
        type_code=str(item["type"]),
        sub_type_code=str(item["sub_type"]),
        variant_code=str(item["variant"]),
        uom_code=str(item["uom"]),
        rate_quantity=Decimal(str(item["rate_quantity"])),
        description=str(item["description"]),
        status=str(item["status"]),
        rates=tuple(rates),
    )


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _PER_QUERY):
        yield values[start : start + _PER_QUERY]


def _check_masters(session: Session, sors: Iterable[_Sor]) -> None:
    """Master codes the server uses and this desktop lacks: a newer server's; say so plainly
    rather than fail on a foreign key."""
    known: dict[str, set[str]] | None = session.info.get(_MASTERS_KEY)
    if known is None:  # read once per unit of work: a pulled page is many changes
        known = {
            "type": set(session.scalars(select(SorTypeRow.code))),
            "sub type": set(session.scalars(select(SorSubType.code))),
            "variant": set(session.scalars(select(Variant.code))),
            "unit": set(session.scalars(select(Unit.code))),
        }
        session.info[_MASTERS_KEY] = known
    for sor in sors:
        given = {
            "type": sor.type_code,
            "sub type": sor.sub_type_code,
            "variant": sor.variant_code,
            "unit": sor.uom_code,
        }
        for what, code in given.items():
            if code not in known[what]:
                raise ValidationError(
                    f"The head office published {sor.code} with {what} '{code}', which this "
                    "version of MUKTA Desktop does not know; update MUKTA Desktop."
                )


def _ensure_tenant(session: Session, code: str, name: str) -> None:
    if session.get(Tenant, code) is None:
        session.add(Tenant(code=code, name=name[:120], district="", grade=""))
        session.flush()


# -- definitions ------------------------------------------------------------------------------


def _apply_definitions(session: Session, sors: Sequence[_Sor]) -> dict[str, str]:
    """Add or update each SOR; returns the local SOR id by case-folded code."""
    local = _local_sors(session, [sor.code for sor in sors])
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    now = utcnow()
    for sor in sors:
        key = sor.code.casefold()
        if key in ids:
            continue
        stored = local.get(key)
        if stored is None:
            values = sor_values(
                code=sor.code,
                type_code=sor.type_code,
                sub_type_code=sor.sub_type_code,
                variant_code=sor.variant_code,
                uom_code=sor.uom_code,
                rate_quantity=sor.rate_quantity,
                description=sor.description,
            )
            values["status"] = sor.status
            new.append(values)
            ids[key] = values["id"]
            continue
        ids[key] = stored.id
        if _definition_of(stored) != _definition_of(sor):
            changed.append(
                {
                    "id": stored.id,
                    "type_code": sor.type_code,
                    "sub_type_code": sor.sub_type_code,
                    "variant_code": sor.variant_code,
                    "uom_code": sor.uom_code,
                    "rate_quantity": sor.rate_quantity,
                    "description": sor.description,
                    "search_text": search_text(stored.code, sor.description),
                    "status": sor.status,
                    "version": stored.version + 1,
                    "updated_at": now,
                }
            )
    if new:
        # Core inserts (the table, not the ORM class): no per-row ORM bookkeeping.
        session.execute(insert(_SOR_TABLE), new)
    if changed:
        session.execute(update(Sor), changed)
    return ids


def _definition_of(sor: Any) -> tuple[str, str, str, str, Decimal, str, str]:
    return (
        sor.type_code,
        sor.sub_type_code,
        sor.variant_code,
        sor.uom_code,
        sor.rate_quantity,
        sor.description,
        sor.status,
    )


def _local_sors(session: Session, codes: Sequence[str]) -> dict[str, Any]:
    """This desktop's SORs with these codes (their definition columns), by case-folded code.
    Codes are looked up through their index as given, upper-cased and lower-cased: how the
    same code is spelt by different files."""
    spellings = list(dict.fromkeys(v for c in codes for v in (c, c.upper(), c.lower())))
    found: dict[str, Any] = {}
    for chunk in _chunks(spellings):
        for row in session.execute(
            select(
                Sor.id,
                Sor.code,
                Sor.type_code,
                Sor.sub_type_code,
                Sor.variant_code,
                Sor.uom_code,
                Sor.rate_quantity,
                Sor.description,
                Sor.status,
                Sor.version,
            ).where(Sor.code.in_(chunk))
        ):
            found[row.code.casefold()] = row
    return found


# -- rates ------------------------------------------------------------------------------------


def _apply_rates(session: Session, part: _Part, ids: dict[str, str]) -> None:
    wanted = {
        (ids[sor.code.casefold()], rate.effective_from): rate.heads
        for sor in part.sors
        for rate in sor.rates
    }
    if not wanted:
        return
    stored = _local_rates(session, part.tenant, sorted({sor_id for sor_id, _ in wanted}))
    differing = {
        key: (stored[key][0], heads)
        for key, heads in wanted.items()
        if key in stored and stored[key][1] != heads
    }
    referenced = _referenced(session, [rate_id for rate_id, _ in differing.values()])
    new = [
        rate_values(sor_id, part.tenant, day, heads, RATE_SOURCE, part.by)
        for (sor_id, day), heads in wanted.items()
        if (sor_id, day) not in stored
    ]
    replaced = []
    for (sor_id, day), (rate_id, heads) in differing.items():
        if rate_id in referenced:
            log.warning(
                "Kept this desktop's rate %s of SOR %s for %s from %s: estimates or rate "
                "analyses use it; the head office published other amounts for that date.",
                rate_id,
                sor_id,
                part.tenant,
                day.isoformat(),
            )
            continue
        replaced.append(
            {
                "id": rate_id,
                **heads.as_dict(),
                "total": heads.total,
                "source": RATE_SOURCE,
                "created_by": part.by,
            }
        )
    if new:
        session.execute(insert(_RATE_TABLE), new)
    if replaced:
        session.execute(update(SorRate), replaced)


def _local_rates(
    session: Session, tenant: str, sor_ids: Sequence[str]
) -> dict[tuple[str, date], tuple[str, RateHeads]]:
    """(SOR id, effective_from) -> (rate id, heads) of the tenant's series of these SORs."""
    head_columns = [getattr(SorRate, name) for name in _HEADS]
    found: dict[tuple[str, date], tuple[str, RateHeads]] = {}
    for chunk in _chunks(sor_ids):
        for row in session.execute(
            select(SorRate.id, SorRate.sor_id, SorRate.effective_from, *head_columns).where(
                SorRate.tenant_code == tenant, SorRate.sor_id.in_(chunk)
            )
        ):
            heads = RateHeads(**{name: getattr(row, name) for name in _HEADS})
            found[(row.sor_id, row.effective_from)] = (row.id, heads)
    return found


def _referenced(session: Session, rate_ids: Sequence[str]) -> set[str]:
    """The rates something refers to: estimate lines and rate analyses."""
    used: set[str] = set()
    for chunk in _chunks(rate_ids):
        for column in (EstimateLine.rate_id, RateAnalysis.rate_id, RateAnalysisLine.basic_rate_id):
            used.update(
                rate_id
                for rate_id in session.scalars(select(column).where(column.in_(chunk)))
                if rate_id is not None
            )
    return used
