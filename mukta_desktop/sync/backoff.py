"""When to try the server again: exponential backoff with full jitter (1 s doubling up to
5 minutes, a random wait below that), or exactly what the server asked (`Retry-After`).
Jitter keeps a hundred devices that lost the server together from all coming back together."""

from __future__ import annotations

import random
from collections.abc import Callable

BASE = 1.0
CAP = 300.0


def next_wait(
    attempt: int,
    *,
    retry_after: float | None = None,
    base: float = BASE,
    cap: float = CAP,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before attempt `attempt + 1` (`attempt` counts failures so far, from
    1). The server's `Retry-After` wins when it gave one."""
    if retry_after is not None:
        return min(retry_after, cap)
    ceiling = min(cap, base * 2.0 ** max(attempt - 1, 0))
    return rng() * ceiling
