"""Time-ordered record identifiers (UUID version 7, RFC 9562) made on the device."""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    """A UUIDv7 as text: 48-bit Unix milliseconds, then random bits; sorts by creation time."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    return str(_compose(millis, rand))


def _compose(millis: int, rand: int) -> uuid.UUID:
    rand_a = (rand >> 62) & 0xFFF  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= rand_a << 64
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand_b
    return uuid.UUID(int=value)
