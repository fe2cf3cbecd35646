"""An MB checked against the server's own view (sync-protocol §4, §6): the figures a device
brings must agree with what the server holds, not only with each other.

- The estimate it is measured against is approved on the server, and each line's estimate
  quantity and rate are that estimate's.
- Each line's previous quantity is what the server's approved MBs of the work order measured
  of the item — so the ceiling (checked on the MB's own figures in `record_rules`) holds
  against the server's approved MBs, not against a device that has not pulled them.
- An MB is approved only once every photo it names has reached the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from mukta_desktop.domain.errors import ValidationError
from mukta_desktop.domain.measurements import item_quantity

from .models import Record
from .payloads import dec, rows

APPROVED = "APPROVED"
DRAFTED = "DRAFTED"
ESTIMATE = "estimate"
MB = "measurement_book"


class PhotoLookup(Protocol):
    def exists(self, tenant: str, sha256: str) -> bool: ...


def check_mb_on_server(
    session: Session,
    tenant: str,
    payload: dict[str, Any],
    existing: Record | None,
    photos: PhotoLookup | None,
) -> None:
    if str(payload.get("status")) == DRAFTED:
        return
    estimate = _estimate(session, tenant, str(payload.get("estimate")))
    lines = {
        str(line.get("origin_line_id") or line.get("id")): line
        for line in estimate.get("lines", ())
    }
    measured = _approved_quantities(session, tenant, payload)
    for line in payload.get("lines", ()):
        where = f"Line {int(line.get('position', 0)) + 1}"
        item = str(line.get("item"))
        source = lines.get(item)
        if source is None:
            raise ValidationError(
                f"{where} measures an item that {estimate.get('number')} does not have on the "
                "server."
            )
        expected = item_quantity(rows(source.get("rows", ()), where))
        if dec(line.get("estimate_quantity"), where) != expected:
            raise ValidationError(
                f"{where}: the estimate quantity {line.get('estimate_quantity')} is not "
                f"{estimate.get('number')}'s ({expected}) on the server."
            )
        if dec(line.get("rate"), where) != dec(source.get("rate"), where):
            raise ValidationError(
                f"{where}: the rate {line.get('rate')} is not {estimate.get('number')}'s "
                f"({source.get('rate')})."
            )
        before = measured.get(item, Decimal(0))
        if dec(line.get("previous_quantity"), where) != before:
            raise ValidationError(
                f"{where}: {before} {line.get('unit', '')} of it are approved on the server so "
                f"far, not {line.get('previous_quantity')}. Sync to receive the approved MBs, "
                "then measure it again."
            )
    if photos is not None and str(payload.get("status")) == APPROVED:
        missing = [
            photo["sha256"]
            for photo in payload.get("photos", ())
            if not photos.exists(tenant, str(photo.get("sha256")))
        ]
        if missing:
            raise ValidationError(
                f"{payload.get('number')} names {len(missing)} photo(s) that have not reached "
                "the server yet; an MB is approved only with all its photos. Sync the device "
                "that holds them, then approve again."
            )


def _estimate(session: Session, tenant: str, number: str) -> dict[str, Any]:
    record = session.scalar(
        select(Record).where(
            Record.record_type == ESTIMATE, Record.tenant_code == tenant, Record.number == number
        )
    )
    if record is None or record.status != APPROVED:
        raise ValidationError(
            f"The MB is measured against {number}, which is not approved on the server."
        )
    estimate: dict[str, Any] = json.loads(record.payload)
    return estimate


def _approved_mbs(session: Session, tenant: str, work_order: str) -> Iterator[dict[str, Any]]:
    for text in session.scalars(
        select(Record.payload).where(
            Record.record_type == MB, Record.tenant_code == tenant, Record.status == APPROVED
        )
    ):
        document: dict[str, Any] = json.loads(text)
        if document.get("work_order") == work_order:
            yield document


def _approved_quantities(
    session: Session, tenant: str, payload: dict[str, Any]
) -> dict[str, Decimal]:
    """Σ quantity per item of the server's approved MBs of the work order before this one."""
    totals: dict[str, Decimal] = {}
    start = str(payload.get("period", {}).get("from"))
    for document in _approved_mbs(session, tenant, str(payload.get("work_order"))):
        if document.get("id") == payload.get("id"):
            continue
        if str(document.get("period", {}).get("from")) >= start:
            continue  # periods run one after another: only earlier MBs come before it
        for line in document.get("lines", ()):
            item = str(line.get("item"))
            totals[item] = totals.get(item, Decimal(0)) + (
                dec(line.get("quantity"), "MB") or Decimal(0)
            )
    return totals
