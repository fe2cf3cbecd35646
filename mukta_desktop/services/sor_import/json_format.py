"""Writing our own SOR file (mukta-sor/1, read by mukta_desktop.sor_files.json_reader): every
SOR with its status and the rate in force, amounts as 2-decimal strings, so a file written
here imports back unchanged."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mukta_desktop.domain.numbers import to_str2
from mukta_desktop.domain.sor import STATE_TENANT, effective_rate
from mukta_desktop.models import Sor, SorRate
from mukta_desktop.sor_files.json_reader import FORMAT, RATE_KEY
from mukta_desktop.sor_files.rows import RATE_FROM, RATE_TENANT, STATUS, TOTAL

from ..database import Database
from ..sor_store import check_tenant, dated, heads_of, quantity_text


def export_sor_json(db: Database, path: Path, *, at: date, tenant: str = STATE_TENANT) -> int:
    """Write every SOR with the rate in force at `at` for `tenant`; returns the SOR count."""
    with db.read() as session:
        check_tenant(session, tenant)
        sors = list(session.scalars(select(Sor).order_by(Sor.code)))
        rates: dict[str, list[SorRate]] = defaultdict(list)
        for rate in session.scalars(
            select(SorRate).where(
                SorRate.tenant_code.in_({STATE_TENANT, tenant}), SorRate.effective_from <= at
            )
        ):
            rates[rate.sor_id].append(rate)
        items = [_item(sor, rates.get(sor.id, []), at, tenant) for sor in sors]
    document = {"format": FORMAT, "sors": items}
    # Written beside the target and renamed into place: a failed export leaves no half file
    # (and no .partial file either).
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return len(items)


def _item(sor: Sor, rates: list[SorRate], at: date, tenant: str) -> dict[str, Any]:
    chosen = effective_rate(dated(rates), at, tenant)
    rate: dict[str, str] | None = None
    if chosen is not None:
        assert isinstance(chosen.key, SorRate)
        heads = heads_of(chosen.key)
        rate = {name: to_str2(value) for name, value in heads.as_dict().items()}
        rate[TOTAL] = to_str2(heads.total)
        rate[RATE_FROM] = chosen.effective_from.isoformat()
        rate[RATE_TENANT] = chosen.tenant
    return {
        "code": sor.code,
        "type": sor.type_code,
        "sub_type": sor.sub_type_code,
        "variant": sor.variant_code,
        "uom": sor.uom_code,
        "rate_quantity": quantity_text(sor.rate_quantity),
        "description": sor.description,
        STATUS: sor.status,
        RATE_KEY: rate,
    }
