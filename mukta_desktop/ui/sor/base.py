"""What every SOR dialog shares: the context, background calls and an inline message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget

from mukta_desktop.services.sor_views import RateInfo

from ..context import UiContext
from ..messages import describe, report
from ..widgets import InlineMessage, alive

T = TypeVar("T")


class SorDialog(QDialog):
    """A dialog whose service calls run on the runner; refusals appear inline, never modal."""

    failed = Signal(str)  # the words shown to the user

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setModal(True)
        self.message = InlineMessage()
        self.message.setObjectName("dialogMessage")
        self.busy = False

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run `work` off the GUI thread; callbacks are dropped if the dialog is gone."""

        def done(result: T) -> None:
            if alive(self):
                on_done(result)

        def failed(exc: Exception) -> None:
            if not alive(self):
                report(exc)
                return
            (on_error or self.show_failure)(exc)

        self.ctx.runner.submit(work, done, failed)

    def show_failure(self, exc: BaseException) -> None:
        report(exc)
        text = describe(exc)
        self.message.show_error(text)
        self.failed.emit(text)

    def tenant_choices(self) -> list[tuple[str, str]]:
        """Tenants whose rates the actor may set: the state and every ULB for a state
        administrator, the actor's own ULB for a ULB rate administrator."""
        from mukta_desktop.domain.roles import Role

        masters = self.ctx.masters
        if self.ctx.has(Role.MDMS_STATE_ADMIN):
            return [(t.code, _tenant_label(t.code, t.name)) for t in masters.tenants]
        own = self.ctx.actor.tenant
        return [(own, _tenant_label(own, masters.tenant_name(own)))]


def _tenant_label(code: str, name: str) -> str:
    return f"{name} (state rate)" if code == "od" else f"{name} ({code})"


def earliest_rate_date(history: Iterable[RateInfo], tenant: str, today: date) -> date:
    """The first day a new rate of `tenant`'s own series may start: today, or the day after
    the latest rate of that series if it is later (rate history is never rewritten)."""
    latest = max((r.effective_from for r in history if r.tenant == tenant), default=None)
    return today if latest is None else max(today, latest + timedelta(days=1))


def noop(_: Any) -> None:
    """A callback that ignores its result."""
