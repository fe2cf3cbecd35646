"""The canonical JSON form of a record and its content hash (DESIGN.md §3: sorted keys,
decimals as strings). The same bytes on every device and on the server, so a hash made
offline can be checked anywhere."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("an instant without a time zone has no canonical form")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys, no spaces, decimals and dates as strings."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    ).encode("utf-8")


def content_hash(value: Any) -> str:
    """The SHA-256 (hex) of the canonical JSON of `value`."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def fixed(value: Decimal | None, places: int) -> str | None:
    """A figure at its documented places, so a hash does not depend on how a store keeps
    the number's scale (8 and 8.0000 are one quantity). Half-up, as every rounding here."""
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
