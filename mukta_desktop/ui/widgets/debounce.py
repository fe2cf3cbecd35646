"""A debounce timer: work that waits until the user has paused (as-you-type searches)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


def debounce_timer(parent: QObject, slot: Callable[[], object], delay_ms: int) -> QTimer:
    """A single-shot timer calling `slot` `delay_ms` after its last `start()`."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(slot)
    return timer
