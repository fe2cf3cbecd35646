"""The canonical JSON form and its hash: the same bytes for the same content everywhere."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from mukta_desktop.domain.canonical import canonical_json, content_hash


def test_sorted_keys_no_spaces_decimals_and_dates_as_strings() -> None:
    value = {"b": Decimal("14249.11"), "a": [date(2026, 7, 1), None], "ñ": "ମାଟି"}
    assert canonical_json(value) == '{"a":["2026-07-01",null],"b":"14249.11","ñ":"ମାଟି"}'.encode()
    assert content_hash(value) == hashlib.sha256(canonical_json(value)).hexdigest()


def test_instants_in_utc_whatever_zone_they_came_in() -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    a = datetime(2026, 7, 1, 15, 30, tzinfo=india)
    b = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert canonical_json([a]) == canonical_json([b]) == b'["2026-07-01T10:00:00Z"]'
    with pytest.raises(ValueError, match="without a time zone"):
        canonical_json([datetime(2026, 7, 1)])


def test_decimal_text_is_kept_exactly() -> None:
    assert content_hash({"q": Decimal("8.0000")}) != content_hash({"q": Decimal("8")})
