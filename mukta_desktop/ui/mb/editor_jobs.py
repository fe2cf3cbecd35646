"""Service calls of one MB editor, one after another on the runner.

Every save, photo and workflow action changes the MB's version, and a save names the version it
was made from (a change made meanwhile elsewhere is refused, never overwritten). So the editor
runs its calls in order: each job's work is made on the GUI thread only when the previous job
is back (it reads the version and the document as they are then) and runs on the runner; the
GUI thread never waits for any of them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject

from ..background import Runner
from ..messages import report
from ..widgets import alive

T = TypeVar("T")
# Made on the GUI thread when the job's turn comes: the work to run (it may refuse by raising).
MakeWork = Callable[[], Callable[[], T]]
_Job = tuple[Callable[[], Callable[[], Any]], Callable[[Any], None], Callable[[Exception], None]]


class SerialJobs:
    """A queue of service calls run one at a time; results are dropped once `owner` is gone."""

    def __init__(self, runner: Runner, owner: QObject) -> None:
        self.runner = runner
        self.owner = owner
        self._queue: deque[_Job] = deque()
        self.busy = False

    @property
    def pending(self) -> int:
        """Jobs waiting or running."""
        return len(self._queue) + (1 if self.busy else 0)

    def submit(
        self,
        make_work: MakeWork[T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self._queue.append((make_work, on_done, on_error))
        self._next()

    def _next(self) -> None:
        if self.busy or not self._queue or not alive(self.owner):
            return
        make_work, on_done, on_error = self._queue.popleft()
        try:
            work = make_work()
        except Exception as exc:  # refused before it started (e.g. nothing saved)
            report(exc)
            on_error(exc)
            self._next()
            return
        self.busy = True

        def done(result: object) -> None:
            self.busy = False
            if alive(self.owner):
                on_done(result)
                self._next()

        def failed(exc: Exception) -> None:
            self.busy = False
            report(exc)
            if alive(self.owner):
                on_error(exc)
                self._next()

        self.runner.submit(work, done, failed)
