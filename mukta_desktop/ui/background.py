"""Running service calls off the GUI thread and handing results back through signals.

The GUI thread never waits on the database, the disk or an export: every service call goes
through `Runner.submit`, whose callbacks run on the GUI thread when the work is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._work = work
        self._signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # handed to the GUI thread, which shows or logs it
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


class Runner(QObject):
    """Submits work to a thread pool; `busy_changed` tells the window to show activity."""

    busy_changed = Signal(bool)
    error = Signal(object)  # exceptions no caller handled

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: set[_Signals] = set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        signals = _Signals()
        self._pending.add(signals)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)

        def finish() -> None:
            self._pending.discard(signals)
            if not self._pending:
                self.busy_changed.emit(False)

        def done(result: object) -> None:
            finish()
            if on_done is not None:
                on_done(result)  # type: ignore[arg-type]

        def failed(exc: object) -> None:
            finish()
            assert isinstance(exc, Exception)
            if on_error is not None:
                on_error(exc)
            else:
                self.error.emit(exc)

        signals.done.connect(done)
        signals.failed.connect(failed)
        self._pool.start(_Job(work, signals))

    def wait_for_idle(self, msecs: int = 30000) -> bool:
        """For shutdown only: let running jobs finish before the database closes."""
        return self._pool.waitForDone(msecs)
