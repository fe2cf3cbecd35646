"""Saving the MB editor's draft: about 2 s after the last change and at least every 5 s while
changes keep coming (the estimate editor's rhythm), on Ctrl+S, and before the window closes.

A save is a job in the editor's queue (editor_jobs.py): its draft and the MB version it names
are taken when its turn comes, so a save never races a photo or an action, and a change made
elsewhere meanwhile is refused by the service (never overwritten). The state — saved, unsaved,
saving, not saved and why — is what the window's header says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from mukta_desktop.domain.dates import INDIA
from mukta_desktop.services.mb_views import MbView
from mukta_desktop.services.measurement_books import save_mb

from ..context import UiContext
from ..estimates.editor import AUTOSAVE_IDLE_MS, AUTOSAVE_MAX_MS
from ..messages import describe
from ..widgets import debounce_timer
from .document import MbDocument
from .editor_jobs import SerialJobs


class Editor(Protocol):
    """What the saver reads of the editor window."""

    ctx: UiContext
    number: str
    version: int | None

    @property
    def document(self) -> MbDocument: ...

    def may_save(self) -> bool: ...


class DraftSaver(QObject):
    """`saved(MbView)` after each save; `state_changed` whenever `text()` may read otherwise."""

    saved = Signal(object)
    failed = Signal(str)
    state_changed = Signal()

    def __init__(self, editor: Editor, jobs: SerialJobs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.jobs = jobs
        self.idle = debounce_timer(self, self.save_now, AUTOSAVE_IDLE_MS)
        self.at_least = debounce_timer(self, self.save_now, AUTOSAVE_MAX_MS)
        self.saved_revision = 0
        self.queued = False
        self.in_flight: int | None = None  # the document revision being saved
        self.error: str | None = None
        self.saved_at: datetime | None = None

    def set_delays(self, idle_ms: int, at_least_ms: int) -> None:
        self.idle.setInterval(idle_ms)
        self.at_least.setInterval(at_least_ms)

    # ---------------------------------------------------------------- state
    def reset(self, revision: int) -> None:
        """A document was loaded: it is saved as it is."""
        self.stop()
        self.saved_revision = revision
        self.error = None
        self.state_changed.emit()

    def dirty(self) -> bool:
        return self.editor.document.revision != self.saved_revision

    def busy(self) -> bool:
        return self.queued or self.in_flight is not None

    def text(self) -> str:
        if self.error is not None:
            return "<span style='color:#b00020'>Not saved</span>"
        if self.busy():
            return "Saving…"
        if self.dirty():
            return "Unsaved changes"
        if self.saved_at is not None:
            return f"Saved {self.saved_at:%H:%M:%S}"
        return "All changes saved"

    # ---------------------------------------------------------------- saving
    def changed(self) -> None:
        """The document changed: save when typing pauses, and at least every few seconds."""
        self.error = None
        self.idle.start()
        if not self.at_least.isActive():
            self.at_least.start()
        self.state_changed.emit()

    def stop(self) -> None:
        self.idle.stop()
        self.at_least.stop()

    def save_now(self) -> bool:
        """Queue a save (after any call in progress); False when there is nothing to save."""
        self.stop()
        if not self.editor.may_save() or not self.dirty():
            return False
        if not self.queued:
            self.queued = True
            self.jobs.submit(self._work, self._done, self._failed)
            self.state_changed.emit()
        return True

    def _work(self) -> Callable[[], MbView]:
        self.queued = False
        editor = self.editor
        document = editor.document
        draft = document.to_mb_draft()
        self.in_flight = document.revision
        db, actor, number, version = editor.ctx.db, editor.ctx.actor, editor.number, editor.version
        today = editor.ctx.today()
        return lambda: save_mb(db, actor, number, draft, today=today, version=version)

    def _done(self, view: MbView) -> None:
        revision, self.in_flight = self.in_flight, None
        if revision is not None:
            self.saved_revision = revision
        self.saved_at = datetime.now(INDIA)
        self.error = None
        self.saved.emit(view)
        if self.dirty() and not self.busy():
            self.changed()  # typed meanwhile: saved again in a moment
        self.state_changed.emit()

    def _failed(self, exc: Exception) -> None:
        self.in_flight = None
        self.error = describe(exc)
        self.state_changed.emit()
        self.failed.emit(self.error)
