"""When to sync, on a worker: when asked (Sync now, F9), as soon as the server can be reached
(a cheap `GET /hello`, tried again with backoff and the server's Retry-After), then every few
minutes while it can. One round at a time; the window never waits for one.

An expired token or an outdated application stops the automatic rounds with a message;
everything local stays. The controller says what it knows through `changed` (a `SyncView`),
photo upload progress through `photo_progress` (marshalled from the worker thread), and
`records_changed` after a round that pulled changes, so open views can refresh."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import httpx
from PySide6.QtCore import QObject, QTimer, Signal

from mukta_desktop.services.sync_run import SyncStatus
from mukta_desktop.sync.backoff import next_wait
from mukta_desktop.sync.client import SyncError

from ..background import Runner
from ..context import UiContext
from ..messages import describe, report
from ..widgets import alive
from .jobs import Outcome, RoundResult, load_status, outcome_of, probe, run_round

log = logging.getLogger(__name__)

ROUND_INTERVAL = 300.0  # seconds between rounds while the server can be reached
Backoff = Callable[[int, float | None], float]  # (failures so far, Retry-After) → seconds


def default_backoff(attempt: int, retry_after: float | None) -> float:
    return next_wait(attempt, retry_after=retry_after)


@dataclass(frozen=True, slots=True)
class SyncView:
    """What the status bar shows."""

    enrolled: bool = False
    server: str = ""
    online: bool = False
    syncing: bool = False
    stopped: bool = False  # waiting for the user: enrol again or update the application
    pending_records: int = 0
    pending_photos: int = 0
    conflicts: int = 0
    last_success: datetime | None = None
    last_error: str = ""
    loaded: bool = False  # False until the first status was read


class _Relay(QObject):
    """Lives on the GUI thread; emitting from the worker queues the call to it."""

    moved = Signal(object, object)  # bytes sent, bytes to send (may exceed 2**31)


class SyncController(QObject):
    changed = Signal(object)  # SyncView
    photo_progress = Signal(object, object)  # bytes sent, bytes to send
    records_changed = Signal()  # a round pulled changes: open views should read again
    round_finished = Signal(object)  # RoundResult
    enrolled = Signal()

    def __init__(
        self,
        ctx: UiContext,
        *,
        transport: httpx.BaseTransport | None = None,
        interval: float = ROUND_INTERVAL,
        backoff: Backoff = default_backoff,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.transport = transport
        self.interval = interval
        self.backoff = backoff
        self.view = SyncView()
        self.failures = 0  # failed probes or rounds in a row (the backoff's attempt)
        self.rounds = 0  # rounds finished (for tests and the log)
        self._running = False
        self._closed = False
        self._runner = Runner(self)  # not the window's: a background probe is not "busy"
        self._relay = _Relay(self)
        self._relay.moved.connect(self.photo_progress)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    # -- public ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """Read the status; when enrolled, look for the server at once."""
        self._read_status(then_tick=True)

    def stop(self) -> None:
        """No further rounds (the window closed); a running one finishes on its own."""
        self._closed = True
        self._timer.stop()

    def refresh(self) -> None:
        """Read the counts again (after a local change such as resolving a conflict)."""
        self._read_status(then_tick=False)

    def sync_now(self) -> bool:
        """A round now, even after a stop (the user asked). False when one is running."""
        if self._running or self._closed:
            return False
        self._timer.stop()
        self.view = replace(self.view, stopped=False)
        self._round()
        return True

    def after_enrolment(self) -> None:
        """The device was just enrolled: sync at once."""
        self.failures = 0
        self.view = replace(self.view, stopped=False)
        self.enrolled.emit()
        if not self.sync_now():
            self.refresh()

    def next_attempt_in(self) -> float | None:
        """Seconds until the next automatic probe or round (None: none planned)."""
        return self._timer.remainingTime() / 1000 if self._timer.isActive() else None

    # -- status ---------------------------------------------------------------------------

    def _read_status(self, *, then_tick: bool) -> None:
        db = self.ctx.db

        def done(status: SyncStatus) -> None:
            if not alive(self):
                return
            self._show_status(status)
            if then_tick and status.enrolled and not self.view.stopped:
                self._schedule(0)

        def failed(exc: Exception) -> None:
            report(exc)

        self.ctx.runner.submit(lambda: load_status(db), done, failed)

    def _show_status(self, status: SyncStatus, **changes: object) -> None:
        self.view = replace(
            self.view,
            enrolled=status.enrolled,
            server=status.server,
            pending_records=status.pending_records,
            pending_photos=status.pending_photos,
            conflicts=status.conflicts,
            last_success=status.last_success,
            last_error=status.last_error,
            loaded=True,
            **changes,  # type: ignore[arg-type]
        )
        self.changed.emit(self.view)

    # -- probing and rounds ---------------------------------------------------------------

    def _schedule(self, seconds: float) -> None:
        if self._closed or self.view.stopped or not self.view.enrolled:
            return
        self._timer.start(max(0, int(seconds * 1000)))

    def _tick(self) -> None:
        if self._running or self._closed or self.view.stopped:
            return
        if self.view.online:
            self._round()
        else:
            self._probe()

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.view = replace(self.view, syncing=running)
        self.changed.emit(self.view)

    def _probe(self) -> None:
        self._set_running(True)
        db, transport = self.ctx.db, self.transport

        def done(_status: SyncStatus) -> None:
            if not alive(self):
                return
            self._running = False
            self._round()  # reachable again: sync at once

        def failed(exc: Exception) -> None:
            if not alive(self):
                return
            self._running = False
            self._after_failure(exc)

        self._runner.submit(lambda: probe(db, transport), done, failed)

    def _round(self) -> None:
        self._set_running(True)
        db, transport, relay = self.ctx.db, self.transport, self._relay

        def done(result: RoundResult) -> None:
            if alive(self):
                self._finished(result)

        def failed(exc: Exception) -> None:
            if not alive(self):
                return
            self._running = False
            self._after_failure(exc)

        self._runner.submit(lambda: run_round(db, transport, relay.moved.emit), done, failed)

    def _finished(self, result: RoundResult) -> None:
        self._running = False
        self.rounds += 1
        outcome = result.outcome
        log.info("sync round: %s %s", outcome.value, result.message)
        self._show_status(
            result.status,
            syncing=False,
            online=outcome in (Outcome.OK, Outcome.FAILED),
            stopped=outcome.stops,
        )
        if result.pulled:
            self.records_changed.emit()
        self.round_finished.emit(result)
        if outcome is Outcome.OK:
            self.failures = 0
            self._schedule(self.interval)
        elif not outcome.stops:
            self.failures += 1
            self._schedule(self.backoff(self.failures, result.retry_after))

    def _after_failure(self, exc: Exception) -> None:
        """A probe that failed, or a round that broke off with an exception."""
        outcome = outcome_of(exc) if isinstance(exc, SyncError) else Outcome.FAILED
        if isinstance(exc, SyncError):
            message = exc.message
        else:
            report(exc)
            message = describe(exc)
        self.view = replace(
            self.view,
            syncing=False,
            online=False,
            stopped=outcome.stops,
            last_error=message,
        )
        self.changed.emit(self.view)
        if not outcome.stops:
            self.failures += 1
            retry_after = exc.retry_after if isinstance(exc, SyncError) else None
            self._schedule(self.backoff(self.failures, retry_after))
