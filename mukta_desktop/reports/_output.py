"""What every writer shares: an all-or-nothing target file and progress/cancel bookkeeping."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from . import ExportCancelled

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` that replaces it only when the block succeeds.

    An export that is cancelled or fails half-way must leave neither a truncated document
    (a PDF that will not open) nor a stray temporary file behind. The temporary lives in the
    same folder so the final rename stays on one file system and is atomic.
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".part", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


class Steps:
    """Counts the steps of an export, reports them, and stops when the user cancels."""

    def __init__(self, total: int, progress: Progress | None, cancelled: Cancelled | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled
        self.check()

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled("Export cancelled.")

    def tick(self, count: int = 1) -> None:
        self.check()
        self.done = min(self.done + count, self.total)
        if self._progress is not None:
            self._progress(self.done, self.total)

    def finish(self) -> None:
        self.done = self.total
        if self._progress is not None:
            self._progress(self.total, self.total)
