"""Python's cyclic garbage collection, run on the GUI thread only.

Automatic collection may start on whichever thread happens to allocate. When that is a worker
(a service call on the thread pool) while the GUI thread is deleting widgets, PySide's
wrappers are traversed in mid-destruction and the process crashes. So automatic collection is
switched off and a timer on the GUI thread collects whatever generation has filled up.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold; returns it or -1."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            threshold = self._thresholds[generation]
            if threshold and counts[generation] > threshold:
                gc.collect(generation)
                return generation
        return -1

    def stop(self) -> None:
        """Back to automatic collection (when the application ends)."""
        self._timer.stop()
        gc.enable()
